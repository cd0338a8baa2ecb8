"""A record nobody can rewrite (issue 20, 安全审计 / 数据完整性): the audit events are a keyed hash chain
that ``verify_audit`` checks, PostgreSQL refuses UPDATE and DELETE on the table except for the retention
job, appending is race-safe, and refusals, downloads and admin changes are recorded."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import Town
from jiangyan.core.audit import SECURITY_TARGET, audit_purge, audit_record, audit_verify
from jiangyan.models import AuditEvent
from tests.factories import UserFactory
from tests.race import needs_postgresql, race

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_chain(db):
    """Each test checks a chain of its own: the events earlier tests of the run committed (written by
    whatever they exercised, a bypass included) are not this test's to verify. TRUNCATE fires no row
    trigger, and inside the test's transaction it is rolled back with it."""
    with connection.cursor() as cursor:
        verb = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"  # SQLite has no trigger
        cursor.execute(f"{verb} {AuditEvent._meta.db_table}")


def chain_of(n: int, target) -> list[AuditEvent]:
    return [audit_record(actor=None, verb="test.change", target=target, after={"n": i}) for i in range(n)]


def bypass(sql: str, params: list) -> None:
    """What someone with database access would do: the same statement without the trigger."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # a superuser silencing the triggers
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def verify() -> tuple[bool, str]:
    err = io.StringIO()
    try:
        call_command("verify_audit", stdout=io.StringIO(), stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, err.getvalue()


def test_each_event_chains_to_the_one_before(community):
    before = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    events = chain_of(3, community)
    assert [e.prev_hash for e in events] == [before, events[0].hash, events[1].hash]
    assert verify() == (True, "")


@needs_postgresql
def test_verify_audit_finds_an_edited_event(community):
    events = chain_of(3, community)
    bypass("UPDATE jiangyan_auditevent SET note = 'rewritten' WHERE id = %s", [events[1].pk])
    ok, said = verify()
    assert not ok and f"event {events[1].pk}: edited" in said


@needs_postgresql
def test_verify_audit_finds_a_deleted_event(community):
    events = chain_of(3, community)
    bypass("DELETE FROM jiangyan_auditevent WHERE id = %s", [events[1].pk])
    ok, said = verify()
    assert not ok and f"event {events[2].pk}: the chain is cut" in said


@needs_postgresql
def test_verify_audit_finds_an_inserted_event(community):
    events = chain_of(2, community)
    forged = AuditEvent(
        **{
            f.attname: getattr(events[0], f.attname)
            for f in AuditEvent._meta.concrete_fields
            if f.name != "id"
        }
    )
    forged.note = "forged"
    forged.save()  # a new row with a copied hash: the chain after it no longer fits
    ok, said = verify()
    assert not ok and f"event {forged.pk}" in said


@needs_postgresql
def test_postgresql_refuses_update_and_delete_of_an_event(community):
    event = chain_of(1, community)[0]
    for statement in (
        "UPDATE jiangyan_auditevent SET note = 'x' WHERE id = %s",
        "DELETE FROM jiangyan_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@needs_postgresql
def test_deleting_a_user_keeps_their_events_and_the_chain(community):
    user = UserFactory()
    event = audit_record(actor=user, verb="test.change", target=community)
    user.delete()  # the trigger lets the actor be cleared, nothing else
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.actor_id is None and kept.actor_label == event.actor_label
    assert verify()[0]


def test_retention_deletes_only_events_past_the_setting_and_the_chain_still_verifies(settings, community):
    settings.AUDIT_RETENTION_DAYS = 200
    long_ago = timezone.now() - datetime.timedelta(days=201)
    with time_machine.travel(long_ago, tick=False):
        old = chain_of(2, community)
    with time_machine.travel(long_ago + datetime.timedelta(days=10), tick=False):
        kept = chain_of(2, community)
    assert audit_purge() >= 2
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in kept]).count() == 2
    purge = AuditEvent.objects.filter(verb="audit.purge").get()
    assert purge.after["last_hash"] == old[-1].hash and purge.target_id == SECURITY_TARGET
    assert verify() == (True, "")


def test_retention_never_keeps_less_than_180_days(settings, community):
    settings.AUDIT_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - datetime.timedelta(days=100), tick=False):
        event = chain_of(1, community)[0]
    audit_purge()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_retention_task_is_in_the_one_schedule():
    from jiangyan.celery import app

    assert app.conf.beat_schedule["audit-retention"]["task"] == "jiangyan.tasks.audit_retention"


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_events_never_chain_to_the_same_predecessor():
    town = Town.objects.create(name="溱潼镇")

    def append():
        with transaction.atomic():
            return audit_record(actor=None, verb="test.change", target=town).pk

    results, errors = race([append] * 8)
    assert not errors and len(results) == 8
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs))
    assert list(audit_verify()) == []


def test_a_refusal_is_recorded(client_as, resident):
    answer = client_as(resident).get("/audit/")
    assert answer.status_code == 403
    event = AuditEvent.objects.filter(verb="security.forbidden").get()
    assert event.actor == resident and event.target_repr == "GET /audit/"


def test_a_change_in_the_admin_is_recorded(client_as):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    answer = client_as(superuser).post(
        "/admin/accounts/town/add/", {"name": "新镇", "kind": "town", "order": 9}
    )
    assert answer.status_code == 302
    town = Town.objects.get(name="新镇")
    event = AuditEvent.objects.filter(verb="admin.add").get()
    assert (event.actor, event.target_id, event.target_repr) == (superuser, str(town.pk), str(town))
