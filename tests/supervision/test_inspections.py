"""Inspections (巡回指导) and leaders' contact points (基层联系点): an inspection there with the leader
among its inspectors is a visit; the dashboard shows the points not visited this month."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.roles import Role
from supervision import selectors, services
from supervision.choices import InspectionKind
from supervision.models import ContactPoint, Inspection
from tests.factories import CommunityFactory, UnitFactory, UserFactory
from tests.matrix import assert_write, expect
from tests.projects.conftest import png
from tests.projects.factories import ProjectFactory
from tests.supervision.conftest import at
from tests.supervision.factories import ContactPointFactory, InspectionFactory, LeaderFactory

pytestmark = pytest.mark.django_db


def test_a_supervisor_records_an_inspection_with_projects_places_and_photos(supervisor, community):
    colleague = UserFactory(roles=[Role.SUPERVISOR])
    project = ProjectFactory()
    inspection = services.inspection_record(
        actor=supervisor,
        kind=InspectionKind.FORUM,
        date=timezone.localdate(),
        places="天目社区党群服务中心",
        findings="群众希望延长助餐点供餐时间。",
        inspectors=[colleague],
        projects=[project],
        communities=[community],
        photos=[png()],
    )
    assert set(inspection.inspectors.all()) == {supervisor, colleague}
    assert list(inspection.projects.all()) == [project] and inspection.photos.count() == 1


@pytest.mark.parametrize(
    "change,field",
    [
        ({"kind": "party"}, "kind"),
        ({"findings": ""}, "findings"),
        ({"date": datetime.date(2999, 1, 1)}, "date"),
        ({"places": ""}, "places"),
    ],
)
def test_a_bad_inspection_is_refused_with_the_field(supervisor, change, field):
    fields = {
        "kind": InspectionKind.FIELD_VISIT,
        "date": timezone.localdate(),
        "places": "x",
        "findings": "y",
    }
    with pytest.raises(ApplicationError) as error:
        services.inspection_record(actor=supervisor, **{**fields, **change})
    assert field in error.value.fields and not Inspection.objects.exists()


def test_only_supervisors_inspect_and_only_with_supervisors(supervisor, unit_staff):
    fields = {
        "kind": InspectionKind.FIELD_VISIT,
        "date": timezone.localdate(),
        "places": "x",
        "findings": "y",
    }
    with pytest.raises(PermissionDenied):
        services.inspection_record(actor=unit_staff, **fields)
    with pytest.raises(ApplicationError) as error:
        services.inspection_record(actor=supervisor, inspectors=[unit_staff], **fields)
    assert "inspectors" in error.value.fields


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor="ok", admin="ok"))
def test_who_records_an_inspection_on_the_page(client_as, community, role, expected):
    data = {
        "kind": InspectionKind.FIELD_VISIT,
        "date": timezone.localdate().isoformat(),
        "places": "天目社区",
        "findings": "楼道灯已修好。",
        "communities": [community.pk],
        "project_codes": "",
    }
    assert_write(
        lambda: client_as(role).post("/inspections/new/", data),
        expected=expected,
        verb="inspection.record",
        state=lambda: Inspection.objects.count(),
    )


def test_the_inspection_form_names_unknown_project_codes(client_as):
    response = client_as("supervisor").post(
        "/inspections/new/",
        {
            "kind": "forum",
            "date": timezone.localdate(),
            "places": "x",
            "findings": "y",
            "project_codes": "JY0-1",
        },
    )
    assert response.status_code == 400 and "JY0-1" in response.content.decode()


def test_an_inspection_offers_to_issue_an_order_from_its_finding(client_as, supervisor):
    project = ProjectFactory()
    inspection = InspectionFactory(recorded_by=supervisor)
    inspection.projects.set([project])
    page = client_as("supervisor").get(f"/inspections/{inspection.pk}/").content.decode()
    assert f"/orders/new/?inspection={inspection.pk}&amp;project={project.code}" in page
    form = client_as("supervisor").get(f"/orders/new/?inspection={inspection.pk}&project={project.code}")
    assert form.context["form"].initial["inspection"] == str(inspection.pk)


# --- contact points ------------------------------------------------------------------------------------


def test_a_contact_point_is_visited_by_an_inspection_there_with_its_leader_this_month(supervisor):
    village, office, elsewhere = CommunityFactory(), UnitFactory(), CommunityFactory()
    leader, colleague = LeaderFactory(user=supervisor), LeaderFactory()
    visited_village = ContactPointFactory(leader=leader, community=village)
    unvisited_unit = ContactPointFactory(leader=leader, unit=office)
    colleague_point = ContactPointFactory(leader=colleague, community=village)
    with time_machine.travel(at(2021, 6, 20), tick=False):
        InspectionFactory(recorded_by=supervisor, date=datetime.date(2021, 6, 3), communities=[village])
        # Last month at the unit; this month elsewhere; this month at the unit without its leader.
        InspectionFactory(recorded_by=supervisor, date=datetime.date(2021, 5, 28), units=[office])
        InspectionFactory(recorded_by=supervisor, date=datetime.date(2021, 6, 10), communities=[elsewhere])
        InspectionFactory(recorded_by=colleague.user, date=datetime.date(2021, 6, 11), units=[office])
        points = {p.pk: p for p in selectors.contact_points()}
        unvisited = {p.pk for p in selectors.unvisited_contact_points()}
    assert points[visited_village.pk].visited and points[visited_village.pk].last_visit == datetime.date(
        2021, 6, 3
    )
    assert not points[unvisited_unit.pk].visited
    assert points[unvisited_unit.pk].last_visit == datetime.date(2021, 5, 28)
    assert unvisited == {unvisited_unit.pk, colleague_point.pk}


def test_the_dashboard_lists_the_contact_points_not_visited_this_month(client_as, supervisor):
    village = CommunityFactory(name="河横村")
    ContactPointFactory(leader=LeaderFactory(user=supervisor), community=village)
    page = client_as("supervisor").get("/dashboard/").content.decode()
    assert "河横村" in page
    InspectionFactory(recorded_by=supervisor, communities=[village])
    assert "河横村" not in client_as("supervisor").get("/dashboard/").content.decode()


def test_the_office_assigns_contact_points_and_supervisors_read_them(client_as, supervisor, admin_user):
    community, leader = CommunityFactory(), LeaderFactory(user=supervisor)
    response = client_as("admin").post(
        "/contact-points/", {"leader": leader.pk, "community": community.pk, "since": "2021-05-01"}
    )
    assert response.status_code == 302
    point = ContactPoint.objects.get()
    assert (point.leader, point.community) == (leader, community)
    again = client_as("admin").post(
        "/contact-points/", {"leader": leader.pk, "community": community.pk, "since": "2021-05-01"}
    )
    assert again.status_code == 409 and ContactPoint.objects.count() == 1
    other = ContactPointFactory(community=CommunityFactory())  # another leader's
    page = client_as("supervisor").get("/contact-points/", {"leader": leader.pk})
    assert [p.pk for p in page.context["page_obj"]] == [point.pk]
    assert {p.pk for p in client_as("supervisor").get("/contact-points/").context["page_obj"]} == {
        point.pk,
        other.pk,
    }
    assert client_as("supervisor").post("/contact-points/", {"leader": leader.pk}).status_code == 403
    assert client_as("supervisor").post(f"/contact-points/{point.pk}/remove/").status_code == 403
    assert client_as("admin").post(f"/contact-points/{point.pk}/remove/").status_code == 302
    assert not ContactPoint.objects.filter(pk=point.pk).exists()


def test_a_contact_point_is_a_community_or_a_unit_of_a_leader(admin_user, supervisor, unit_staff):
    leader = LeaderFactory(user=supervisor)
    with pytest.raises(ApplicationError):
        services.contact_point_assign(actor=admin_user, leader=leader)
    with pytest.raises(ApplicationError):
        services.contact_point_assign(actor=admin_user, leader=unit_staff, unit=UnitFactory())
    with pytest.raises(PermissionDenied):
        services.contact_point_assign(actor=supervisor, leader=leader, unit=UnitFactory())
    unit = UnitFactory()
    services.contact_point_assign(actor=admin_user, leader=leader, unit=unit)
    with pytest.raises(ConflictError):
        services.contact_point_assign(actor=admin_user, leader=leader, unit=unit)


def test_the_inspection_api_lists_and_records(client_as, community):
    api = client_as("supervisor", api=True)
    project = ProjectFactory()
    response = api.post(
        "/api/v1/inspections/",
        {
            "kind": "questionnaire",
            "date": timezone.localdate().isoformat(),
            "places": "白米镇",
            "findings": "问卷回收 120 份。",
            "project_codes": [project.code],
            "communities": [community.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["project_codes"] == [project.code]
    assert api.get("/api/v1/inspections/").json()["count"] == 1
    assert client_as("unit_staff", api=True).get("/api/v1/inspections/").status_code == 403
    bad = api.post("/api/v1/inspections/", {"kind": "x", "places": "", "findings": ""}, format="json")
    assert bad.status_code == 400 and {"kind", "date", "places", "findings"} <= set(bad.json()["fields"])
