"""schemathesis against the live schema (``/api/schema/``), in process: every operation, anonymous and as
each role that can write something, with generated valid and invalid input. Two checks: no answer is a
server error, and every answer matches what the schema documents for its status (the error envelope for
400/401/403/404/429 on every operation, ``jiangyan.core.schema``).

The number of examples is bounded (``FUZZ_EXAMPLES`` per operation, mode and role; derandomized, so CI
runs the same cases each time) to keep the run to a few minutes; ``FUZZ_EXAMPLES=200`` digs deeper.
Each role's run prints the number of cases it generated and sent."""

import logging
import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from jiangyan.core.roles import Role
from tests.matrix import ROLES
from tests.projects.factories import IndicatorFactory, MilestoneFactory, ProjectFactory, open_evaluation
from tests.surveys.factories import (
    DutyItemFactory,
    ResponseFactory,
    SuggestionFactory,
    survey_with_every_kind,
)
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus
from wishes.models import DispatchOffer

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance]
# Anonymous and every role: each has write access to something in the API.


@pytest.fixture
def scene(role_users, unit, community):
    """Rows for the generated requests to find (most generated ids still miss: 404s)."""
    project = ProjectFactory(lead_unit=unit)
    MilestoneFactory(project=project, weight=100)
    IndicatorFactory(project=project)
    for status in (WishStatus.SUBMITTED, WishStatus.OPEN, WishStatus.FULFILLED):
        WishFactory(community=community, status=status, submitted_by=role_users[Role.RESIDENT])
    WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=role_users[Role.PARTY_MEMBER])
    DispatchOffer.objects.create(  # 派单: an offer waiting for the member's answer
        wish=WishFactory(community=community),
        member=role_users[Role.PARTY_MEMBER],
        offered_by=role_users[Role.COMMUNITY_STAFF],
    )
    s = survey_with_every_kind()
    ResponseFactory(survey=s["survey"], community=community)
    duty = DutyItemFactory(unit=unit)
    SuggestionFactory(problem_item=duty.problem_item, community=community)
    duty.problem_item.projects.add(project)
    open_evaluation()  # a round open today: ratings reach the service


@pytest.fixture
def in_process():
    """Requests through the WSGI handler inside the test's transaction: like Django's test client, keep the
    handler from closing the database connection at the start and end of each request. Thousands of
    expected 4xx answers are not logged (a 500 still is)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    requests_log = logging.getLogger("django.request")
    level = requests_log.level
    requests_log.setLevel(logging.ERROR)
    yield
    requests_log.setLevel(level)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def api_schema():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    # The token endpoint is exercised by tests/jiangyan/test_limits.py: fuzzing it only fills the lockout
    # table with random names.
    return schema.exclude(path="/api/v1/auth/token/")


def run_operation(operation, mode, headers, counts, failures):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case):
        counts[operation.label] += 1
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    try:
        send()
    except Unsatisfiable:
        pass  # invalid input is impossible where an operation takes none (a list without parameters)
    except (Exception, BaseExceptionGroup) as error:  # a failed check: go on, report every one at the end
        failures.append(f"[{mode}] {operation.label}: {str(error).strip()[:1500]}")


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_every_generated_request_as_documented(role, role_users, scene, in_process, capsys):
    user = role_users[role]
    headers = {} if user is None else {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    counts: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in api_schema().get_all_operations()]
    assert len(operations) >= 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run_operation(operation, mode, headers, counts, failures)
    with capsys.disabled():
        print(f"\nschemathesis [{role}]: {sum(counts.values())} cases over {len(counts)} operations")
    assert not failures, f"{len(failures)} operations failed as {role}:\n\n" + "\n\n".join(failures)
