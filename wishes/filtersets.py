"""The one FilterSet of the wish board: the page ``/wishes/`` and the API list both use it."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Community
from campaigns.selectors import campaign_choices
from jiangyan.core.filtersets import LookupFilter, PortalFilterSet

from .choices import OfferStatus, Satisfaction, WishCategory, WishChannel, WishStatus
from .models import DispatchOffer, HelpTeam, Wish
from .selectors import FUNNEL_STAGES


class WishFilterSet(PortalFilterSet):
    """Community, category, channel, status, urgent and free text (``q``: title, text or wish code — never
    the wisher's personal data, so a search cannot confirm a phone number)."""

    search_fields = ("title__icontains", "text__icontains", "code__iexact")

    community = LookupFilter(
        queryset=Community.objects.select_related("town"), label=_("社区（村）"), empty_label=_("全部社区")
    )
    category = django_filters.ChoiceFilter(
        choices=WishCategory.choices, label=_("类别"), empty_label=_("全部类别")
    )
    channel = django_filters.ChoiceFilter(
        choices=WishChannel.choices, label=_("渠道"), empty_label=_("全部渠道")
    )
    status = django_filters.ChoiceFilter(
        choices=WishStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )
    urgent = django_filters.BooleanFilter(
        label=_("生活帮帮团急需"),
        widget=forms.Select(choices=[("", _("不限")), ("true", _("仅急需")), ("false", _("非急需"))]),
    )

    # The supervision dashboard's links: unclaimed past the limit (超时未认领), claims overdue (认领逾期).
    flagged = django_filters.BooleanFilter(
        label=_("超时未认领"),
        method="filter_flagged",
        widget=forms.Select(choices=[("", _("不限")), ("true", _("是"))]),
    )
    overdue = django_filters.BooleanFilter(
        label=_("认领逾期"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", _("不限")), ("true", _("是"))]),
    )
    # The funnel's steps (the wishes that reached a stage, whatever their state now) and the follow-ups'
    # satisfaction segments.
    reached = django_filters.ChoiceFilter(
        choices=[
            ("received", _("已收到")),
            ("claimed", _("曾被认领")),
            ("fulfilled", _("曾实现")),
            ("closed", _("已办结")),
        ],
        method="filter_reached",
        label=_("办理进程"),
        empty_label=_("不限"),
    )
    satisfaction = django_filters.ChoiceFilter(
        choices=Satisfaction.choices, label=_("回访评价"), empty_label=_("不限")
    )
    # A seasonal campaign's wishes (四季活动: its page links here with the same counts).
    campaign = LookupFilter(queryset=campaign_choices(), label=_("四季活动"), empty_label=_("全部活动"))
    # The wishes routed to a help team (the dashboard's team figures open them).
    team = LookupFilter(queryset=HelpTeam.objects.all(), label=_("帮帮团"), empty_label=_("全部"))

    class Meta:
        model = Wish
        fields = [
            "q",
            "community",
            "category",
            "channel",
            "status",
            "urgent",
            "flagged",
            "overdue",
            "reached",
            "satisfaction",
            "campaign",
            "team",
        ]

    def filter_flagged(self, queryset, name, value):
        return queryset.unclaimed_flagged(timezone.now()) if value else queryset

    def filter_reached(self, queryset, name, value):
        stage = FUNNEL_STAGES.get(value)
        return queryset.filter(**{f"{stage}__isnull": False}) if stage else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset


class DispatchOfferFilterSet(PortalFilterSet):
    """派单: the offers by state (``?status=pending``: those waiting for an answer) and the wish's title or
    code."""

    search_fields = ("wish__title__icontains", "wish__code__iexact")

    status = django_filters.ChoiceFilter(
        choices=OfferStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )

    class Meta:
        model = DispatchOffer
        fields = ["status"]
