"""The one FilterSet of projects, shared by the showcase page and the API list."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import Town, Unit
from campaigns.selectors import campaign_choices
from jiangyan.core.filtersets import LookupFilter, PortalFilterSet

from .choices import ProjectStatus
from .models import CampaignYear, Domain, Program, Project, TargetGroup

BEHIND_CHOICES = (("1", _("仅看滞后")), ("0", _("未滞后")))


class ProjectFilterSet(PortalFilterSet):
    """Filters of the project list: campaign year, free text, program, domain, target group, town, status,
    lead unit, behind. Without ``year`` it lists the current year's projects (an earlier year's record is
    ``?year=2025``; the page cache keys on it because it is declared here).

    Expects a queryset annotated by ``with_schedule`` for ``behind`` (adds it when missing)."""

    search_fields = (
        "code__icontains",
        "title__icontains",
        "summary__icontains",
        "lead_unit__name__icontains",
        "domain__name__icontains",
        "program__name__icontains",
        "program__key_task__name__icontains",
    )

    year = LookupFilter(queryset=CampaignYear.objects.all(), label=_("年度"), empty_label=_("当前年度"))
    program = LookupFilter(queryset=Program.objects.all(), label=_("工程"), empty_label=_("全部工程"))
    domain = LookupFilter(queryset=Domain.objects.all(), label=_("领域"), empty_label=_("全部领域"))
    target_group = LookupFilter(
        field_name="target_groups",
        queryset=TargetGroup.objects.all(),
        label=_("服务对象"),
        empty_label=_("全部对象"),
    )
    town = LookupFilter(
        field_name="towns", queryset=Town.objects.all(), label=_("镇（街道）"), empty_label=_("全部镇街")
    )
    status = django_filters.ChoiceFilter(
        choices=ProjectStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )
    lead_unit = LookupFilter(
        # A semi-join on the lead unit's index (a DISTINCT over the join reads every project).
        queryset=Unit.objects.filter(Exists(Project.objects.filter(lead_unit=OuterRef("pk")))),
        label=_("领办单位"),
        empty_label=_("全部单位"),
    )
    behind = django_filters.ChoiceFilter(
        choices=BEHIND_CHOICES, method="filter_behind", label=_("进度"), empty_label=_("全部进度")
    )
    # A seasonal campaign's projects (四季活动: its page links here with the same count).
    campaign = LookupFilter(queryset=campaign_choices(), label=_("四季活动"), empty_label=_("全部活动"))
    # The ranking's links: a unit's projects started by the ranking's last day (as the ranking counts them).
    started_by = django_filters.DateFilter(
        field_name="planned_start", lookup_expr="lte", label=_("开工不晚于"), widget=forms.HiddenInput
    )

    class Meta:
        model = Project
        fields = [
            "year",
            "q",
            "program",
            "domain",
            "target_group",
            "town",
            "status",
            "lead_unit",
            "behind",
            "campaign",
            "started_by",
        ]

    def filter_behind(self, queryset, name, value):
        if "is_behind" not in queryset.query.annotations:
            queryset = queryset.with_schedule()
        return queryset.filter(is_behind=value == "1")

    @property
    def qs(self):
        # Filtering through M2M (target group, town) could repeat a project; only those filters need distinct.
        queryset = super().qs
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if data.get("target_group") or data.get("town"):
            queryset = queryset.distinct()
        if not data.get("year"):  # the current year's list (in the same query)
            queryset = queryset.in_current_year()
        return queryset
