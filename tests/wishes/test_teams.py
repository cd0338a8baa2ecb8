"""Help teams (帮帮团, issue 19 item 4): the office sets them up; an urgent supplies wish that opens is routed
to the team covering it; the team's members alone claim it for WISH_TEAM_CLAIM_HOURS, after which anybody
may and it is flagged 超时未认领 — in the lists, the desk, the dashboard's alerts and the reports alike; the
team's queue is its members' (and the office's and supervisors'); the dashboard's team figures open lists of
the same number."""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from notifications.models import Notification
from tests.factories import CommunityFactory, MemberFactory, TownFactory, UserFactory
from tests.race import needs_postgresql, race
from tests.wishes.factories import HelpTeamFactory, WishFactory
from wishes import selectors, services
from wishes.choices import TeamKind, WishCategory, WishChannel, WishStatus
from wishes.models import HelpTeam, Wish

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2021, 6, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FIGURE = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*?data-figure="([^"]+)"')
COUNT = re.compile(r'data-count="([^"]+)"')


def entry(worker, community, *, urgent=True, category=WishCategory.SUPPLIES, channel=WishChannel.HOTLINE):
    """A wish community staff enter from a hotline call (open at once)."""
    return services.wish_create(
        actor=worker,
        community=community,
        channel=channel,
        title="代购米面油",
        text="居家隔离，家中米面快吃完了。",
        category=category,
        wisher_name="王秀英",
        wisher_phone="13952600000",
        urgent=urgent,
    )


def routed(team, *, hours_ago: float, community=None, **fields) -> Wish:
    """A wish routed to ``team``, open for ``hours_ago`` hours."""
    opened = timezone.now() - datetime.timedelta(hours=hours_ago)
    fields.setdefault("status", WishStatus.OPEN)
    return WishFactory(
        community=community or team.communities.first(),
        category=WishCategory.SUPPLIES,
        urgent=True,
        team=team,
        submitted_at=opened,
        opened_at=opened,
        **fields,
    )


@pytest.fixture
def worker(community):
    return UserFactory(roles=[Role.COMMUNITY_STAFF], community=community)


@pytest.fixture
def team_member(community):
    return MemberFactory(community=community, real_name="李红梅")


@pytest.fixture
def team(community, team_member):
    return HelpTeamFactory(
        name="城区临时党支部", kind=TeamKind.BRANCH, communities=[community], members=[team_member]
    )


# --- the office's teams ------------------------------------------------------------------------------------
def test_the_office_sets_up_a_team_of_party_members_audited(admin_user, community, team_member):
    team = services.help_team_save(
        actor=admin_user,
        kind=TeamKind.HELP,
        name="天目社区生活帮帮团",
        communities=[community],
        categories=[WishCategory.SUPPLIES],
        members=[team_member],
    )
    assert list(team.members.all()) == [team_member] and list(team.communities.all()) == [community]
    event = AuditEvent.objects.get(verb="help_team.save")
    assert event.after["members"] == ["李红梅"] and event.before is None
    # A change records what changed, and saving the same again records nothing.
    town = community.town
    services.help_team_save(
        actor=admin_user, team=team, kind=TeamKind.HELP, name="天目社区生活帮帮团", town=town,
        categories=[WishCategory.SUPPLIES], members=[team_member],
    )  # fmt: skip
    changed = AuditEvent.objects.filter(verb="help_team.save").latest("id")
    assert changed.after == {"town": town.pk, "communities": []}
    assert changed.before == {"town": None, "communities": [str(community)]}
    services.help_team_save(
        actor=admin_user, team=team, kind=TeamKind.HELP, name="天目社区生活帮帮团", town=town,
        categories=[WishCategory.SUPPLIES], members=[team_member],
    )  # fmt: skip
    assert AuditEvent.objects.filter(verb="help_team.save").count() == 2


def test_a_team_needs_party_members_a_range_and_a_category_and_the_office(
    admin_user, supervisor, community, resident, team_member
):
    base = {"kind": TeamKind.HELP, "name": "帮帮团", "communities": [community], "categories": ["supplies"]}
    with pytest.raises(PermissionDenied):
        services.help_team_save(actor=supervisor, **base)
    with pytest.raises(ApplicationError) as refused:
        services.help_team_save(actor=admin_user, **base, members=[team_member, resident])
    assert "members" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        services.help_team_save(actor=admin_user, **{**base, "communities": []})
    assert "communities" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        services.help_team_save(actor=admin_user, **{**base, "categories": []})
    assert "categories" in refused.value.fields
    services.help_team_save(actor=admin_user, **base)
    with pytest.raises(ApplicationError) as refused:
        services.help_team_save(actor=admin_user, **base)
    assert "name" in refused.value.fields
    assert HelpTeam.objects.count() == 1


def test_the_office_sets_up_a_team_on_its_page_and_in_the_api(client_as, community, team_member):
    office = client_as("admin")
    data = {
        "kind": "help", "name": "天目社区生活帮帮团", "communities": [community.pk],
        "categories": ["supplies"], "members": [team_member.pk], "active": "on",
    }  # fmt: skip
    answer = office.post("/wishes/teams/", data)
    team = HelpTeam.objects.get()
    assert answer.status_code == 302 and answer.url == f"/wishes/teams/{team.pk}/"
    refused = office.post("/wishes/teams/", {**data, "name": "另一个", "members": [UserFactory().pk]})
    assert refused.status_code == 400 and HelpTeam.objects.count() == 1
    api = client_as("admin", api=True)
    made = api.post(
        "/api/v1/help-teams/",
        {**data, "name": "镇生活帮帮团", "active": True, "town": community.town_id},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["members"] == [{"id": team_member.pk, "name": team_member.display_name}]
    changed = api.put(
        f"/api/v1/help-teams/{made.json()['id']}/",
        {**data, "name": "镇生活帮帮团", "active": False},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    bad = api.post("/api/v1/help-teams/", {**data, "name": "错", "categories": ["nonsense"]}, format="json")
    assert bad.status_code == 400 and "categories" in bad.json()["fields"]
    assert (
        client_as("supervisor", api=True).post("/api/v1/help-teams/", data, format="json").status_code == 403
    )


# --- routing -----------------------------------------------------------------------------------------------
def test_an_urgent_supplies_wish_entered_by_staff_is_routed_to_the_team_and_its_members_told(
    worker, community, team, team_member
):
    wish = entry(worker, community)
    assert wish.status == WishStatus.OPEN and wish.team == team
    event = AuditEvent.objects.get(verb="wish.route")
    assert event.after == {"status": "open", "team": team.pk} and event.actor == worker
    assert Notification.objects.filter(recipient=team_member, reason="wish.routed").count() == 1
    # Not urgent, or not supplies: the ordinary board.
    assert entry(worker, community, urgent=False).team is None
    assert entry(worker, community, urgent=False, category=WishCategory.REPAIR).team is None


def test_an_urgent_supplies_wish_is_routed_when_approved_and_not_while_it_waits(
    worker, community, team, resident
):
    wish = services.wish_create(
        actor=resident, community=community, channel=WishChannel.ONLINE, title="代买蔬菜", text="居家隔离。",
        category=WishCategory.SUPPLIES, wisher_name="张桂兰", wisher_phone="13952600001", urgent=True,
    )  # fmt: skip
    assert wish.status == WishStatus.SUBMITTED and wish.team is None
    wish = services.wish_approve(actor=worker, wish=wish)
    wish.refresh_from_db()
    assert wish.team == team
    # Released and opened again, it stays the team's (one route event).
    member = team.members.get()
    services.wish_claim(actor=member, wish=wish)
    services.wish_release(actor=member, wish=wish, reason="临时出差")
    wish.refresh_from_db()
    assert wish.team == team and AuditEvent.objects.filter(verb="wish.route").count() == 1


def test_the_team_that_names_the_community_comes_before_the_towns_then_the_first_set_up(community):
    town_team = HelpTeamFactory(name="镇生活帮帮团")
    town_team.town = community.town
    town_team.save()
    neighbour = CommunityFactory(town=community.town)
    assert selectors.team_for(community=community, category="supplies") == town_team
    first = HelpTeamFactory(name="社区帮帮团一", communities=[community])
    HelpTeamFactory(name="社区帮帮团二", communities=[community])
    assert selectors.team_for(community=community, category="supplies") == first
    assert selectors.team_for(community=neighbour, category="supplies") == town_team
    assert selectors.team_for(community=CommunityFactory(town=TownFactory()), category="supplies") is None
    # Inactive teams and teams not taking the category are passed over.
    first.active = False
    first.save()
    assert selectors.team_for(community=community, category="supplies").name == "社区帮帮团二"
    assert selectors.team_for(community=community, category="repair") is None


# --- the shorter limit --------------------------------------------------------------------------------------
@time_machine.travel(NOON, tick=False)
def test_a_routed_wish_is_flagged_after_the_teams_hours_in_lists_desk_alerts_and_reports(
    settings, team, community, worker, client_as
):
    settings.WISH_TEAM_CLAIM_HOURS = 4
    late, early = routed(team, hours_ago=5), routed(team, hours_ago=2)
    ordinary = WishFactory(
        community=community,
        opened_at=timezone.now() - datetime.timedelta(hours=30),
        submitted_at=timezone.now(),
    )
    assert (late.is_flagged, early.is_flagged, ordinary.is_flagged) == (True, False, False)
    now = timezone.now()
    assert set(Wish.objects.unclaimed_flagged(now)) == {late}
    assert selectors.alert_counts(at=now)["unclaimed"] == 1
    assert selectors.community_alert_counts(at=now)[0]["unclaimed"] == 1
    assert [w.pk for w in selectors.manage_queues(user=worker)["flagged"]] == [late.pk]
    # A report of today, read at its end: the early one's hours have run out by then too.
    assert selectors.alert_counts(on=timezone.localdate())["unclaimed"] == 2
    board = client_as("supervisor").get("/wishes/", {"status": "", "flagged": "true"})
    assert [w.pk for w in board.context["page_obj"]] == [late.pk]
    assert "超时未认领" in client_as("supervisor").get(f"/wishes/{late.code}/").content.decode()
    api = client_as("supervisor", api=True).get(f"/api/v1/wishes/{late.code}/").json()
    assert api["is_flagged"] is True and api["team"] == team.pk


# --- who may claim and when ---------------------------------------------------------------------------------
def test_only_the_team_claims_within_its_hours_then_anybody(settings, team, team_member, member):
    settings.WISH_TEAM_CLAIM_HOURS = 4
    wish = routed(team, hours_ago=1)
    with pytest.raises(PermissionDenied) as refused:
        services.wish_claim(actor=member, wish=wish)
    assert "城区临时党支部" in str(refused.value)
    assert services.wish_claim(actor=team_member, wish=wish).claimed_by == team_member
    later = routed(team, hours_ago=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3, minutes=1), tick=False):
        assert services.wish_claim(actor=member, wish=later).claimed_by == member


def test_a_team_member_claims_under_the_ordinary_rules(settings, team, team_member):
    settings.WISH_MAX_OPEN_CLAIMS = 1
    routed(team, hours_ago=1, status=WishStatus.CLAIMED, claimed_by=team_member)
    with pytest.raises(ConflictError) as refused:
        services.wish_claim(actor=team_member, wish=routed(team, hours_ago=1))
    assert refused.value.code == "claim_limit"
    settings.WISH_MAX_OPEN_CLAIMS = 3
    with pytest.raises(ApplicationError):
        services.wish_claim(actor=team_member, wish=routed(team, hours_ago=1, submitted_by=team_member))


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_teams_members_claiming_at_once_give_one_claim_and_outsiders_none(community):
    members = [MemberFactory(community=community) for _ in range(6)]
    outsiders = [MemberFactory(community=community) for _ in range(4)]
    team = HelpTeamFactory(communities=[community], members=members)
    wish = routed(team, hours_ago=1)
    results, errors = race([lambda m=m: services.wish_claim(actor=m, wish=wish) for m in members + outsiders])
    assert len(results) == 1 and results[0].claimed_by in members
    # An outsider finds it claimed already, or still in the team's hours: refused either way.
    assert len(errors) == 9 and {type(e) for e in errors} <= {ConflictError, PermissionDenied}
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED and wish.claimed_by in members
    alone = routed(team, hours_ago=1)
    results, errors = race([lambda m=m: services.wish_claim(actor=m, wish=alone) for m in outsiders])
    assert results == [] and all(type(e) is PermissionDenied for e in errors)
    alone.refresh_from_db()
    assert alone.status == WishStatus.OPEN


# --- the queue and who sees it ------------------------------------------------------------------------------
def test_the_queue_is_the_teams_members_and_the_offices(client_as, team, team_member, member, community):
    waiting, claimed = routed(team, hours_ago=1), routed(team, hours_ago=9, status=WishStatus.CLAIMED)
    WishFactory(community=community)  # not routed
    page = client_as(team_member).get(f"/wishes/teams/{team.pk}/")
    assert page.status_code == 200
    assert [w.pk for w in page.context["page_obj"]] == [waiting.pk, claimed.pk]
    assert "李红梅" in page.content.decode() and "前由团队成员认领" in page.content.decode()
    assert client_as(member).get(f"/wishes/teams/{team.pk}/").status_code == 404
    assert client_as("supervisor").get(f"/wishes/teams/{team.pk}/").status_code == 200
    assert client_as("community_staff").get(f"/wishes/teams/{team.pk}/").status_code == 403
    api = client_as(team_member, api=True)
    rows = api.get(f"/api/v1/help-teams/{team.pk}/queue/").json()["results"]
    assert [r["code"] for r in rows] == [waiting.code, claimed.code]
    assert rows[0]["actions"] == ["claim"] and rows[0]["wisher_phone"] != waiting.wisher_phone
    assert client_as(member, api=True).get(f"/api/v1/help-teams/{team.pk}/queue/").status_code == 404
    assert [t["id"] for t in api.get("/api/v1/help-teams/").json()["results"]] == [team.pk]
    assert client_as(member, api=True).get("/api/v1/help-teams/").json()["results"] == []
    work = {k["kind"]: k for k in api.get("/api/v1/me/").json()["work"]}["team_wishes_to_claim"]
    assert work["count"] == 1 and work["items"][0]["key"] == waiting.code
    assert "城区临时党支部" in client_as(team_member).get("/wishes/teams/").content.decode()
    assert "城区临时党支部" not in client_as(member).get("/wishes/teams/").content.decode()


def _grow(team, community):
    def grow(n):
        for i in range(n):
            routed(team, hours_ago=1 + i % 6, status=WishStatus.CLAIMED if i % 3 == 0 else WishStatus.OPEN)
            team.members.add(MemberFactory(community=community))

    return grow


@pytest.mark.parametrize(
    "url", ["/wishes/teams/{pk}/", "/api/v1/help-teams/{pk}/queue/", "/wishes/teams/", "/api/v1/help-teams/"]
)
def test_the_team_pages_are_flat(query_counter, client_as, team, team_member, community, settings, url):
    settings.PAGE_CACHE_SECONDS = 0
    client = client_as(team_member, api=url.startswith("/api/"))
    query_counter.flat(client, url.format(pk=team.pk), grow=_grow(team, community), max_queries=30)


# --- the dashboard ------------------------------------------------------------------------------------------
def test_the_dashboards_team_figures_open_lists_of_the_same_number(
    settings, client_as, team, team_member, community
):
    settings.WISH_TEAM_CLAIM_HOURS = 4
    routed(team, hours_ago=1)
    routed(team, hours_ago=6)
    routed(team, hours_ago=7)
    claimed = routed(team, hours_ago=3, status=WishStatus.CLAIMED, claimed_by=team_member)
    Wish.objects.filter(pk=claimed.pk).update(claimed_at=claimed.opened_at + datetime.timedelta(hours=2))
    done = routed(team, hours_ago=30, status=WishStatus.FULFILLED)
    Wish.objects.filter(pk=done.pk).update(
        claimed_at=done.opened_at + datetime.timedelta(hours=1), fulfilled_at=timezone.now()
    )
    HelpTeamFactory(name="镇生活帮帮团", communities=[CommunityFactory()])  # no wishes yet: zeros
    client = client_as("supervisor")
    page = client.get("/dashboard/").content.decode()
    section = page.split("帮帮团（急需生活物资派单）", 1)[1].split("</section>", 1)[0]
    assert "城区临时党支部" in section and "镇生活帮帮团" in section
    figures = FIGURE.findall(section)
    assert len(figures) == 8
    assert [int(n) for _href, n in figures[:4]] == [5, 2, 1, 2]  # routed, claimed, fulfilled, overdue
    assert "1.5 小时" in section  # the median of 2 h and 1 h
    for href, figure in figures:
        body = client.get(html.unescape(href)).content.decode()
        count = COUNT.search(body)
        assert count and count[1] == figure, (href, figure)
    rows = selectors.team_figures(at=timezone.now())
    assert rows[0]["median_claim"] == datetime.timedelta(hours=1, minutes=30)


def test_the_wish_page_names_the_team_and_the_end_of_its_hours(settings, client_as, team):
    settings.WISH_TEAM_CLAIM_HOURS = 4
    wish = routed(team, hours_ago=1)
    page = client_as("anonymous").get(f"/wishes/{wish.code}/").content.decode()
    ends = timezone.localtime(wish.team_window_ends)
    assert "城区临时党支部" in page and f"{ends:%m-%d %H:%M} 前由团队成员认领" in page
    assert "帮帮团优先认领" in page
    late = routed(team, hours_ago=5)
    page = client_as("anonymous").get(f"/wishes/{late.code}/").content.decode()
    assert "前由团队成员认领" not in page and "超时未认领" in page
