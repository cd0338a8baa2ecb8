"""The response tallies the database keeps (``ResponseTally``, triggers of migration surveys 0004) always
equal the responses themselves, per survey, channel and local day — whoever writes: a service, a factory
behind the services' back, a bulk insert, a delete, a survey deleted with its responses."""

import datetime

import pytest
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from surveys import selectors
from surveys.choices import Channel
from surveys.models import Response, ResponseTally
from surveys.services import response_submit

from .factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def counted() -> dict:
    rows = (
        Response.objects.annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values_list("survey_id", "channel", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(s, c, d): n for s, c, d, n in rows}


def tallied() -> dict:
    rows = ResponseTally.objects.values_list("survey_id", "channel", "day").annotate(n=Sum("responses"))
    return {(s, c, d): n for s, c, d, n in rows.order_by() if n}


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
    response_submit(survey=survey, actor=None, phone="13912345678", answers={}, channel=Channel.ONLINE)
    assert tallied() == counted()
    assert tallied()[(survey.pk, Channel.ONLINE, day)] == 1
    assert selectors.response_total() == 11
    assert {s.pk: s.n_responses for s in selectors.survey_list(user=None)} == {survey.pk: 3, other.pk: 8}

    Response.objects.filter(survey=other, channel=Channel.FORUM)[:1].get().delete()
    Response.objects.filter(channel=Channel.VISIT).update(channel=Channel.IMPORT)
    assert tallied() == counted()
    other.delete()
    assert tallied() == counted() and selectors.response_total() == 3


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
