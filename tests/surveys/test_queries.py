"""Every list page and API list of the surveys app runs the same number of queries at 3 and at 25 rows of
what it lists (``tests.queries``)."""

import pytest

from jiangyan.core.roles import Role
from surveys import coding, services
from surveys.choices import DutyStatus
from tests.factories import CommunityFactory
from tests.projects.factories import ProjectFactory

from .factories import (
    DutyItemFactory,
    ProblemItemFactory,
    ResponseFactory,
    SuggestionFactory,
    SurveyFactory,
    valid_answers,
)

pytestmark = pytest.mark.django_db


def grow_problem_items(n: int) -> None:
    """Items with suggestions, duty items (one done) and projects, directly and through a duty item."""
    for _ in range(n):
        item = ProblemItemFactory()
        SuggestionFactory.create_batch(2, problem_item=item)
        duty = DutyItemFactory(problem_item=item, status=DutyStatus.DONE)
        DutyItemFactory(problem_item=item)
        item.projects.add(ProjectFactory())
        duty.projects.add(ProjectFactory())


def grow_duty_items(unit):
    def grow(n: int) -> None:
        for _ in range(n):
            duty = DutyItemFactory(unit=unit, problem_item=ProblemItemFactory())
            duty.projects.add(ProjectFactory())

    return grow


def grow_uncoded_suggestions(n: int) -> None:
    # The assistant refits its spaces when the pool doubles and re-learns after a coding: a cache refresh
    # (a handful of queries, once), not a cost per row — so it is refreshed here, outside the count.
    SuggestionFactory.create_batch(n, text="希望小区增设老年助餐点", survey=SurveyFactory())
    coding.current_ranker()


def grow_surveys(n: int) -> None:
    for _ in range(n):
        survey = SurveyFactory()
        ResponseFactory.create_batch(2, survey=survey)


def grow_responses(s):
    communities = [CommunityFactory(), CommunityFactory()]
    state = {"next": 0}

    def grow(n: int) -> None:
        for _ in range(n):
            i = state["next"] = state["next"] + 1
            services.response_submit(
                actor=None,
                survey=s["survey"],
                answers=valid_answers(s),
                phone=f"1390000{i:04d}",
                community=communities[i % 2],
            )

    return grow


@pytest.fixture
def coding_items(db):
    ProblemItemFactory(title="增设社区老年助餐点", keywords="助餐点 老年食堂")
    ProblemItemFactory(title="老旧小区加装电梯", keywords="加装电梯 爬楼梯")


# --- pages ----------------------------------------------------------------------------------------------


def test_problem_list_page(query_counter, client_as):
    query_counter.flat(client_as(Role.SUPERVISOR), "/surveys/problems/", grow=grow_problem_items)


def test_problem_list_page_filtered(query_counter, client_as):
    query_counter.flat(
        client_as(Role.ADMIN), "/surveys/problems/?conversion=project&q=测试", grow=grow_problem_items
    )


def test_duty_list_page(query_counter, client_as, unit):
    query_counter.flat(client_as(Role.UNIT_STAFF), "/surveys/duties/", grow=grow_duty_items(unit))


def test_duty_list_page_of_the_office(query_counter, client_as, unit):
    query_counter.flat(
        client_as(Role.ADMIN), "/surveys/duties/?status=not_started", grow=grow_duty_items(unit)
    )


def test_coding_page(query_counter, client_as, coding_items):
    query_counter.flat(client_as(Role.ADMIN), "/surveys/coding/", grow=grow_uncoded_suggestions)


def test_survey_list_page(query_counter, client_as):
    query_counter.flat(client_as(Role.ADMIN), "/surveys/", grow=grow_surveys)


def test_survey_list_page_for_anonymous_visitors(query_counter, client_as):
    query_counter.flat(client_as("anonymous"), "/surveys/", grow=grow_surveys)


# --- API ------------------------------------------------------------------------------------------------


def test_api_surveys(query_counter, client_as):
    query_counter.flat(client_as("anonymous", api=True), "/api/v1/surveys/", grow=grow_surveys)


def test_api_responses(query_counter, client_as, s):
    query_counter.flat(
        client_as(Role.SUPERVISOR, api=True), "/api/v1/surveys/responses/", grow=grow_responses(s)
    )


def test_api_suggestions(query_counter, client_as):
    def grow(n: int) -> None:  # coded to two items each
        SuggestionFactory.create_batch(n, problem_item=ProblemItemFactory(), coded=[ProblemItemFactory()])

    query_counter.flat(client_as(Role.SUPERVISOR, api=True), "/api/v1/surveys/suggestions/", grow=grow)


def test_api_problem_items(query_counter, client_as):
    query_counter.flat(
        client_as(Role.SUPERVISOR, api=True), "/api/v1/surveys/problem-items/", grow=grow_problem_items
    )


def test_api_duty_items(query_counter, client_as, unit):
    query_counter.flat(
        client_as(Role.UNIT_STAFF, api=True), "/api/v1/surveys/duty-items/", grow=grow_duty_items(unit)
    )
