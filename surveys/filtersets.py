"""One FilterSet per list: the same class filters the HTML page and the API list (each over the list's
selector in ``selectors``)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Unit
from jiangyan.core.filtersets import LookupFilter, PortalFilterSet
from jiangyan.helpers.filters import DateTimeFilter

from .choices import Channel, DutyStatus, SuggestionSource
from .models import DutyItem, ProblemCategory, ProblemItem, Response, Suggestion, Survey, duty_overdue


class SurveyFilterSet(PortalFilterSet):
    search_fields = ("title__icontains", "description__icontains")

    class Meta:
        model = Survey
        fields = ["q"]


class SuggestionFilterSet(PortalFilterSet):
    search_fields = ("text__icontains",)

    survey = LookupFilter(label=_("问卷"), queryset=Survey.objects.all())
    community = LookupFilter(label=_("社区（村）"), queryset=Community.objects.select_related("town"))
    source = django_filters.ChoiceFilter(label=_("来源"), choices=SuggestionSource.choices)
    coded = django_filters.BooleanFilter(
        label=_("已编码"), field_name="problem_item", lookup_expr="isnull", exclude=True
    )
    # A suggestion coded to two items is in the list of each (as the items' counts count it).
    problem_item = LookupFilter(
        label=_("问题清单条目"),
        queryset=ProblemItem.objects.all(),
        field_name="problem_items",
        method="filter_coded_to",
    )
    category = LookupFilter(
        label=_("类别"),
        queryset=ProblemCategory.objects.all(),
        field_name="problem_items__category",
        method="filter_coded_to",
    )

    class Meta:
        model = Suggestion
        fields = ["q", "survey", "community", "source", "coded", "problem_item", "category"]

    def filter_coded_to(self, queryset, name, value):
        codings = Suggestion.problem_items.through.objects
        codings = (
            codings.filter(problemitem=value)
            if name == "problem_items"
            else codings.filter(problemitem__category=value)
        )
        return queryset.filter(pk__in=codings.values("suggestion_id"))


class ProblemItemFilterSet(PortalFilterSet):
    search_fields = ("code__icontains", "title__icontains", "keywords__icontains")

    category = LookupFilter(label=_("类别"), queryset=ProblemCategory.objects.all())
    conversion = django_filters.ChoiceFilter(
        label=_("转化情况"),
        method="filter_conversion",
        choices=[("none", _("未转化")), ("duty", _("已列入履职清单")), ("project", _("已转化为项目"))],
    )

    class Meta:
        model = ProblemItem
        fields = ["q", "category", "conversion"]

    def filter_conversion(self, queryset, name, value):
        # ``has_duty`` / ``has_project`` are annotated by selectors.problem_items_with_status
        if value == "none":
            return queryset.filter(has_duty=False, has_project=False)
        if value == "duty":
            return queryset.filter(has_duty=True)
        if value == "project":
            return queryset.filter(has_project=True)
        return queryset


class DutyItemFilterSet(PortalFilterSet):
    search_fields = ("action__icontains", "problem_item__title__icontains", "problem_item__code__icontains")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=DutyStatus.choices)
    unit = LookupFilter(label=_("责任单位"), queryset=Unit.objects.all())
    category = LookupFilter(
        label=_("类别"), field_name="problem_item__category", queryset=ProblemCategory.objects.all()
    )

    # 逾期: deadline passed and not done (the supervision dashboard links here).
    overdue = django_filters.BooleanFilter(label=_("已逾期"), method="filter_overdue")

    class Meta:
        model = DutyItem
        fields = ["q", "status", "unit", "category", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = duty_overdue(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class ResponseFilterSet(PortalFilterSet):
    search_fields = ("community__name__icontains", "community__town__name__icontains")
    search_help = _("社区（村）或镇（街道）名称")

    survey = LookupFilter(label=_("问卷"), queryset=Survey.objects.all())
    community = LookupFilter(label=_("社区（村）"), queryset=Community.objects.all())
    channel = django_filters.ChoiceFilter(label=_("渠道"), choices=Channel.choices)
    submitted_after = DateTimeFilter(label=_("提交时间起"), field_name="submitted_at", lookup_expr="gte")
    submitted_before = DateTimeFilter(label=_("提交时间止"), field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Response
        fields = ["q", "survey", "community", "channel", "submitted_after", "submitted_before"]
