"""The tallies the database keeps (``ResponseTally``, ``AnswerTally``: triggers of migration surveys 0004)
always equal the responses and answers themselves — per survey, community, channel and local day, per
question, option and number — whoever writes: a service, a factory behind the services' back, a bulk
insert, an update, a delete, a survey deleted with its responses."""

import datetime

import pytest
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from surveys import selectors
from surveys.choices import Channel, QuestionKind
from surveys.models import Answer, AnswerTally, Response, ResponseTally
from surveys.services import response_submit

from .factories import QuestionFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


KEY = ("survey_id", "community_id", "channel", "day")
ANSWER_KEY = ("question_id", "option_id", "number")


def counted() -> tuple[dict, dict]:
    day = TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())
    responses = Response.objects.annotate(day=day).values_list(*KEY).annotate(n=Count("id")).order_by()
    answers = Answer.objects.values_list(*ANSWER_KEY).annotate(n=Count("id")).order_by()
    return {tuple(k): n for *k, n in responses}, {tuple(k): n for *k, n in answers}


def tallied() -> tuple[dict, dict]:
    responses = ResponseTally.objects.values_list(*KEY).annotate(n=Sum("responses")).order_by()
    answers = AnswerTally.objects.values_list(*ANSWER_KEY).annotate(n=Sum("answers")).order_by()
    return {tuple(k): n for *k, n in responses if n}, {tuple(k): n for *k, n in answers if n}


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_tallies_follow_every_way_responses_are_written_and_removed():
    survey, other = SurveyFactory(), SurveyFactory()
    day = timezone.localdate() - datetime.timedelta(days=3)
    # Either side of local midnight (16:00 UTC): two days, not one.
    ResponseFactory(survey=survey, submitted_at=local(day, 23, 50))
    ResponseFactory(survey=survey, submitted_at=local(day + datetime.timedelta(days=1), 0, 10))
    ResponseFactory.create_batch(3, survey=other, channel=Channel.VISIT)
    Response.objects.bulk_create(
        [Response(survey=other, phone=f"1360000{n:04d}", channel=Channel.FORUM) for n in range(5)]
    )
    rating = QuestionFactory(survey=survey, kind=QuestionKind.RATING, required=False)
    response_submit(survey=survey, actor=None, phone="13912345678", answers={rating.pk: 4})
    response_submit(survey=survey, actor=None, phone="13912345679", answers={rating.pk: 4})
    assert tallied() == counted()
    assert AnswerTally.objects.get(question=rating, number=4).answers == 2
    first = Response.objects.filter(survey=survey).order_by("submitted_at").first()
    assert tallied()[0][(survey.pk, first.community_id, Channel.ONLINE, day)] == 1
    assert selectors.response_total() == 12
    assert {s.pk: s.n_responses for s in selectors.survey_list(user=None)} == {survey.pk: 4, other.pk: 8}

    Response.objects.filter(survey=other, channel=Channel.FORUM)[:1].get().delete()
    Response.objects.filter(channel=Channel.VISIT).update(channel=Channel.IMPORT, community=None)
    Answer.objects.filter(question=rating).update(number=5)
    assert tallied() == counted()
    Answer.objects.filter(question=rating).first().delete()
    other.delete()
    assert tallied() == counted() and selectors.response_total() == 4


def test_participation_reads_the_tallies_by_local_day():
    survey = SurveyFactory()
    day = timezone.localdate() - datetime.timedelta(days=10)
    ResponseFactory(survey=survey, submitted_at=local(day, 23, 59))
    ResponseFactory(survey=survey, submitted_at=local(day + datetime.timedelta(days=1), 0, 1))
    ResponseFactory(survey=survey, channel=Channel.VISIT, submitted_at=local(day, 9))
    on_day = selectors.participation_between(start=day, end=day)
    assert on_day["responses"] == 2
    assert {c["channel"]: c["responses"] for c in on_day["channels"]}[Channel.VISIT] == 1
    assert selectors.participation_between(end=day + datetime.timedelta(days=1))["responses"] == 3
