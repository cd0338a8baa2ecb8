"""What the surveys app holds about a person (their responses), and its erasure on request."""

from django.db import transaction
from django.db.models import Q

from jiangyan.core.audit import audit_record
from jiangyan.helpers.crypto import blind_index

from .models import Answer, Response


def _responses(*, user=None, phone: str = "", query_code: str = ""):
    match = Q(pk__in=[])
    if user is not None:
        match |= Q(respondent=user)
        if user.phone:
            match |= Q(phone_index=blind_index(user.phone))
    if phone and (index := blind_index(phone)):
        match |= Q(phone_index=index)
    return Response.objects.filter(match).select_related("survey", "community").order_by("id")


def personal_data(*, user=None, phone: str = "", query_code: str = "") -> list[dict]:
    responses = list(_responses(user=user, phone=phone))
    answers: dict[int, list] = {}
    for a in (
        Answer.objects.filter(response__in=responses)
        .select_related("question", "option")
        .order_by("response_id", "question__order", "id")
    ):
        value = a.option.text if a.option_id else (a.number if a.number is not None else a.text)
        answers.setdefault(a.response_id, []).append({"question": a.question.text, "answer": value})
    return [
        {
            "survey": r.survey.title,
            "submitted_at": r.submitted_at.isoformat(),
            "phone": r.phone,
            "community": str(r.community or ""),
            "answers": answers.get(r.pk, []),
        }
        for r in responses
    ]


@transaction.atomic
def erase_personal_data(*, actor, user=None, phone: str = "", query_code: str = "") -> int:
    """Erase the phone of the person's responses (their blind index stays: one answer per phone holds)."""
    erased = 0
    for response in _responses(user=user, phone=phone).select_for_update(of=("self",)).exclude(phone=""):
        Response.objects.filter(pk=response.pk).update(phone="")
        audit_record(actor=actor, verb="personal_data.erase", target=response, after={"fields": ["phone"]})
        erased += 1
    return erased
