"""One rule of who reads which ratings (``EvaluationQuerySet.visible_to``), applied alike by the project page
and by the API: supervisors and admins read all, unit staff residents' reviews plus every rating of their
unit's projects, everybody else residents' reviews only."""

import pytest

from jiangyan.core.roles import Role
from projects.choices import EvaluatorRole
from projects.models import Evaluation
from tests.matrix import ROLES

from .factories import EvaluationFactory

pytestmark = pytest.mark.django_db

ALL = set(EvaluatorRole.values)
RESIDENTS = {EvaluatorRole.RESIDENT}


@pytest.fixture
def rated(scene):
    """Each public project of ``scene`` rated once by each evaluator role."""
    for key in ("own", "other"):
        for role in EvaluatorRole.values:
            EvaluationFactory(project=scene[key], evaluator_role=role, comment=f"{key}-{role}")
    return scene


def expected_roles(role: str, key: str) -> set[str]:
    if role in (Role.SUPERVISOR, Role.ADMIN):
        return ALL
    if role == Role.UNIT_STAFF and key == "own":
        return ALL
    return RESIDENTS


def roles_of(ids) -> set[str]:
    return set(Evaluation.objects.filter(pk__in=ids).values_list("evaluator_role", flat=True))


@pytest.mark.parametrize("key", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_page_and_api_list_the_same_ratings(client_as, rated, role, key):
    project = rated[key]
    page = client_as(role).get(project.get_absolute_url())
    api = client_as(role, api=True).get(f"/api/v1/projects/{project.code}/evaluations/")
    assert page.status_code == api.status_code == 200
    on_page = {e.pk for e in page.context["reviews"]}
    in_api = {row["id"] for row in api.json()["results"]}
    assert on_page == in_api
    assert roles_of(on_page) == expected_roles(role, key)


@pytest.mark.parametrize("role", ROLES)
def test_ratings_of_a_project_out_of_sight_are_out_of_sight(role_users, scene, role):
    hidden = EvaluationFactory(project=scene["other_hidden"], evaluator_role=EvaluatorRole.RESIDENT)
    visible = Evaluation.objects.visible_to(role_users[role])
    assert visible.filter(pk=hidden.pk).exists() == (role in (Role.SUPERVISOR, Role.ADMIN))


def test_averages_count_every_rating_whoever_looks(client_as, rated):
    response = client_as("anonymous").get(rated["own"].get_absolute_url())
    assert response.context["averages"]["综合"]["n"] == len(EvaluatorRole.values)
