"""Public pages of the seasonal campaigns (四季活动): the list and each campaign's page, with the figures the
registries show of what is tagged with it (their ``campaign_sections``)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiangyan.core.pagecache import cached_page
from jiangyan.core.site import campaign_sections, section_topics, sections_context

from . import selectors

# A campaign shows its own record (``campaigns``: its dates and theme, and what is tagged with it).
TOPICS = ("campaigns",)


def _page_topics() -> tuple[str, ...]:
    """A campaign's page shows the campaign and the figures of the sections the registries add to it."""
    return (*TOPICS, *section_topics(campaign_sections()))


@require_GET
@cached_page(topics=TOPICS)
def campaign_list(request):
    """Every campaign, the running ones marked, the latest first."""
    campaigns = list(selectors.campaign_list(user=request.user))
    return render(request, "campaigns/list.html", {"campaigns": campaigns, "today": timezone.localdate()})


@require_GET
@cached_page(topics=_page_topics)
def detail(request, pk: int):
    campaign = selectors.campaign_by_id(pk)
    if campaign is None:
        raise Http404
    context = {"campaign": campaign, **sections_context(campaign_sections(), campaign)}
    return render(request, "campaigns/detail.html", context)
