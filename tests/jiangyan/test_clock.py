"""``jiangyan.helpers.clock``: the moment the services read, set for the code inside ``clock.at`` only."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from jiangyan.core.audit import audit_record, audit_verify
from jiangyan.helpers import clock
from jiangyan.models import AuditEvent
from notifications.models import Notification
from notifications.services import notify

MOMENT = timezone.make_aware(datetime.datetime(2025, 3, 14, 9, 30))


def test_the_clock_is_the_wall_clock_unless_set():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    assert clock.localdate() == timezone.localdate()


def test_at_sets_now_and_today_inside_and_gives_the_outer_moment_back():
    with clock.at(MOMENT):
        assert clock.now() == MOMENT
        assert clock.localdate() == datetime.date(2025, 3, 14)
        with clock.at(MOMENT + datetime.timedelta(days=2)):
            assert clock.localdate() == datetime.date(2025, 3, 16)
        assert clock.now() == MOMENT
    assert clock.now() > MOMENT + datetime.timedelta(days=365)


def test_at_refuses_a_naive_moment():
    with pytest.raises(ValueError), clock.at(datetime.datetime(2025, 3, 14, 9, 30)):
        pass


def test_a_moment_set_in_one_thread_is_not_seen_in_another():
    seen = []
    with clock.at(MOMENT):
        other = threading.Thread(target=lambda: seen.append(clock.now()))
        other.start()
        other.join()
    assert seen[0] > MOMENT + datetime.timedelta(days=365)


@pytest.mark.django_db
def test_events_and_rows_written_on_a_past_day_carry_it_and_the_chain_holds_out_of_time_order(
    community, resident
):
    with connection.cursor() as cursor:  # this test's own chain (as tests/jiangyan/test_audit_chain.py)
        verb = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
        cursor.execute(f"{verb} {AuditEvent._meta.db_table}")
    later = audit_record(actor=None, verb="test.change", target=community, after={"n": 1})
    with clock.at(MOMENT):
        earlier = audit_record(actor=None, verb="test.change", target=community, after={"n": 0})
        notify(recipients=[resident], reason="test", title="t", target=community)
    assert earlier.created_at == MOMENT < later.created_at and earlier.pk > later.pk
    assert AuditEvent.objects.get(pk=earlier.pk).created_at == MOMENT
    assert Notification.objects.get(recipient=resident, reason="test").created_at == MOMENT
    assert list(audit_verify()) == []
