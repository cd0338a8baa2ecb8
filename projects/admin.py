from django.contrib import admin

from .models import (
    Domain,
    Evaluation,
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
    list_display = ["name", "order"]
    list_editable = ["order"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "key_task", "order"]
    list_editable = ["order"]
    list_select_related = ["key_task"]


@admin.register(Domain, TargetGroup)
class LookupAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "program", "domain", "lead_unit", "status", "is_public", "planned_end"]
    list_filter = ["program", "domain", "target_groups", "status", "is_public", "towns", "lead_unit"]
    search_fields = ["code", "title", "summary", "lead_unit__name", "responsible_leader"]
    list_select_related = ["program", "domain", "lead_unit"]
    autocomplete_fields = ["cooperating_units", "communities"]
    filter_horizontal = ["target_groups", "towns"]
    inlines = [IndicatorInline, MilestoneInline]
    date_hierarchy = "planned_start"


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["project", "name", "planned_date", "weight", "done_date"]
    list_filter = ["planned_date", "project__program"]
    search_fields = ["name", "project__code", "project__title"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["project", "name", "target_value", "current_value", "unit"]
    search_fields = ["name", "project__code", "project__title"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]


@admin.register(ProgressStatement)
class ProgressStatementAdmin(admin.ModelAdmin):
    list_display = ["project", "period_start", "period_end", "author", "created_at"]
    list_filter = ["period_end", "project__lead_unit"]
    search_fields = ["text", "project__code", "project__title"]
    list_select_related = ["project", "author"]
    raw_id_fields = ["project", "author"]


@admin.register(IndicatorUpdate)
class IndicatorUpdateAdmin(admin.ModelAdmin):
    list_display = ["indicator", "previous_value", "value", "author", "created_at"]
    list_select_related = ["indicator", "author"]
    raw_id_fields = ["indicator", "statement", "author"]


@admin.register(ProjectPhoto)
class ProjectPhotoAdmin(admin.ModelAdmin):
    list_display = ["project", "caption", "uploaded_by", "created_at"]
    search_fields = ["caption", "project__code"]
    list_select_related = ["project", "uploaded_by"]
    raw_id_fields = ["project", "statement", "milestone", "uploaded_by"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["project", "evaluator", "evaluator_role", "score", "month", "created_at"]
    list_filter = ["evaluator_role", "score", "month"]
    search_fields = ["project__code", "project__title", "comment", "evaluator__real_name"]
    list_select_related = ["project", "evaluator"]
    raw_id_fields = ["project", "evaluator"]
