"""Twenty people submit the same questionnaire at the same moment with the same phone number (or the same
account): exactly one response is stored, the others get the duplicate message — never a 500, never two
responses. Real threads, each with its own database connection; the unique constraints decide and the
service turns their refusal into the same ConflictError as the check before it."""

import pytest

from jiangyan.core.exceptions import ConflictError
from jiangyan.core.roles import Role
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


@pytest.mark.django_db(transaction=True)
def test_two_people_coding_one_suggestion_at_once_leave_one_coding_and_a_true_record():
    """The second coder waits for the first (the row is locked) and its event records the first's coding
    as "before"; the suggestion ends with exactly the items of one of them, its main item among them."""
    from jiangyan.models import AuditEvent

    from .factories import ProblemItemFactory, SuggestionFactory

    office = [UserFactory(roles=[Role.ADMIN]) for _ in range(2)]
    lights, roads, parking, noise = (ProblemItemFactory() for _ in range(4))
    suggestion = SuggestionFactory()
    choices = [[lights, roads], [parking, noise]]

    results, errors = race(
        [
            lambda i=i: services.suggestion_code(
                actor=office[i], suggestion=suggestion, problem_items=choices[i]
            )
            for i in range(2)
        ]
    )

    assert not errors and len(results) == 2
    suggestion.refresh_from_db()
    final = set(suggestion.problem_items.all())
    assert final in ({lights, roads}, {parking, noise}) and suggestion.problem_item in final
    first, second = AuditEvent.objects.for_object(suggestion).order_by("id")
    assert first.before == {"problem_item": None, "problem_items": []}
    assert second.before == first.after
    assert second.after["problem_items"] == sorted(i.code for i in final)
