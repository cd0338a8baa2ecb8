"""Project status by hand (issue 10): one service with a reason and an audit event, the lead unit and the
office as DESIGN allows, on the manage page and in the API; the admin cannot change state behind it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from projects import services
from projects.choices import ProjectStatus
from projects.models import Indicator, Milestone, Project
from tests.factories import UnitFactory, UserFactory
from tests.matrix import assert_write, expect

from .factories import IndicatorFactory, MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db

IN_PROGRESS, SUSPENDED, COMPLETED = (
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.SUSPENDED,
    ProjectStatus.COMPLETED,
)


def status_of(project):
    return lambda: Project.objects.get(pk=project.pk).status


# --- the service -------------------------------------------------------------------------------------
def test_the_lead_unit_suspends_with_a_reason_and_it_is_recorded(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    services.project_status_change(actor=unit_staff, project=project, status=SUSPENDED, reason="资金未到位")
    assert status_of(project)() == SUSPENDED
    event = AuditEvent.objects.for_object(project).get(verb="project.status")
    assert (event.before, event.after) == ({"status": IN_PROGRESS}, {"status": SUSPENDED})
    assert event.actor == unit_staff and "资金未到位" in event.note


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(unit_staff, reason):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    with pytest.raises(ApplicationError) as error:
        services.project_status_change(actor=unit_staff, project=project, status=SUSPENDED, reason=reason)
    assert "reason" in error.value.fields
    assert status_of(project)() == IN_PROGRESS


def test_completing_by_hand_is_the_offices(unit_staff, admin_user):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    with pytest.raises(PermissionDenied):
        services.project_status_change(actor=unit_staff, project=project, status=COMPLETED, reason="已验收")
    services.project_status_change(actor=admin_user, project=project, status=COMPLETED, reason="已验收")
    assert status_of(project)() == COMPLETED


def test_a_move_the_table_does_not_allow_is_a_conflict(admin_user):
    project = ProjectFactory(status=COMPLETED)
    with pytest.raises(ConflictError):
        services.project_status_change(actor=admin_user, project=project, status=SUSPENDED, reason="x")


def test_another_units_project_is_refused(unit_staff):
    project = ProjectFactory(lead_unit=UnitFactory())
    with pytest.raises(PermissionDenied):
        services.project_status_change(actor=unit_staff, project=project, status=SUSPENDED, reason="x")


# --- the manage page and the API ----------------------------------------------------------------------
@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", unit_staff="ok", admin="ok"))
def test_manage_page_form_role_matrix(client_as, unit_staff, role, expected):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    assert_write(
        lambda: client_as(role).post(
            f"/projects/{project.code}/status/", {"status": SUSPENDED, "reason": "征地未完成"}
        ),
        expected=expected,
        verb="project.status",
        state=status_of(project),
    )


def test_wrong_unit_gets_a_404_from_the_page(client_as):
    project = ProjectFactory()
    stranger = UserFactory(roles=[Role.UNIT_STAFF], unit=UnitFactory())
    answer = client_as(stranger).post(
        f"/projects/{project.code}/status/", {"status": SUSPENDED, "reason": "x"}
    )
    assert answer.status_code == 404 and status_of(project)() == IN_PROGRESS


def test_the_manage_page_offers_only_the_moves_of_its_reader(client_as, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    html = client_as(unit_staff).get(f"/projects/{project.code}/manage/").content.decode()
    assert 'value="suspended"' in html and 'value="completed"' not in html
    html = client_as(Role.ADMIN).get(f"/projects/{project.code}/manage/").content.decode()
    assert 'value="completed"' in html


def test_the_page_without_a_reason_shows_the_error(client_as, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    answer = client_as(unit_staff).post(
        f"/projects/{project.code}/status/", {"status": SUSPENDED, "reason": ""}
    )
    assert answer.status_code == 400 and status_of(project)() == IN_PROGRESS


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous=403, unit_staff=200, admin=200))
def test_api_role_matrix(client_as, unit_staff, role, expected):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    answer = assert_write(
        lambda: client_as(role, api=True).post(
            f"/api/v1/projects/{project.code}/status/",
            {"status": SUSPENDED, "reason": "汛期停工"},
            format="json",
        ),
        expected=expected,
        verb="project.status",
        state=status_of(project),
    )
    if expected == 200:
        assert answer.json()["status"] == SUSPENDED


def test_api_illegal_move_is_a_409(client_as, admin_user):
    project = ProjectFactory(status=COMPLETED)
    answer = client_as(admin_user, api=True).post(
        f"/api/v1/projects/{project.code}/status/", {"status": SUSPENDED, "reason": "x"}, format="json"
    )
    assert answer.status_code == 409 and set(answer.json()) == {"code", "detail", "fields"}


# --- the admin cannot change state behind the services -------------------------------------------------
@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_the_admin_shows_status_read_only(client_as, unit_staff, superuser):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    page = client_as(superuser).get(f"/admin/projects/project/{project.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' not in html and f"/projects/{project.code}/manage/#status" in html


def test_the_admin_cannot_complete_a_milestone_or_set_an_indicator(client_as, superuser):
    project = ProjectFactory()
    milestone = MilestoneFactory(project=project, weight=100)
    indicator = IndicatorFactory(project=project)
    client = client_as(superuser)
    saved = client.post(
        f"/admin/projects/milestone/{milestone.pk}/change/",
        {
            "project": project.pk,
            "name": milestone.name,
            "planned_date": milestone.planned_date.isoformat(),
            "weight": 100,
            "order": 0,
            "done_date": datetime.date.today().isoformat(),
            "evidence": "admin",
        },
    )
    assert saved.status_code == 302, saved.content[:500]
    saved = client.post(
        f"/admin/projects/indicator/{indicator.pk}/change/",
        {
            "project": project.pk,
            "name": indicator.name,
            "unit": indicator.unit,
            "target_value": "10",
            "current_value": "999",
            "order": 0,
        },
    )
    assert saved.status_code == 302, saved.content[:500]
    assert Milestone.objects.get(pk=milestone.pk).done_date is None
    assert Indicator.objects.get(pk=indicator.pk).current_value != 999


def test_the_admin_cannot_add_or_rewrite_statements_and_ratings(client_as, superuser):
    client = client_as(superuser)
    for model in ("progressstatement", "indicatorupdate", "evaluation"):
        assert client.get(f"/admin/projects/{model}/add/").status_code == 403
