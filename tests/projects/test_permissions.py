"""Role × page/endpoint matrix of the project registry: anonymous, each role, and the wrong unit."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiangyan.core.roles import Role
from projects.models import Evaluation, Indicator, Milestone
from tests.matrix import ROLES, assert_write, expect, outcome

from .conftest import png
from .factories import rating_form

pytestmark = pytest.mark.django_db

UNIT, SUP, ADM = Role.UNIT_STAFF, Role.SUPERVISOR, Role.ADMIN


@pytest.mark.parametrize("role,expected", expect(default=200))
def test_showcase_is_open_to_everybody(client_as, scene, role, expected):
    assert client_as(role).get(reverse("projects:showcase")).status_code == expected


@pytest.mark.parametrize("role,expected", expect(default=200))
def test_public_project_page_is_open_to_everybody(client_as, scene, role, expected):
    assert client_as(role).get(scene["other"].get_absolute_url()).status_code == expected


@pytest.mark.parametrize("role,expected", expect(default=404, supervisor=200, admin=200))
def test_non_public_project_of_another_unit_is_staff_only(client_as, scene, role, expected):
    for url in (
        scene["other_hidden"].get_absolute_url(),
        reverse("projects:ledger", args=[scene["other_hidden"].code]),
    ):
        assert client_as(role).get(url).status_code == expected


@pytest.mark.parametrize("role,expected", expect(default=404, unit_staff=200, supervisor=200, admin=200))
def test_non_public_project_is_visible_to_its_own_unit(client_as, scene, role, expected):
    assert client_as(role).get(scene["own_hidden"].get_absolute_url()).status_code == expected


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", unit_staff=200, admin=200))
def test_workspace_is_for_unit_staff(client_as, scene, role, expected):
    assert outcome(client_as(role).get(reverse("projects:workspace"))) == expected


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", unit_staff=200, admin=200))
def test_manage_page_of_own_project(client_as, scene, role, expected):
    assert outcome(client_as(role).get(reverse("projects:manage", args=[scene["own"].code]))) == expected


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", unit_staff=404, admin=200))
def test_manage_page_of_another_units_project_is_404_for_unit_staff(client_as, scene, role, expected):
    assert outcome(client_as(role).get(reverse("projects:manage", args=[scene["other"].code]))) == expected


def _writes(project) -> dict:
    """Each workspace write on ``project``: its URL, form data, audit verb and what it changes."""
    milestone = project.milestones.get()
    indicator = project.indicators.get()
    today = timezone.localdate().isoformat()
    return {
        "statement": (
            reverse("projects:statement-new", args=[project.code]),
            {"period_start": today, "period_end": today, "text": "本周完成入户走访。", "photos": [png()]},
            "project.statement",
            lambda: project.statements.count(),
        ),
        "milestone": (
            reverse("projects:milestone-done", args=[project.code, milestone.pk]),
            {f"m{milestone.pk}-done_date": today, f"m{milestone.pk}-evidence": "验收报告"},
            "project.milestone_done",
            lambda: Milestone.objects.get(pk=milestone.pk).done_date,
        ),
        "indicator": (
            reverse("projects:indicators", args=[project.code]),
            {f"indicator_{indicator.pk}": "12"},
            "project.indicator_update",
            lambda: Indicator.objects.get(pk=indicator.pk).current_value,
        ),
        "photo": (
            reverse("projects:photos", args=[project.code]),
            {"images": [png()], "caption": "现场"},
            "project.photo_add",
            lambda: project.photos.count(),
        ),
    }


WRITES = ["statement", "milestone", "indicator", "photo"]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", unit_staff="ok", admin="ok"))
def test_workspace_writes_on_own_project(client_as, scene, write, role, expected):
    url, data, verb, state = _writes(scene["own"])[write]
    assert_write(lambda: client_as(role).post(url, data), expected=expected, verb=verb, state=state)


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", unit_staff=404, admin="ok"))
def test_workspace_writes_on_another_units_project(client_as, scene, write, role, expected):
    url, data, verb, state = _writes(scene["other"])[write]
    assert_write(lambda: client_as(role).post(url, data), expected=expected, verb=verb, state=state)


def _ratings(project):
    return lambda: Evaluation.objects.filter(project=project).count()


@pytest.mark.parametrize(
    "role,expected",
    expect(default="ok", anonymous="login", unit_staff=403, community_staff=403),
)
def test_evaluation_by_members_supervisors_and_residents(client_as, scene, role, expected):
    url = reverse("projects:evaluate", args=[scene["other"].code])
    assert_write(
        lambda: client_as(role).post(url, rating_form(5, comment="好")),
        expected=expected,
        verb="project.evaluate",
        state=_ratings(scene["other"]),
    )


HIDDEN_EVALUATION = expect(
    default=404, anonymous="login", unit_staff=403, community_staff=403, supervisor="ok", admin="ok"
)


@pytest.mark.parametrize("role,expected", HIDDEN_EVALUATION)
def test_evaluation_of_a_hidden_project_is_404_for_who_cannot_see_it(client_as, scene, role, expected):
    url = reverse("projects:evaluate", args=[scene["other_hidden"].code])
    assert_write(
        lambda: client_as(role).post(url, rating_form(4)),
        expected=expected,
        verb="project.evaluate",
        state=_ratings(scene["other_hidden"]),
    )


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", admin=200))
def test_import_and_template_are_for_the_office(client_as, scene, role, expected):
    assert outcome(client_as(role).get(reverse("projects:import"))) == expected
    assert outcome(client_as(role).get(reverse("projects:import-template"))) == expected


# --- API ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_list_shows_what_the_role_may_see(client_as, scene, role):
    response = client_as(role, api=True).get("/api/v1/projects/")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    visible = {"own", "other"} | (
        {"own_hidden", "other_hidden"} if role in (SUP, ADM) else {"own_hidden"} if role == UNIT else set()
    )
    assert codes == {scene[k].code for k in visible}


@pytest.mark.parametrize("role,expected", expect(default=404, supervisor=200, admin=200))
def test_api_detail_of_hidden_project(client_as, scene, role, expected):
    assert (
        client_as(role, api=True).get(f"/api/v1/projects/{scene['other_hidden'].code}/").status_code
        == expected
    )


def _api_statement(client_as, role, project, expected):
    today = timezone.localdate().isoformat()
    assert_write(
        lambda: client_as(role, api=True).post(
            f"/api/v1/projects/{project.code}/statements/",
            {"period_start": today, "period_end": today, "text": "推进顺利"},
            format="json",
        ),
        expected=expected,
        verb="project.statement",
        state=lambda: project.statements.count(),
    )


@pytest.mark.parametrize("role,expected", expect(default=403, unit_staff=201, admin=201))
def test_api_statement_on_own_project(client_as, scene, role, expected):
    _api_statement(client_as, role, scene["own"], expected)


@pytest.mark.parametrize("role,expected", expect(default=403, unit_staff=404, admin=201))
def test_api_statement_on_another_units_project(client_as, scene, role, expected):
    _api_statement(client_as, role, scene["other"], expected)


def _api_writes(project) -> dict:
    """The API's workspace writes (besides statements) on ``project``: URL, body, verb, what they change."""
    milestone, indicator = project.milestones.get(), project.indicators.get()
    return {
        "milestone": (
            f"/api/v1/projects/{project.code}/milestones/{milestone.pk}/complete/",
            {"done_date": timezone.localdate().isoformat(), "evidence": "验收单"},
            "project.milestone_done",
            lambda: Milestone.objects.get(pk=milestone.pk).done_date,
        ),
        "indicator": (
            f"/api/v1/projects/{project.code}/indicators/",
            {"values": [{"indicator": indicator.pk, "value": "9"}]},
            "project.indicator_update",
            lambda: Indicator.objects.get(pk=indicator.pk).current_value,
        ),
    }


@pytest.mark.parametrize("write", ["milestone", "indicator"])
@pytest.mark.parametrize("role,expected", expect(default=403, unit_staff=200, admin=200))
def test_api_milestone_complete_and_indicators(client_as, scene, write, role, expected):
    url, body, verb, state = _api_writes(scene["own"])[write]
    assert_write(
        lambda: client_as(role, api=True).post(url, body, format="json"),
        expected=expected,
        verb=verb,
        state=state,
    )


@pytest.mark.parametrize("role,expected", expect(default=403, unit_staff=404, admin=404))
def test_api_milestone_of_another_project_is_404(client_as, scene, role, expected):
    """A milestone id that is not the project's, or too large for the column, is not found."""
    project = scene["own"]
    for milestone_id in (scene["other"].milestones.get().pk, 10**20):
        response = client_as(role, api=True).post(
            f"/api/v1/projects/{project.code}/milestones/{milestone_id}/complete/",
            {"done_date": timezone.localdate().isoformat(), "evidence": "验收单"},
            format="json",
        )
        assert response.status_code == expected


@pytest.mark.parametrize(
    "role,expected", expect(default=201, anonymous=403, unit_staff=403, community_staff=403)
)
def test_api_evaluation(client_as, scene, role, expected):
    project = scene["other"]
    assert_write(
        lambda: client_as(role, api=True).post(
            f"/api/v1/projects/{project.code}/evaluations/", {"score": 4, "comment": "不错"}, format="json"
        ),
        expected=expected,
        verb="project.evaluate",
        state=_ratings(project),
    )


@pytest.mark.parametrize("role,expected", expect(default=403, supervisor=200, admin=200))
def test_api_unit_evaluations_are_for_supervision(client_as, scene, role, expected):
    assert client_as(role, api=True).get("/api/v1/projects/unit-evaluations/").status_code == expected


@pytest.mark.parametrize("role,expected", expect(default=200))
def test_api_reads_of_a_public_project_are_open(client_as, scene, role, expected):
    code = scene["other"].code
    for part in ("", "milestones/", "statements/", "evaluations/"):
        assert client_as(role, api=True).get(f"/api/v1/projects/{code}/{part}").status_code == expected


def test_api_malformed_code_is_404(client_as, scene):
    assert client_as(ADM, api=True).get("/api/v1/projects/JY%20X/").status_code == 404
