"""Leaders' contact points (issue 19, item 7): each leader (四套班子成员) is a person with their own places;
a visit counts for each leader who took part, at that leader's own places; the dashboard shows, per
leader, places, visits this month and the places not visited this month, each opening a list of the
same count; the office records leaders and assigns places (audited, race-safe), supervisors read."""

import datetime
import html
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from supervision import selectors, services
from supervision.choices import LeadingBody
from supervision.models import ContactPoint, Leader
from tests.factories import CommunityFactory, UnitFactory, UserFactory
from tests.race import needs_postgresql, race
from tests.supervision.conftest import at
from tests.supervision.factories import ContactPointFactory, InspectionFactory, LeaderFactory

pytestmark = pytest.mark.django_db
JUNE_20 = at(2021, 6, 20)


def _figures(on=datetime.date(2021, 6, 20)) -> dict[str, dict]:
    return {row["leader"].user.username: row for row in selectors.leader_figures(on=on)}


@pytest.fixture
def two_leaders(db):
    """A secretary and a mayor sharing a village; each with a place of their own."""
    village, school, factory = CommunityFactory(name="河横村"), UnitFactory(name="区教育局"), UnitFactory()
    secretary = LeaderFactory(user__username="sec", title="区委书记", body=LeadingBody.COMMITTEE, rank=1)
    mayor = LeaderFactory(user__username="mayor", title="区长", body=LeadingBody.GOVERNMENT, rank=2)
    points = {
        "sec_village": ContactPointFactory(leader=secretary, community=village),
        "sec_school": ContactPointFactory(leader=secretary, unit=school),
        "mayor_village": ContactPointFactory(leader=mayor, community=village),
        "mayor_factory": ContactPointFactory(leader=mayor, unit=factory),
    }
    return {"secretary": secretary, "mayor": mayor, "village": village, "school": school, **points}


def test_a_joint_visit_counts_for_each_leader_who_took_part_at_their_own_places(two_leaders):
    w = two_leaders
    sec, mayor = w["secretary"].user, w["mayor"].user
    with time_machine.travel(JUNE_20, tick=False):
        # Together at the village they share: a visit of each.
        InspectionFactory(recorded_by=sec, inspectors=[sec, mayor], communities=[w["village"]])
        # The mayor at the secretary's school: no place of the mayor's, and the secretary was not there.
        InspectionFactory(recorded_by=mayor, units=[w["school"]])
        # The secretary at the school last month: not this month's.
        InspectionFactory(recorded_by=sec, date=datetime.date(2021, 5, 30), units=[w["school"]])
        # The roving guidance group at the mayor's factory, without the mayor.
        InspectionFactory(units=[w["mayor_factory"].unit])
        figures = _figures()
    assert {k: (v["places"], v["visits"], v["unvisited"]) for k, v in figures.items()} == {
        "sec": (2, 1, 1),
        "mayor": (2, 1, 1),
    }
    assert [p.pk for p in figures["sec"]["unvisited_places"]] == [w["sec_school"].pk]
    assert [p.pk for p in figures["mayor"]["unvisited_places"]] == [w["mayor_factory"].pk]
    assert list(selectors.leader_list()) == [w["secretary"], w["mayor"]]  # order of precedence


def test_one_inspection_at_two_of_a_leaders_places_is_one_visit_and_visits_both(two_leaders):
    w = two_leaders
    sec = w["secretary"].user
    with time_machine.travel(JUNE_20, tick=False):
        InspectionFactory(recorded_by=sec, communities=[w["village"]], units=[w["school"]])
        figures = _figures()
        visits = selectors.leader_visits(leader=w["secretary"], on=datetime.date(2021, 6, 20))
    assert (figures["sec"]["visits"], figures["sec"]["unvisited"]) == (1, 0)
    assert visits.count() == 1


def test_a_visit_in_the_future_or_before_the_month_does_not_count(two_leaders):
    w = two_leaders
    sec = w["secretary"].user
    InspectionFactory(recorded_by=sec, date=datetime.date(2021, 6, 21), communities=[w["village"]])
    InspectionFactory(recorded_by=sec, date=datetime.date(2021, 5, 31), communities=[w["village"]])
    assert _figures()["sec"]["visits"] == 0 and _figures()["sec"]["unvisited"] == 2
    assert _figures(on=datetime.date(2021, 6, 21))["sec"]["visits"] == 1


# --- the dashboard and the lists its figures open ---------------------------------------------------------
FIGURE = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*?data-figure="([^"]+)"')


def test_the_dashboard_shows_each_leader_and_every_figure_opens_a_list_of_that_count(
    two_leaders, client_as, supervisor
):
    w = two_leaders
    sec, mayor = w["secretary"].user, w["mayor"].user
    InspectionFactory(recorded_by=sec, inspectors=[sec, mayor], communities=[w["village"]])
    InspectionFactory(recorded_by=mayor, units=[w["school"]])
    client = client_as("supervisor")
    page = client.get("/dashboard/").content.decode()
    section = page.split("领导干部基层联系点", 1)[1].split("</section>", 1)[0]
    assert "区委书记" in section and "区长" in section and "区教育局" in section
    figures = FIGURE.findall(section)
    assert len(figures) == 6  # places and visits of both, and one unvisited place each
    for href, figure in [*figures, *FIGURE.findall(page.split('class="grid four', 1)[1].split("</div>")[0])]:
        body = client.get(html.unescape(href)).content.decode()
        count = re.search(r'data-count="([^"]+)"', body)
        assert count and count[1] == figure, (href, figure)
    unvisited = client.get("/contact-points/", {"leader": w["secretary"].pk, "visited": "false"})
    assert [p.pk for p in unvisited.context["page_obj"]] == [w["sec_school"].pk]


def test_the_leaders_page_lists_their_figures_and_the_office_records_a_leader(client_as, admin_user):
    governor = UserFactory(roles=[Role.SUPERVISOR], real_name="赵文华")
    office = client_as("admin")
    response = office.post(
        "/leaders/", {"user": governor.pk, "body": LeadingBody.CPPCC, "title": "区政协主席", "rank": 4}
    )
    assert response.status_code == 302
    leader = Leader.objects.get(user=governor)
    assert (leader.title, leader.body, leader.rank) == ("区政协主席", LeadingBody.CPPCC, 4)
    page = client_as("supervisor").get("/leaders/").content.decode()
    assert "赵文华" in page and "区政协主席" in page and "登记联系领导" not in page
    assert client_as("supervisor").post("/leaders/", {"user": governor.pk}).status_code == 403
    assert client_as("unit_staff").get("/leaders/").status_code == 403
    clerk = UserFactory(roles=[Role.UNIT_STAFF])
    refused = office.post("/leaders/", {"user": clerk.pk, "body": "cppcc", "title": "主席", "rank": 1})
    assert refused.status_code == 400 and not Leader.objects.filter(user=clerk).exists()


def test_the_visits_list_is_filtered_by_the_leaders_own_places(two_leaders, client_as):
    w = two_leaders
    sec, mayor = w["secretary"].user, w["mayor"].user
    joint = InspectionFactory(recorded_by=sec, inspectors=[sec, mayor], communities=[w["village"]])
    InspectionFactory(recorded_by=mayor, units=[w["school"]])
    for api in (False, True):
        client = client_as("supervisor", api=api)
        url = "/api/v1/inspections/" if api else "/inspections/"
        response = client.get(url, {"leader": w["mayor"].pk})
        found = (
            [i["id"] for i in response.json()["results"]]
            if api
            else [i.pk for i in response.context["page_obj"]]
        )
        assert found == [joint.pk]


# --- writes: the office only, audited, race-safe ----------------------------------------------------------


def test_recording_a_leader_is_the_offices_audited_and_changes_the_post_in_place(admin_user, supervisor):
    with pytest.raises(PermissionDenied):
        services.leader_appoint(actor=supervisor, user=supervisor, body="committee", title="区委书记")
    with pytest.raises(ApplicationError):
        services.leader_appoint(actor=admin_user, user=UserFactory(), body="committee", title="区委书记")
    with pytest.raises(ApplicationError):
        services.leader_appoint(actor=admin_user, user=supervisor, body="party", title="区委书记")
    with pytest.raises(ApplicationError):
        services.leader_appoint(actor=admin_user, user=supervisor, body="committee", title=" ")
    leader = services.leader_appoint(actor=admin_user, user=supervisor, body="government", title="副区长")
    again = services.leader_appoint(
        actor=admin_user, user=supervisor, body="government", title="区委副书记、区长", rank=2
    )
    services.leader_appoint(
        actor=admin_user, user=supervisor, body="government", title="区委副书记、区长", rank=2
    )
    assert again.pk == leader.pk and Leader.objects.count() == 1
    events = list(AuditEvent.objects.for_object(leader).order_by("id"))
    assert [(e.verb, e.actor_id) for e in events] == [("leader.appoint", admin_user.pk)] * 2
    assert events[1].before == {"body": "government", "title": "副区长", "rank": 100}
    assert events[1].after == {"body": "government", "title": "区委副书记、区长", "rank": 2}


def test_assigning_and_ending_a_contact_point_is_audited(admin_user):
    leader, community = LeaderFactory(), CommunityFactory()
    point = services.contact_point_assign(
        actor=admin_user, leader=leader, community=community, since=datetime.date(2021, 5, 1)
    )
    assigned = AuditEvent.objects.for_object(point).get(verb="contact_point.assign")
    assert assigned.after == {
        "leader": leader.pk,
        "community": community.pk,
        "unit": None,
        "since": "2021-05-01",
    }
    services.contact_point_remove(actor=admin_user, contact_point=point)
    removed = AuditEvent.objects.filter(verb="contact_point.remove").get()
    assert removed.before == {"leader": leader.pk, "community": community.pk, "unit": None}
    assert not ContactPoint.objects.exists()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_assignments_of_one_place_to_one_leader_leave_one_point():
    office = UserFactory(roles=[Role.ADMIN], is_staff=True)
    leader, unit = LeaderFactory(), UnitFactory()
    results, errors = race(
        [lambda: services.contact_point_assign(actor=office, leader=leader, unit=unit) for _ in range(5)]
    )
    assert len(results) == 1 and len(errors) == 4 and all(isinstance(e, ConflictError) for e in errors)
    assert ContactPoint.objects.filter(leader=leader, unit=unit).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_recordings_of_one_leader_leave_one_leader():
    office = UserFactory(roles=[Role.ADMIN], is_staff=True)
    person = UserFactory(roles=[Role.SUPERVISOR])
    results, errors = race(
        [
            lambda n=n: services.leader_appoint(actor=office, user=person, body="committee", title=f"职务{n}")
            for n in range(5)
        ]
    )
    assert errors == [] and len({r.pk for r in results}) == 1
    assert Leader.objects.filter(user=person).count() == 1


# --- lists stay flat ---------------------------------------------------------------------------------------


def _grow(leader):
    def grow(n: int) -> None:
        for _ in range(n):
            other = LeaderFactory()
            village, unit = CommunityFactory(), UnitFactory()
            ContactPointFactory(leader=leader, community=village)
            ContactPointFactory(leader=other, unit=unit)
            InspectionFactory(
                recorded_by=leader.user, inspectors=[leader.user, other.user], communities=[village]
            )

    return grow


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("supervisor", "/leaders/"),
        ("admin", "/leaders/"),
        ("supervisor", "/contact-points/?leader={pk}&visited=false"),
        ("supervisor", "/inspections/?leader={pk}"),
        ("supervisor", "/api/v1/inspections/?leader={pk}"),
        ("supervisor", "/api/v1/leaders/"),
        ("supervisor", "/api/v1/contact-points/?leader={pk}&visited=false"),
        ("supervisor", "/dashboard/"),
    ],
)
def test_the_leaders_lists_are_flat(query_counter, client_as, settings, who, url):
    settings.PAGE_CACHE_SECONDS = 0
    leader = LeaderFactory()
    query_counter.flat(
        client_as(who), url.format(pk=leader.pk), grow=_grow(leader), small=2, large=8, max_queries=60
    )


# --- the migration: the old supervisor-held points become their leader's ---------------------------------
BEFORE = [("supervision", "0002_order_returned_and_close_note")]
AFTER = [("supervision", "0003_leaders_hold_contact_points")]


@pytest.fixture
def migrator():
    yield MigrationExecutor(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_points_a_supervisor_held_become_that_persons_as_a_leader(migrator):
    migrator.migrate(BEFORE)
    old = migrator.loader.project_state(BEFORE).apps
    # Only supervision goes back: the accounts tables are today's, and so are their models.
    user, village = UserFactory(roles=[Role.SUPERVISOR], real_name="王建国"), CommunityFactory()
    old.get_model("supervision", "ContactPoint").objects.create(
        supervisor_id=user.pk, community_id=village.pk, since=datetime.date(2021, 5, 1)
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    point = new.get_model("supervision", "ContactPoint").objects.select_related("leader").get()
    assert point.leader.user_id == user.pk and point.community_id == village.pk


def test_a_leader_finds_their_own_points_a_click_away(two_leaders, client_as):
    w = two_leaders
    page = client_as(w["secretary"].user).get("/contact-points/").content.decode()
    assert f'href="?leader={w["secretary"].pk}"' in page
    own = client_as(w["secretary"].user).get("/contact-points/", {"leader": w["secretary"].pk})
    assert {p.pk for p in own.context["page_obj"]} == {w["sec_village"].pk, w["sec_school"].pk}
    assert "?leader=" not in client_as("supervisor").get("/contact-points/").content.decode().split("筛选")[0]


# --- the API: the same figures, lists and writes as the pages ---------------------------------------------


def test_the_api_lists_the_leaders_figures_and_their_points_as_the_pages_do(two_leaders, client_as):
    w = two_leaders
    sec, mayor = w["secretary"].user, w["mayor"].user
    InspectionFactory(recorded_by=sec, inspectors=[sec, mayor], communities=[w["village"]])
    api = client_as("supervisor", api=True)
    leaders = api.get("/api/v1/leaders/").json()["results"]
    assert [(r["title"], r["places"], r["visits"], r["unvisited"]) for r in leaders] == [
        ("区委书记", 2, 1, 1),
        ("区长", 2, 1, 1),
    ]
    points = api.get("/api/v1/contact-points/", {"leader": w["secretary"].pk, "visited": "false"}).json()
    assert [p["id"] for p in points["results"]] == [w["sec_school"].pk] and points["count"] == 1
    assert points["results"][0]["place"] == "区教育局" and points["results"][0]["visited"] is False
    assert client_as("unit_staff", api=True).get("/api/v1/contact-points/").status_code == 403


def test_the_office_records_leaders_and_assigns_and_ends_points_through_the_api(client_as, admin_user):
    person, village = UserFactory(roles=[Role.SUPERVISOR], real_name="刘永康"), CommunityFactory()
    office = client_as("admin", api=True)
    made = office.post(
        "/api/v1/leaders/",
        {"user": person.pk, "body": "congress", "title": "区人大常委会主任"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["places"] == 0
    leader = made.json()["id"]
    point = office.post("/api/v1/contact-points/", {"leader": leader, "community": village.pk}, format="json")
    assert point.status_code == 201 and point.json()["leader_name"] == "刘永康"
    twice = office.post("/api/v1/contact-points/", {"leader": leader, "community": village.pk}, format="json")
    assert twice.status_code == 409
    neither = office.post("/api/v1/contact-points/", {"leader": leader}, format="json")
    assert neither.status_code == 400
    supervisor = client_as("supervisor", api=True)
    assert supervisor.delete(f"/api/v1/contact-points/{point.json()['id']}/").status_code == 403
    assert supervisor.post("/api/v1/leaders/", {}, format="json").status_code == 403
    assert office.delete(f"/api/v1/contact-points/{point.json()['id']}/").status_code == 204
    assert not ContactPoint.objects.exists()
    assert AuditEvent.objects.filter(verb="contact_point.remove").count() == 1
