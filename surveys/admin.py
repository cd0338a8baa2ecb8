"""The survey builder (survey → questions → options) and the editable problem list live in the admin.
Duty items saved here go through the services, so they are audited like everywhere else."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import DutyStatus, duty_move_allowed
from .models import DutyItem, Option, ProblemCategory, ProblemItem, Question, Suggestion, Survey


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("order", "kind", "required", "is_suggestion"),
        "text",
        "help_text",
        ("min_value", "max_value"),
        "edit_options",
    ]
    readonly_fields = ["edit_options"]
    ordering = ["order", "id"]
    show_change_link = True

    @admin.display(description=_("选项"))
    def edit_options(self, obj):
        if not obj.pk or not obj.has_options:
            return "—"
        options = "；".join(o.text for o in obj.options.all()) or _("（尚无选项）")
        url = reverse("admin:surveys_question_change", args=[obj.pk])
        return format_html('{} <a href="{}">{}</a>', options, url, _("编辑选项"))


class OptionInline(admin.TabularInline):
    model = Option
    extra = 3
    fields = ["order", "text"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "opens_at",
        "closes_at",
        "published",
        "allow_anonymous",
        "response_count",
        "links",
    ]
    list_filter = ["published"]
    search_fields = ["title"]
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_responses=Count("responses"))

    @admin.display(description=_("答卷数"), ordering="n_responses")
    def response_count(self, obj):
        return obj.n_responses

    @admin.display(description=_("页面"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("surveys:answer", args=[obj.pk]),
            _("填写"),
            reverse("surveys:analytics", args=[obj.pk]),
            _("分析"),
            reverse("surveys:import", args=[obj.pk]),
            _("导入"),
        )


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "survey", "order", "kind", "required", "is_suggestion"]
    list_filter = ["survey", "kind"]
    inlines = [OptionInline]


class ProblemItemInline(admin.TabularInline):
    model = ProblemItem
    extra = 0
    fields = ["code", "title", "keywords"]
    show_change_link = True


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "item_count"]
    list_editable = ["name_en", "order"]
    inlines = [ProblemItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("条目数"), ordering="n_items")
    def item_count(self, obj):
        return obj.n_items


@admin.register(ProblemItem)
class ProblemItemAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "category", "suggestion_count"]
    list_filter = ["category"]
    search_fields = ["code", "title", "keywords", "synonyms"]
    fields = ["category", "code", "title", "keywords", "synonyms", "description"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(n_suggestions=Count("suggestions"))
        )

    @admin.display(description=_("建议数"), ordering="n_suggestions")
    def suggestion_count(self, obj):
        return obj.n_suggestions


class DutyItemAdminForm(forms.ModelForm):
    class Meta:
        model = DutyItem
        fields = ["problem_item", "unit", "action", "deadline", "status", "progress_note", "projects"]

    def clean_status(self):
        """The status moves the office may make (``choices.duty_move_allowed``); the service checks again."""
        status = self.cleaned_data["status"]
        current = self.instance.status if self.instance.pk else DutyStatus.NOT_STARTED
        if not duty_move_allowed(current, status, office=True):
            raise forms.ValidationError(
                _("“%(current)s”不能改为“%(new)s”。")
                % {"current": DutyStatus(current).label, "new": DutyStatus(status).label}
            )
        return status


@admin.register(DutyItem)
class DutyItemAdmin(admin.ModelAdmin):
    form = DutyItemAdminForm
    list_display = ["problem_item", "unit", "deadline", "status"]
    list_filter = ["status", "unit", "problem_item__category"]
    search_fields = ["action", "problem_item__title", "problem_item__code"]
    autocomplete_fields = ["problem_item"]
    fields = ["problem_item", "unit", "action", "deadline", "status", "progress_note", "projects"]
    filter_horizontal = ["projects"]

    def save_model(self, request, obj, form, change):
        # Through the services (audit); the projects are set in save_related.
        if change:
            services.duty_item_update(
                actor=request.user,
                duty_item=obj,
                status=obj.status,
                progress_note=obj.progress_note,
                action=obj.action,
                unit=obj.unit,
                deadline=obj.deadline,
            )
        else:
            created = services.duty_item_create(
                actor=request.user,
                problem_item=obj.problem_item,
                unit=obj.unit,
                action=obj.action,
                deadline=obj.deadline,
            )
            obj.pk = created.pk
            if obj.status != created.status or obj.progress_note:
                services.duty_item_update(
                    actor=request.user, duty_item=created, status=obj.status, progress_note=obj.progress_note
                )

    def save_related(self, request, form, formsets, change):
        services.duty_item_update(
            actor=request.user, duty_item=form.instance, projects=form.cleaned_data.get("projects", [])
        )


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "community", "submitted_at", "problem_item", "coded_at"]
    list_filter = ["source", "problem_item__category"]
    search_fields = ["text"]
    readonly_fields = [
        "source",
        "survey",
        "response",
        "submitted_by",
        "submitted_at",
        "coded_by",
        "coded_at",
        "problem_item",
        "problem_items",
    ]
    fields = ["text", "community", *readonly_fields]
