"""The beat schedule (all of it in ``jiangyan/celery.py``): 周督促 Mondays 08:00, 旬通报 on the 1st, 11th and
21st, 月调度 on the 1st, in Asia/Shanghai; each entry names a task that exists and is safe to redeliver."""

import datetime

import pytest

from jiangyan.celery import app
from supervision.tasks import generate_report, generate_reports
from tests.supervision.conftest import TZ
from wishes.tasks import remind_overdue_claims


@pytest.mark.parametrize(
    "name,kind,due,not_due",
    [
        (
            "weekly-reminder",
            "weekly",
            datetime.datetime(2021, 6, 21, 8, 0),
            datetime.datetime(2021, 6, 22, 8, 0),
        ),
        (
            "tenday-bulletin",
            "tenday",
            datetime.datetime(2021, 6, 11, 7, 0),
            datetime.datetime(2021, 6, 12, 7, 0),
        ),
        (
            "tenday-bulletin",
            "tenday",
            datetime.datetime(2021, 3, 1, 7, 0),
            datetime.datetime(2021, 3, 31, 7, 0),
        ),
        (
            "monthly-dispatch",
            "monthly",
            datetime.datetime(2021, 7, 1, 7, 30),
            datetime.datetime(2021, 7, 11, 7, 30),
        ),
    ],
)
def test_each_report_is_scheduled_for_its_day_and_hour(name, kind, due, not_due):
    entry = app.conf.beat_schedule[name]
    assert entry["task"] == generate_reports.name and entry["kwargs"] == {"kind": kind}
    cron = entry["schedule"]
    assert app.conf.timezone == "Asia/Shanghai"
    for moment, expected in ((due, True), (not_due, False)):
        fields = moment.replace(tzinfo=TZ)
        matches = (
            fields.minute in cron.minute
            and fields.hour in cron.hour
            and fields.day in cron.day_of_month
            and fields.isoweekday() % 7 in cron.day_of_week
        )
        assert matches is expected, (name, moment)


def test_the_tasks_are_acknowledged_late_and_given_back_when_the_worker_dies():
    for task in (generate_reports, generate_report, remind_overdue_claims):
        assert task.acks_late and task.reject_on_worker_lost
    assert app.conf.beat_schedule["overdue-claims"]["task"] == remind_overdue_claims.name
