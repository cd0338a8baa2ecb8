"""The demo's seasonal campaigns (四季活动) read true: each season's latest campaign that has begun by
today (one of them running), wishes and projects tagged with the season whose campaign brings what they
ask for, made while it ran, each with the tagging in its record."""

import pytest
from django.utils import timezone

from campaigns.choices import Season
from campaigns.models import Campaign
from demo import campaigns as seasonal
from jiangyan.models import AuditEvent
from projects.models import Project
from wishes.choices import WishStatus
from wishes.models import Wish

pytestmark = pytest.mark.django_db


def test_the_four_seasons_are_on_the_demos_timeline_and_one_is_running(district):
    today = timezone.localdate()
    found = seasonal.campaigns()
    assert set(found) == set(Season.values)
    for season, campaign in found.items():
        assert (campaign.start_date, campaign.end_date) == seasonal.latest_dates(season, today)
        assert campaign.start_date <= today
    assert Campaign.objects.running_on(today).count() == 1
    assert "四季活动：4 项" in district


def test_tagged_wishes_ask_for_what_their_campaign_brings_and_were_made_while_it_ran(district):
    tagged = list(Wish.objects.exclude(campaign=None).select_related("campaign"))
    assert tagged, "some wishes are tagged"
    assert {w.campaign.season for w in tagged} >= {Season.WINTER}  # the running one has wishes
    for wish in tagged:
        assert seasonal.season_of(wish.title, wish.text) == wish.campaign.season, wish.title
        assert seasonal.takes(wish.campaign, submitted=wish.submitted_at, done=wish.fulfilled_at)
        assert wish.status not in (WishStatus.REJECTED, WishStatus.WITHDRAWN)
        (event,) = AuditEvent.objects.for_object(wish).filter(verb="wish.campaign")
        assert event.after == {"campaign": wish.campaign_id} and event.note == wish.campaign.name
        assert event.actor.community_id == wish.community_id  # the community's own staff
        assert event.created_at <= timezone.now()


def test_tagged_projects_are_the_seasons_own(district):
    tagged = list(Project.objects.exclude(campaign=None).select_related("campaign"))
    assert {p.campaign.season for p in tagged} == set(Season.values)
    for project in tagged:
        words = seasonal.SEASON_PROJECTS[project.campaign.season]
        assert any(word in project.title for word in words), project.title
        (event,) = AuditEvent.objects.for_object(project).filter(verb="project.campaign")
        assert event.actor.username == "admin" and event.note == project.campaign.name
