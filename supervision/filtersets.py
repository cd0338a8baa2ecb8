"""One FilterSet per list, shared by the page and the API."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Community, Unit
from jiangyan.core.filtersets import LookupFilter, PortalFilterSet
from projects import selectors as projects

from .choices import InspectionKind, OrderStatus, ReportKind, ReportStatus
from .models import (
    ContactPoint,
    Inspection,
    Leader,
    Report,
    SupervisionOrder,
    order_open,
    order_overdue,
    visit_of_leader,
)

YES = forms.Select(choices=[("", _("不限")), ("true", _("是")), ("false", _("否"))])


def _years() -> list[tuple[int, str]]:
    return projects.year_choices()


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.ChoiceFilter):
    """A campaign year (2026) among those opened: the schema cannot read its type from the choices."""


class ReportFilterSet(django_filters.FilterSet):
    """Kind, status, ``period``: any day of the period (``2021-06-15`` finds 6月中旬, its week …), and
    ``year``: the reports of a campaign year (periods ending in it). Without a year or a day, the reports
    since the current year began."""

    year = YearFilter(choices=_years, method="filter_year", label=_("年度"), empty_label=_("当前年度"))

    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label=_("类型"), empty_label=_("全部类型"))
    status = django_filters.ChoiceFilter(
        choices=ReportStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )
    period = django_filters.DateFilter(
        method="filter_period",
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("包含该日期的周期"),
    )

    class Meta:
        model = Report
        fields = ["year", "kind", "status", "period"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)

    def filter_year(self, queryset, name, value):
        return queryset.filter(period_end__year=int(value))

    @property
    def qs(self):
        queryset = super().qs
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if not data.get("year") and not data.get("period"):
            current = projects.current_year()
            if current is not None:
                queryset = queryset.filter(period_end__gte=datetime.date(current.year, 1, 1))
        return queryset


class DashboardFilterSet(django_filters.FilterSet):
    """The dashboard's one parameter: the campaign year it shows (default the current one)."""

    year = YearFilter(choices=_years, method="keep", label=_("年度"), empty_label=_("当前年度"))

    class Meta:
        model = Report
        fields = ["year"]

    def keep(self, queryset, name, value):
        return queryset


class OrderFilterSet(PortalFilterSet):
    search_fields = ("code__icontains", "reason__icontains", "project__code__iexact", "wish__code__iexact")

    status = django_filters.ChoiceFilter(
        choices=OrderStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )
    open = django_filters.BooleanFilter(method="filter_open", label=_("待答复"), widget=YES)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"), widget=YES)
    unit = LookupFilter(queryset=Unit.objects.all(), label=_("责任单位"), empty_label=_("全部单位"))
    community = LookupFilter(
        queryset=Community.objects.select_related("town"), label=_("责任社区"), empty_label=_("全部社区")
    )
    target = django_filters.ChoiceFilter(
        method="filter_target",
        label=_("督办对象"),
        empty_label=_("全部对象"),
        choices=[("project", _("项目")), ("wish", _("微心愿")), ("duty_item", _("履职事项"))],
    )

    class Meta:
        model = SupervisionOrder
        fields = ["q", "status", "open", "overdue", "unit", "community", "target"]

    def filter_open(self, queryset, name, value):
        rule = order_open()
        return queryset.filter(rule) if value else queryset.exclude(rule)

    def filter_overdue(self, queryset, name, value):
        rule = order_overdue(timezone.localdate())
        return queryset.filter(rule) if value else queryset.exclude(rule)

    def filter_target(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


@extend_schema_field(OpenApiTypes.INT)
class LeaderVisitsFilter(LookupFilter):
    """A leader, by id, whose visits a method finds: the schema cannot read its type from the model."""


class InspectionFilterSet(PortalFilterSet):
    search_fields = ("places__icontains", "findings__icontains")

    kind = django_filters.ChoiceFilter(
        choices=InspectionKind.choices, label=_("方式"), empty_label=_("全部方式")
    )
    community = LookupFilter(
        field_name="communities",
        queryset=Community.objects.select_related("town"),
        label=_("社区（村）"),
        empty_label=_("全部社区"),
    )
    date_after = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label=_("起始日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_before = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label=_("截止日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    leader = LeaderVisitsFilter(
        method="filter_leader",
        queryset=Leader.objects.select_related("user"),
        label=_("联系领导走访"),
        empty_label=_("全部"),
        help_text=_("该领导本人参加、在其联系点开展的巡回指导"),
    )

    class Meta:
        model = Inspection
        fields = ["q", "kind", "community", "leader", "date_after", "date_before"]

    def filter_leader(self, queryset, name, value):
        return queryset.filter(pk__in=Inspection.objects.filter(visit_of_leader(value)).values("pk"))

    @property
    def qs(self):
        queryset = super().qs
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return queryset.distinct() if data.get("community") else queryset


class ContactPointFilterSet(PortalFilterSet):
    """The contact points of a leader, and whether each was visited this month (``visited`` reads the
    annotation of ``selectors.contact_points``, the dashboard's own rule)."""

    search_fields = (
        "community__name__icontains",
        "unit__name__icontains",
        "leader__user__real_name__icontains",
    )

    leader = LookupFilter(
        queryset=Leader.objects.select_related("user"), label=_("联系领导"), empty_label=_("全部领导")
    )
    visited = django_filters.BooleanFilter(method="filter_visited", label=_("本月已走访"), widget=YES)

    class Meta:
        model = ContactPoint
        fields = ["q", "leader", "visited"]

    def filter_visited(self, queryset, name, value):
        return queryset.filter(visited=value)
