"""Twenty people submit the same questionnaire at the same moment with the same phone number (or the same
account): exactly one response is stored, the others get the duplicate message — never a 500, never two
responses. Real threads, each with its own database connection; the unique constraints decide and the
service turns their refusal into the same ConflictError as the check before it."""

import pytest

from jiangyan.exceptions import ConflictError
from jiangyan.roles import Role
from surveys import services
from surveys.models import Answer, Response, Suggestion
from tests.factories import UserFactory
from tests.race import needs_postgresql, race

from .factories import valid_answers

SUBMITTERS = 20

pytestmark = needs_postgresql


def _assert_one_stored(survey, results, errors) -> None:
    assert len(results) == 1, errors
    assert len(errors) == SUBMITTERS - 1
    assert all(type(e) is ConflictError and e.code == "duplicate_response" for e in errors), {
        type(e) for e in errors
    }
    assert {e.message for e in errors} == {"您已提交过本问卷。"}
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 6  # one response's answers only
    assert Suggestion.objects.filter(survey=survey).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_answers_from_one_phone_store_exactly_one(s):
    survey = s["survey"]
    answers = valid_answers(s)

    def submit():
        return services.response_submit(actor=None, survey=survey, answers=answers, phone="13800138000")

    results, errors = race([submit] * SUBMITTERS)

    _assert_one_stored(survey, results, errors)
    assert Response.objects.get(survey=survey).phone == "13800138000"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_answers_from_one_account_store_exactly_one(s):
    survey = s["survey"]
    answers = valid_answers(s)
    resident = UserFactory(roles=[Role.RESIDENT], phone=None)

    def submit(phone):
        return services.response_submit(actor=resident, survey=survey, answers=answers, phone=phone)

    results, errors = race([lambda i=i: submit(f"1380013{i:04d}") for i in range(SUBMITTERS)])

    _assert_one_stored(survey, results, errors)
    assert Response.objects.get(survey=survey).respondent == resident
