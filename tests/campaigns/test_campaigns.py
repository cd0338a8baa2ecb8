"""Seasonal campaigns (四季活动): the office defines them (services, audit, API), community staff and lead
units tag wishes and projects within their scope, each campaign's page shows figures that equal the lists
they link to, the API lists filter by campaign, and the ten-day bulletin reports the running ones."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from campaigns import services
from campaigns.choices import Season
from campaigns.models import Campaign
from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.models import AuditEvent
from projects import services as project_services
from supervision import reports
from supervision.choices import ReportKind
from supervision.services import report_period
from tests.campaigns.factories import CampaignFactory
from tests.factories import CommunityFactory, MemberFactory, UnitFactory, UserFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory
from tests.wishes.factories import WishFactory
from wishes import services as wish_services
from wishes.choices import Satisfaction, WishStatus

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'data-figure="(\w+)" href="([^"]+)"><span class="num">([\d.]+)%?</span>')


def figures_of(page: str) -> dict[str, tuple[str, str]]:
    """``{figure: (link, number)}`` of a campaign page."""
    return {name: (html.unescape(link), number) for name, link, number in FIGURE.findall(page)}


def a_season_of_wishes(campaign, community):
    """Tagged wishes in every state (two not public), untagged ones, and tagged projects (one hidden)."""
    tag = {"campaign": campaign, "community": community}
    WishFactory(status=WishStatus.OPEN, **tag)
    WishFactory(status=WishStatus.CLAIMED, **tag)
    WishFactory(status=WishStatus.FULFILLED, fulfilled_at=timezone.now(), **tag)
    for satisfaction in (Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY):
        WishFactory(
            status=WishStatus.CLOSED,
            fulfilled_at=timezone.now(),
            feedback_at=timezone.now(),
            satisfaction=satisfaction,
            **tag,
        )
    WishFactory(status=WishStatus.SUBMITTED, **tag)  # under review: not on the public board
    WishFactory(status=WishStatus.REJECTED, **tag)
    WishFactory(status=WishStatus.CLOSED, community=community)  # another campaign's, or none
    WishFactory(status=WishStatus.OPEN, campaign=CampaignFactory(name="夏送清凉"), community=community)
    done = ProjectFactory(campaign=campaign)
    MilestoneFactory(project=done, weight=100, done_date=timezone.localdate())
    ProjectFactory(campaign=campaign)
    ProjectFactory(campaign=campaign, planned_start=timezone.localdate() + datetime.timedelta(days=5))
    ProjectFactory(campaign=campaign, is_public=False)
    ProjectFactory()


# --- the page's figures are the lists they link to -------------------------------------------------------
def test_each_figure_of_a_campaign_page_is_the_count_of_the_list_it_links_to(client, community):
    campaign = CampaignFactory()
    a_season_of_wishes(campaign, community)
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert campaign.name in text and campaign.theme in text
    assert f"{campaign.start_date:%Y-%m-%d}" in text and f"{campaign.end_date:%Y-%m-%d}" in text
    figures = figures_of(text)
    expected = {"received": "6", "claimed": "5", "fulfilled": "4", "satisfied": "2", "basically": "1"}
    assert {k: figures[k][1] for k in expected} == expected
    assert figures["unsatisfied"][1] == "0"
    assert figures["projects"][1] == "3"  # the public ones
    for name, (link, number) in figures.items():
        listed = client.get(link).content.decode()
        if name == "average":
            shown = re.search(r'data-average="([\d.]+)"', listed).group(1)
            assert float(shown) == float(number), link
            assert float(number) == 50.0  # of the two started: 100 % and 0 %
        else:
            count = re.search(r'data-count="(\d+)"', listed).group(1)
            assert count == number, (name, link)
    assert "回访满意率（满意和基本满意）100.0%" in text


def test_the_campaign_list_shows_every_campaign_with_its_dates_and_phase(client):
    running = CampaignFactory(name="冬送温暖")
    ended = CampaignFactory(
        name="夏送清凉",
        season=Season.SUMMER,
        start_date=timezone.localdate() - datetime.timedelta(days=200),
        end_date=timezone.localdate() - datetime.timedelta(days=110),
    )
    text = client.get("/campaigns/").content.decode()
    assert f'href="/campaigns/{running.pk}/"' in text and f'href="/campaigns/{ended.pk}/"' in text
    assert "进行中" in text and "已结束" in text
    assert client.get("/campaigns/987654/").status_code == 404


def test_the_campaign_page_costs_the_same_queries_however_many_wishes_and_projects(query_counter, client):
    campaign = CampaignFactory()
    community = CommunityFactory()

    def grow(n):
        WishFactory.create_batch(n, campaign=campaign, community=community, status=WishStatus.CLAIMED)
        ProjectFactory.create_batch(n, campaign=campaign)

    query_counter.flat(client, f"/campaigns/{campaign.pk}/", grow=grow, max_queries=8)


# --- the office defines campaigns -------------------------------------------------------------------------
def dates(days_from: int, days_to: int) -> dict:
    today = timezone.localdate()
    return {
        "start_date": today + datetime.timedelta(days=days_from),
        "end_date": today + datetime.timedelta(days=days_to),
    }


def test_the_office_creates_and_changes_a_campaign_with_its_record(admin_user):
    campaign = services.campaign_create(
        actor=admin_user, name="冬送温暖", season=Season.WINTER, theme="送棉被、取暖器", **dates(0, 80)
    )
    created = AuditEvent.objects.for_object(campaign).get()
    assert (created.verb, created.after["name"]) == ("campaign.create", "冬送温暖")
    services.campaign_update(
        actor=admin_user,
        campaign=campaign,
        name="冬送温暖",
        season=Season.WINTER,
        theme="送棉被、取暖器、年货",
        **dates(0, 89),
    )
    updated = AuditEvent.objects.for_object(campaign).filter(verb="campaign.update").get()
    assert set(updated.before) == {"theme", "end_date"}
    assert updated.after["theme"] == "送棉被、取暖器、年货"


def test_only_the_office_defines_campaigns_and_their_dates_must_make_sense(admin_user, supervisor):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=supervisor, name="冬送温暖", season=Season.WINTER, theme="x", **dates(0, 9)
        )
    with pytest.raises(ApplicationError) as refused:
        services.campaign_create(
            actor=admin_user, name="冬送温暖", season=Season.WINTER, theme="x", **dates(9, 0)
        )
    assert refused.value.fields["end_date"] == ["结束日期不能早于开始日期。"]
    assert not Campaign.objects.filter(theme="x").exists()


def test_the_api_creates_and_changes_campaigns_for_the_office_only(client_as):
    body = {"name": "春送岗位", "season": "spring", "theme": "春风行动系列招聘会", "description": ""}
    body |= {k: v.isoformat() for k, v in dates(0, 60).items()}
    assert (
        client_as("supervisor", api=True).post("/api/v1/campaigns/", body, format="json").status_code == 403
    )
    office = client_as("admin", api=True)
    created = office.post("/api/v1/campaigns/", body, format="json")
    assert created.status_code == 201 and created.json()["phase"] == "running"
    pk = created.json()["id"]
    bad = office.put(f"/api/v1/campaigns/{pk}/", body | {"end_date": "2000-01-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["fields"]["end_date"] == ["结束日期不能早于开始日期。"]
    changed = office.put(f"/api/v1/campaigns/{pk}/", body | {"theme": "送岗位上门"}, format="json")
    assert changed.status_code == 200 and changed.json()["theme"] == "送岗位上门"
    assert client_as("anonymous", api=True).get(f"/api/v1/campaigns/{pk}/").json()["name"] == "春送岗位"


# --- tagging ------------------------------------------------------------------------------------------------
def test_the_wishs_community_staff_tag_it_and_untag_it_with_its_record(community_staff, community):
    campaign = CampaignFactory()
    wish = WishFactory(community=community, title="冬天需要棉被")
    wish = wish_services.wish_tag_campaign(actor=community_staff, wish=wish, campaign=campaign)
    assert wish.campaign == campaign
    wish = wish_services.wish_tag_campaign(actor=community_staff, wish=wish, campaign=None)
    assert wish.campaign is None
    events = AuditEvent.objects.for_object(wish).filter(verb="wish.campaign").order_by("id")
    assert [(e.before, e.after, e.note) for e in events] == [
        ({"campaign": None}, {"campaign": campaign.pk}, "冬送温暖"),
        ({"campaign": campaign.pk}, {"campaign": None}, "移出四季活动"),
    ]


def test_another_communitys_staff_and_the_public_cannot_tag_a_wish(community, member, resident, supervisor):
    campaign = CampaignFactory()
    wish = WishFactory(community=community)
    other = UserFactory(roles=["community_staff"], community=CommunityFactory())
    for actor in (other, member, resident, supervisor, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            wish_services.wish_tag_campaign(actor=actor, wish=wish, campaign=campaign)
    wish.refresh_from_db()
    assert wish.campaign is None and not AuditEvent.objects.filter(verb="wish.campaign").exists()


def test_a_rejected_or_withdrawn_wish_is_not_tagged(community_staff, community):
    campaign = CampaignFactory()
    for status in (WishStatus.REJECTED, WishStatus.WITHDRAWN):
        with pytest.raises(ConflictError):
            wish_services.wish_tag_campaign(
                actor=community_staff, wish=WishFactory(community=community, status=status), campaign=campaign
            )


def test_the_wish_page_offers_tagging_to_its_staff_only(client_as, community, community_staff):
    campaign = CampaignFactory()
    wish = WishFactory(community=community)
    other = UserFactory(roles=["community_staff"], community=CommunityFactory())
    assert 'data-tag="campaign"' in client_as(community_staff).get(f"/wishes/{wish.code}/").content.decode()
    assert 'data-tag="campaign"' not in client_as(other).get(f"/wishes/{wish.code}/").content.decode()
    posted = client_as(community_staff).post(
        f"/wishes/{wish.code}/campaign/", {"campaign-campaign": campaign.pk}
    )
    assert posted.status_code == 302
    wish.refresh_from_db()
    assert wish.campaign == campaign
    assert (
        client_as(other).post(f"/wishes/{wish.code}/campaign/", {"campaign-campaign": ""}).status_code == 403
    )
    wish.refresh_from_db()
    assert wish.campaign == campaign
    assert campaign.name in client_as("anonymous").get(f"/wishes/{wish.code}/").content.decode()


def test_a_projects_lead_unit_or_the_office_tags_it_another_unit_cannot(unit_staff, unit, admin_user):
    campaign = CampaignFactory(name="春送岗位", season=Season.SPRING)
    project = ProjectFactory(lead_unit=unit)
    project = project_services.project_tag_campaign(actor=unit_staff, project=project, campaign=campaign)
    assert project.campaign == campaign
    other = UserFactory(roles=["unit_staff"], unit=UnitFactory())
    with pytest.raises(PermissionDenied):
        project_services.project_tag_campaign(actor=other, project=project, campaign=None)
    project_services.project_tag_campaign(actor=admin_user, project=project, campaign=None)
    project.refresh_from_db()
    assert project.campaign is None
    verbs = AuditEvent.objects.for_object(project).values_list("verb", "actor_id")
    assert list(verbs.order_by("id")) == [
        ("project.campaign", unit_staff.pk),
        ("project.campaign", admin_user.pk),
    ]


def test_the_project_manage_page_tags_the_project(client_as, unit_staff, unit):
    campaign = CampaignFactory()
    project = ProjectFactory(lead_unit=unit)
    client = client_as(unit_staff)
    assert (
        f'action="/projects/{project.code}/campaign/"'
        in client.get(f"/projects/{project.code}/manage/").content.decode()
    )
    assert client.post(f"/projects/{project.code}/campaign/", {"campaign": campaign.pk}).status_code == 302
    project.refresh_from_db()
    assert project.campaign == campaign
    assert campaign.name in client_as("anonymous").get(f"/projects/{project.code}/").content.decode()


# --- the API ------------------------------------------------------------------------------------------------
def test_the_api_lists_filter_by_campaign_and_show_it(client_as, community):
    campaign = CampaignFactory()
    tagged = WishFactory(community=community, campaign=campaign)
    WishFactory(community=community)
    project = ProjectFactory(campaign=campaign)
    ProjectFactory()
    api = client_as("anonymous", api=True)
    wishes = api.get(f"/api/v1/wishes/?campaign={campaign.pk}").json()["results"]
    assert [(w["code"], w["campaign"], w["campaign_name"]) for w in wishes] == [
        (tagged.code, campaign.pk, campaign.name)
    ]
    projects = api.get(f"/api/v1/projects/?campaign={campaign.pk}").json()["results"]
    assert [(p["code"], p["campaign"], p["campaign_name"]) for p in projects] == [
        (project.code, campaign.pk, campaign.name)
    ]
    assert api.get("/api/v1/wishes/?campaign=987654").status_code == 400


def test_the_api_tags_a_wish_for_its_community_staff_only(client_as, community, community_staff):
    campaign = CampaignFactory()
    wish = WishFactory(community=community)
    other = UserFactory(roles=["community_staff"], community=CommunityFactory())
    url = f"/api/v1/wishes/{wish.code}/campaign/"
    assert client_as(other, api=True).post(url, {"campaign": campaign.pk}, format="json").status_code == 403
    answer = client_as(community_staff, api=True).post(url, {"campaign": campaign.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["campaign"] == campaign.pk
    bad = client_as(community_staff, api=True).post(url, {"campaign": 987654}, format="json")
    assert bad.status_code == 400 and "campaign" in bad.json()["fields"]


def test_the_api_tags_a_project_for_its_lead_unit(client_as, unit, unit_staff):
    campaign = CampaignFactory()
    project = ProjectFactory(lead_unit=unit)
    url = f"/api/v1/projects/{project.code}/campaign/"
    answer = client_as(unit_staff, api=True).post(url, {"campaign": campaign.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["campaign_name"] == campaign.name


# --- the ten-day bulletin -------------------------------------------------------------------------------
def test_the_bulletin_reports_the_campaigns_running_in_its_period_with_their_figures(community):
    period = report_period(ReportKind.TENDAY, timezone.localdate() - datetime.timedelta(days=10))
    running = CampaignFactory(start_date=period.start - datetime.timedelta(days=30), end_date=period.start)
    later = CampaignFactory(
        name="春送岗位",
        start_date=period.end + datetime.timedelta(days=1),
        end_date=period.end + datetime.timedelta(days=60),
    )
    before_end = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time(10)))
    WishFactory(campaign=running, community=community, submitted_at=before_end, status=WishStatus.SUBMITTED)
    WishFactory(
        campaign=running,
        community=community,
        submitted_at=before_end,
        status=WishStatus.FULFILLED,
        claimed_by=MemberFactory(community=community),
        claimed_at=before_end,
        fulfilled_at=before_end,
    )
    WishFactory(campaign=running, community=community, submitted_at=timezone.now())  # after the period
    ProjectFactory(campaign=running)
    data = reports.build(ReportKind.TENDAY, period)
    reported = {c["id"]: c for c in data["campaigns"]}
    assert later.pk not in reported  # not yet running in the period
    # Those running in the period (the seeded seasons too, where one of this year's runs in it).
    assert set(reported) == set(
        Campaign.objects.overlapping(period.start, period.end).values_list("pk", flat=True)
    )
    reported = reported[running.pk]
    assert (reported["id"], reported["name"]) == (running.pk, "冬送温暖")
    assert (
        reported["wishes"]["received"],
        reported["wishes"]["claimed"],
        reported["wishes"]["fulfilled"],
    ) == (2, 1, 1)
    assert reported["projects"]["total"] == 1
    page = reports.render(ReportKind.TENDAY, data, report_title="通报")
    assert "八、四季活动" in page and f'href="/campaigns/{running.pk}/"' in page
    assert "活动收到微心愿 2 个，党员认领 1 个，已实现 1 个" in page


# --- the admin saves through the services ----------------------------------------------------------------
def test_the_admin_creates_and_changes_a_campaign_through_the_services(client_as):
    office = client_as(UserFactory(is_superuser=True, is_staff=True))
    today = timezone.localdate()
    body = {
        "name": "秋送助学",
        "season": "autumn",
        "theme": "开学季资助困难家庭学生",
        "description": "",
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=90)).isoformat(),
    }
    assert office.post("/admin/campaigns/campaign/add/", body).status_code == 302
    campaign = Campaign.objects.get(theme="开学季资助困难家庭学生")
    # The service's event (the admin's own ``admin.add`` beside it).
    assert AuditEvent.objects.for_object(campaign).filter(verb="campaign.create").count() == 1
    refused = office.post(
        f"/admin/campaigns/campaign/{campaign.pk}/change/", body | {"end_date": "2000-01-01"}
    )
    assert refused.status_code == 200 and "结束日期不能早于开始日期。" in refused.content.decode()
    too_long = body | {"end_date": (today + datetime.timedelta(days=400)).isoformat()}
    refused = office.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", too_long)
    assert refused.status_code == 200 and "一期活动最长 200 天。" in refused.content.decode()
    changed = body | {"theme": "为困难家庭学生送助学金和书包"}
    assert office.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", changed).status_code == 302
    campaign.refresh_from_db()
    assert campaign.theme == "为困难家庭学生送助学金和书包"
    assert AuditEvent.objects.for_object(campaign).filter(verb="campaign.update").count() == 1
    assert office.get(f"/admin/campaigns/campaign/{campaign.pk}/delete/").status_code == 403
