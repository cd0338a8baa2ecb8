"""Every list of the registry — the showcase, the workspace, the API list and its sub-lists, the unit averages
and the lists on the project page — runs the same number of queries whatever the number of rows."""

import pytest
from django.urls import reverse

from projects.choices import EvaluatorRole
from tests.factories import UnitFactory, UserFactory

from .conftest import png
from .factories import (
    EvaluationFactory,
    IndicatorFactory,
    ProjectFactory,
    StatementFactory,
    project_with_milestones,
)

pytestmark = pytest.mark.django_db
MAX_QUERIES = 15


def projects_of(unit):
    """``grow(n)``: ``n`` more projects of ``unit`` with milestones, a statement and a rating each."""

    def grow(n: int) -> None:
        for _ in range(n):
            project = project_with_milestones(lead_unit=unit)
            StatementFactory(project=project)
            EvaluationFactory(project=project)

    return grow


def statements_of(project):
    """``grow(n)``: ``n`` more statements of ``project``, each with a photo and an indicator update."""
    indicator = IndicatorFactory(project=project)

    def grow(n: int) -> None:
        for _ in range(n):
            statement = StatementFactory(project=project)
            project.photos.create(image=png(), statement=statement)
            statement.indicator_updates.create(indicator=indicator, previous_value=0, value=1)

    return grow


def ratings_of(project):
    """``grow(n)``: ``n`` more ratings of ``project``, alternately by residents and party members."""
    roles = [EvaluatorRole.RESIDENT, EvaluatorRole.PARTY_MEMBER]

    def grow(n: int) -> None:
        for i in range(n):
            EvaluationFactory(project=project, evaluator_role=roles[i % 2])

    return grow


def test_showcase(query_counter, client_as, unit):
    url = reverse("projects:showcase") + "?behind=0&target_group=&q=测试"
    query_counter.flat(client_as("unit_staff"), url, grow=projects_of(unit), max_queries=MAX_QUERIES)


def test_workspace(query_counter, client_as, unit):
    url = reverse("projects:workspace")
    query_counter.flat(client_as("unit_staff"), url, grow=projects_of(unit), max_queries=MAX_QUERIES)


def test_api_list(query_counter, client_as, unit):
    url = "/api/v1/projects/?page_size=50"
    query_counter.flat(
        client_as("supervisor", api=True), url, grow=projects_of(unit), max_queries=MAX_QUERIES
    )


def test_api_statements(query_counter, client_as):
    project = ProjectFactory()
    url = f"/api/v1/projects/{project.code}/statements/?page_size=50"
    query_counter.flat(client_as("anonymous", api=True), url, grow=statements_of(project))


@pytest.mark.parametrize("who", ["anonymous", "unit_staff", "supervisor"])
def test_api_evaluations(query_counter, client_as, unit, who):
    project = ProjectFactory(lead_unit=unit)
    url = f"/api/v1/projects/{project.code}/evaluations/?page_size=50"
    query_counter.flat(client_as(who, api=True), url, grow=ratings_of(project))


def test_api_unit_evaluations(query_counter, client_as):
    def grow(n: int) -> None:
        for _ in range(n):
            EvaluationFactory(project=ProjectFactory(lead_unit=UnitFactory()), evaluator=UserFactory())

    query_counter.flat(client_as("supervisor", api=True), "/api/v1/projects/unit-evaluations/", grow=grow)


@pytest.mark.parametrize("grow_what", ["statements", "ratings"])
def test_project_page(query_counter, client_as, unit, grow_what):
    project = project_with_milestones(lead_unit=unit)
    grow = statements_of(project) if grow_what == "statements" else ratings_of(project)
    query_counter.flat(client_as("unit_staff"), project.get_absolute_url(), grow=grow, max_queries=30)
