from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jiangyan.core.admin import RecordAdmin

from .models import (
    CampaignYear,
    Domain,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    ImportSynonym,
    Indicator,
    IndicatorUpdate,
    KeyTask,
    Milestone,
    Program,
    ProgressStatement,
    Project,
    ProjectPhoto,
    TargetGroup,
)


@admin.register(KeyTask)
class KeyTaskAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]
    list_editable = ["name_en", "order"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "key_task", "order"]
    list_editable = ["name_en", "order"]
    list_select_related = ["key_task"]


@admin.register(Domain, TargetGroup)
class LookupAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]
    list_editable = ["name_en", "order"]
    search_fields = ["name", "name_en"]


@admin.register(ImportSynonym)
class ImportSynonymAdmin(admin.ModelAdmin):
    """The office's own words for the import's columns and values (牵头单位 → 领办单位, 正在推进 → 推进中);
    the template's names are always understood and need no entry."""

    list_display = ["text", "target"]
    list_filter = ["target"]
    search_fields = ["text"]
    ordering = ["target", "text"]


# State is changed by the services (audited): the status on the project's manage page, a milestone's
# completion and an indicator's current value by the lead unit. Here those fields are read-only.
PROJECT_STATE = ["status", "campaign"]  # the campaign: on the manage page (``project_tag_campaign``)
MILESTONE_STATE = ["done_date", "evidence"]
INDICATOR_STATE = ["current_value"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    readonly_fields = INDICATOR_STATE


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    readonly_fields = MILESTONE_STATE


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "year",
        "title",
        "program",
        "domain",
        "lead_unit",
        "status",
        "is_public",
        "planned_end",
    ]
    list_filter = ["year", "program", "domain", "target_groups", "status", "is_public", "towns", "lead_unit"]
    search_fields = ["code", "title", "summary", "lead_unit__name", "responsible_leader"]
    list_select_related = ["program", "domain", "lead_unit"]
    autocomplete_fields = ["cooperating_units", "communities"]
    filter_horizontal = ["target_groups", "towns"]
    inlines = [IndicatorInline, MilestoneInline]
    date_hierarchy = "planned_start"
    readonly_fields = [*PROJECT_STATE, "carried_from", "change_status"]

    def get_readonly_fields(self, request, obj=None):
        # A project's year is its list's; carrying over makes a new project (``/projects/years/``).
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "year"] if obj is not None else fields

    @admin.display(description=_("变更状态"))
    def change_status(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("projects:manage", args=[obj.code]) + "#status"
        return format_html('<a href="{}">{}</a>', url, _("在项目填报页变更（须说明原因，记入办理记录）"))


@admin.register(CampaignYear)
class CampaignYearAdmin(RecordAdmin):
    """Opened, made current and carried over on the office's page ``/projects/years/`` (through the
    services, with their record): read here."""

    list_display = ["year", "title", "is_current", "opened_at", "opened_by"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["project", "name", "planned_date", "weight", "done_date"]
    list_filter = ["planned_date", "project__program"]
    search_fields = ["name", "project__code", "project__title"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]
    readonly_fields = MILESTONE_STATE


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["project", "name", "target_value", "current_value", "unit"]
    search_fields = ["name", "project__code", "project__title"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]
    readonly_fields = INDICATOR_STATE


@admin.register(ProgressStatement)
class ProgressStatementAdmin(RecordAdmin):
    list_display = ["project", "period_start", "period_end", "author", "created_at"]
    list_filter = ["period_end", "project__lead_unit"]
    search_fields = ["text", "project__code", "project__title"]
    list_select_related = ["project", "author"]
    raw_id_fields = ["project", "author"]


@admin.register(IndicatorUpdate)
class IndicatorUpdateAdmin(RecordAdmin):
    list_display = ["indicator", "previous_value", "value", "author", "created_at"]
    list_select_related = ["indicator", "author"]
    raw_id_fields = ["indicator", "statement", "author"]


@admin.register(ProjectPhoto)
class ProjectPhotoAdmin(admin.ModelAdmin):
    list_display = ["project", "caption", "uploaded_by", "created_at"]
    search_fields = ["caption", "project__code"]
    list_select_related = ["project", "uploaded_by"]
    raw_id_fields = ["project", "statement", "milestone", "uploaded_by"]


class ScoreInline(admin.TabularInline):
    model = EvaluationScore
    fields = ["criterion", "score"]
    readonly_fields = ["criterion", "score"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(RecordAdmin):
    list_display = ["project", "evaluator", "evaluator_role", "round", "month", "created_at"]
    list_filter = ["evaluator_role", "round", "month"]
    search_fields = ["project__code", "project__title", "comment", "evaluator__real_name"]
    list_select_related = ["project", "evaluator", "round"]
    raw_id_fields = ["project", "evaluator"]
    inlines = [ScoreInline]


# The evaluation method is set on the office's page (``projects:method``), through the services that audit
# each change and check what the admin could not (a round never overlaps another nor leaves out ratings
# already given in it; every criterion is asked of somebody). Here it is read only.
@admin.register(EvaluationCriterion)
class CriterionAdmin(RecordAdmin):
    list_display = ["name", "weight_party_member", "weight_supervisor", "weight_resident", "order"]
    search_fields = ["name"]


@admin.register(EvaluationRound)
class RoundAdmin(RecordAdmin):
    list_display = ["name", "starts_on", "ends_on", "created_at"]
