"""The supervision loop's tasks in a real Celery worker on Redis: a report task sent by its beat name runs;
a worker killed with SIGKILL in the middle of a report (or of a notification, or of a catch-up of several
periods) leaves its task unacknowledged, the task is delivered again to the next worker, and exactly one
report (notification) exists in the end — the periods done before the kill are not done again."""

import datetime
import time

import pytest
from django.utils import timezone

from jiangyan.celery import app
from jiangyan.core.periods import PeriodKind, last_complete, period_of
from notifications.models import Notification
from supervision.choices import ReportKind
from supervision.models import Report
from supervision.tasks import generate_report
from tests.factories import MemberFactory
from tests.race import needs_postgresql
from tests.wishes.factories import WishFactory
from tests.worker import (
    blocked_on_a_lock,
    hold_report,
    holder,
    needs_redis,
    new_queue,
    start_worker,
    stop_worker,
    wait_for,
)
from wishes.choices import WishStatus
from wishes.tasks import remind_overdue_claims

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
KILLABLE = "tests.supervision.worker_settings"


def test_the_weekly_reminder_sent_by_its_beat_name_runs_in_a_worker():
    needs_redis()
    entry = app.conf.beat_schedule["weekly-reminder"]
    queue = new_queue()
    worker = start_worker(queue)
    try:
        app.send_task(entry["task"], kwargs=entry["kwargs"], queue=queue)
        done = wait_for(lambda: Report.objects.filter(kind=ReportKind.WEEKLY).exists(), worker=worker)
    finally:
        output = stop_worker(worker)
    assert done, output[-3000:]
    week = last_complete(PeriodKind.WEEK, timezone.localdate())
    assert Report.objects.get().period_start == week.start
    assert "supervision.tasks.generate_reports" in output


@needs_postgresql
def test_a_report_task_killed_in_the_middle_is_delivered_again_and_leaves_one_report():
    needs_redis()
    week = last_complete(PeriodKind.WEEK, timezone.localdate())
    blocker = hold_report(week)  # the same (kind, period), not committed: the worker's insert waits
    queue = new_queue()
    first = start_worker(queue, settings=KILLABLE)
    try:
        generate_report.apply_async(kwargs={"kind": "weekly", "day": week.start.isoformat()}, queue=queue)
        assert wait_for(blocked_on_a_lock, worker=first), stop_worker(first)[-3000:]
        first.kill()  # SIGKILL in the middle of the report: its task is never acknowledged
        first.wait(timeout=20)
    finally:
        blocker.rollback()
        blocker.close()
    assert not Report.objects.exists()
    second = start_worker(queue, settings=KILLABLE)
    try:
        done = wait_for(lambda: Report.objects.exists(), worker=second)
    finally:
        output = stop_worker(second)
    assert done, output[-3000:]
    report = Report.objects.get()
    assert (report.kind, report.period_start, report.generation) == ("weekly", week.start, 1)


@needs_postgresql
def test_a_catch_up_killed_in_its_second_period_is_taken_up_where_it_stopped():
    needs_redis()
    last = last_complete(PeriodKind.WEEK, timezone.localdate())
    weeks = [period_of(PeriodKind.WEEK, last.start - datetime.timedelta(days=7 * n)) for n in (2, 1, 0)]
    campaign = {"SUPERVISION_CAMPAIGN_START": weeks[0].start.isoformat()}
    blocker = hold_report(weeks[1])
    queue = new_queue()
    first = start_worker(queue, settings=KILLABLE, **campaign)
    try:
        app.send_task("supervision.tasks.generate_reports", kwargs={"kind": "weekly"}, queue=queue)
        assert wait_for(blocked_on_a_lock, worker=first), stop_worker(first)[-3000:]
        assert list(Report.objects.values_list("period_start", flat=True)) == [weeks[0].start]
        first.kill()  # SIGKILL while the second week's report is being written
        first.wait(timeout=20)
    finally:
        blocker.rollback()
        blocker.close()
    second = start_worker(queue, settings=KILLABLE, **campaign)
    try:
        done = wait_for(lambda: Report.objects.count() == 3, worker=second)
        time.sleep(2)  # anything delivered twice would have run by now
    finally:
        output = stop_worker(second)
    assert done, output[-3000:]
    reports = Report.objects.order_by("period_start").values_list("period_start", "generation")
    assert list(reports) == [(week.start, 1) for week in weeks]  # each once, the first not again


@needs_postgresql
def test_a_notification_task_killed_in_the_middle_is_delivered_again_and_notifies_once():
    needs_redis()
    member = MemberFactory()
    wish = WishFactory(community=member.community, status=WishStatus.CLAIMED, claimed_by=member)
    wish.promised_date = timezone.localdate() - datetime.timedelta(days=2)
    wish.save()
    blocker = holder()
    with blocker.cursor() as cursor:
        cursor.execute(
            "INSERT INTO jiangyan_notification (recipient_id, reason, title, body, url, target, period, "
            "created_at) VALUES (%s, 'wish.claim_overdue', 'x', '', '', %s, %s, now())",
            [member.pk, f"wishes.wish:{wish.pk}", wish.promised_date.isoformat()],
        )
    queue = new_queue()
    first = start_worker(queue, settings=KILLABLE)
    try:
        remind_overdue_claims.apply_async(queue=queue)
        assert wait_for(blocked_on_a_lock, worker=first), stop_worker(first)[-3000:]
        first.kill()
        first.wait(timeout=20)
    finally:
        blocker.rollback()
        blocker.close()
    second = start_worker(queue, settings=KILLABLE)
    try:
        done = wait_for(lambda: Notification.objects.exists(), worker=second)
        time.sleep(1)
    finally:
        output = stop_worker(second)
    assert done, output[-3000:]
    note = Notification.objects.get()
    assert (note.recipient_id, note.reason, note.title.startswith("您认领的心愿")) == (
        member.pk,
        "wish.claim_overdue",
        True,
    )
