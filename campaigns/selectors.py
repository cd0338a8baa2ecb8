"""Reads of the campaigns app: the list, one campaign, the campaigns running in a period (the ten-day
bulletin's), the choices a tag is picked from. The figures of a campaign are the registries' own
(``wishes.selectors.campaign_wish_figures``, ``projects.selectors.campaign_project_figures``), shown on its
page through the sections they declare (``campaign_sections``)."""

import datetime

from django.db.models import QuerySet

from .models import Campaign


def campaign_list(*, user=None) -> QuerySet[Campaign]:
    """Every campaign, the latest first (public)."""
    return Campaign.objects.visible_to(user).order_by("-start_date", "id")


def campaign_by_id(pk) -> Campaign | None:
    return Campaign.objects.filter(pk=pk).first() if str(pk).isdigit() else None


def running_campaigns(*, start: datetime.date, end: datetime.date) -> list[dict]:
    """The campaigns running on any day of ``start``…``end`` (a bulletin's period), earliest first, as plain
    data (what a stored report keeps)."""
    rows = Campaign.objects.overlapping(start, end).order_by("start_date", "id")
    return [
        {
            "id": c.pk,
            "name": c.name,
            "season": c.season,
            "season_label": str(c.get_season_display()),
            "theme": c.theme,
            "start": c.start_date.isoformat(),
            "end": c.end_date.isoformat(),
        }
        for c in rows
    ]


def campaign_names() -> list[tuple[str, str]]:
    """``(Chinese, English)`` of every campaign's name and theme that has an English one (one query): what a
    report rendered in English reads its running campaigns by."""
    pairs = []
    for name, name_en, theme, theme_en in Campaign.objects.values_list(
        "name", "name_en", "theme", "theme_en"
    ):
        pairs += [(name, name_en), (theme, theme_en)]
    return [(zh, en) for zh, en in pairs if en]


def campaign_choices() -> QuerySet[Campaign]:
    """What a wish or a project is tagged from: every campaign, the latest first."""
    return Campaign.objects.order_by("-start_date", "id")
