"""The outbox (jiangyan.outbox): follow-up work is written with the change, survives a broker that is away
(a real Redis of the test's own, stopped), and runs once — also when two workers deliver the same message
at the same moment."""

import threading
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection, transaction
from kombu import pools

from jiangyan import outbox
from jiangyan.celery import app
from jiangyan.models import OutboxMessage
from jiangyan.tasks import heartbeat
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import email_notifications
from tests.factories import UserFactory
from tests.redis_server import redis_server_or_skip

pytestmark = pytest.mark.django_db(transaction=True)


def _reset_producers() -> None:
    # kombu keeps its producer pools in a registry of its own: reset it too, or a later test in this process
    # acquires from a pool closed here ("Acquire on closed pool").
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Celery's producers in this process publish to ``url`` (a private Redis) for the block."""
    was = app.conf.broker_url
    app.conf.broker_url = url
    _reset_producers()
    try:
        yield
    finally:
        app.conf.broker_url = was
        _reset_producers()


@pytest.fixture
def broker():
    running = redis_server_or_skip()
    with broker_at(running.url):
        yield running
    running.stop()


@pytest.fixture
def by_email(settings):
    settings.NOTIFY_BY_EMAIL = True


def queued(server) -> int:
    import redis

    return redis.Redis(port=server.port).llen("celery")


def test_a_message_exists_only_when_its_change_commits(by_email):
    alice = UserFactory(email="alice@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[alice], reason="a", title="一")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()


def test_the_change_is_asked_of_a_worker_on_commit(broker, by_email):
    alice = UserFactory(email="alice@example.com")
    with transaction.atomic():
        notify(recipients=[alice], reason="a", title="一")
        assert queued(broker) == 0  # nothing leaves before the commit
    assert queued(broker) == 1
    message = OutboxMessage.objects.get()
    assert message.task == email_notifications.name and message.done_at is None


def test_with_the_broker_down_the_change_commits_and_its_email_is_sent_once_when_drained(broker, by_email):
    alice = UserFactory(email="alice@example.com")
    broker.stop()
    with transaction.atomic():
        (notification,) = notify(recipients=[alice], reason="order", title="督办单", url="/orders/1/")
    assert Notification.objects.filter(pk=notification.pk).exists()  # the change is stored
    message = OutboxMessage.objects.get()
    assert message.done_at is None and mail.outbox == []

    # The broker is back: beat's sweep hands the message to a worker (run here, in this process).
    assert outbox.drain_step() is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1
    outbox.drain_step()
    assert outbox.deliver(message.pk) is False
    assert len(mail.outbox) == 1  # nothing twice


def test_a_failing_task_stays_pending_and_waits_before_its_next_attempt(by_email, settings):
    settings.EMAIL_BACKEND = "no.such.backend"
    alice = UserFactory(email="alice@example.com")
    with broker_at("redis://127.0.0.1:1/0"):  # nothing listens there
        (notification,) = notify(recipients=[alice], reason="a", title="一")
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.done_at is None and message.attempts == 1 and "ModuleNotFoundError" in message.last_error
    assert not outbox.pending().exists()  # paused
    notification.refresh_from_db()
    assert notification.emailed_at is None  # the claim rolled back with the failure


def test_two_workers_delivering_the_same_message_at_once_run_it_once(by_email):
    with broker_at("redis://127.0.0.1:1/0"):
        with transaction.atomic():
            message = outbox.send(heartbeat, token="once", source="outbox-race")
    barrier = threading.Barrier(4)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(outbox.deliver(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from jiangyan.models import Heartbeat

    assert sorted(results) == [False, False, False, True]
    assert Heartbeat.objects.filter(token="once").count() == 1


def test_an_emails_claim_is_committed_before_it_goes_out(by_email, settings):
    """So a delivery that fails after the sending (the database gone before the message is marked done)
    leaves nothing that a second run would send again."""
    from tests.jiangyan import mail_probe

    settings.EMAIL_BACKEND = "tests.jiangyan.mail_probe.Backend"
    mail_probe.SEEN.clear()
    alice = UserFactory(email="alice@example.com")
    with broker_at("redis://127.0.0.1:1/0"):
        (notification,) = notify(recipients=[alice], reason="a", title="一")
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) is True
    assert mail_probe.SEEN == [{notification.pk}]  # claimed, and visible to everyone, as the e-mail left
    OutboxMessage.objects.filter(pk=message.pk).update(done_at=None)  # as if the mark had been lost
    assert outbox.deliver(message.pk) is False  # held for OUTBOX_HOLD_SECONDS
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=message.created_at)  # the hold is over
    assert outbox.deliver(message.pk) is True
    assert len(mail_probe.SEEN) == 1  # nothing sent twice
