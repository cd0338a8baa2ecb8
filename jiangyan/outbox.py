"""The transactional outbox: follow-up work of a change (a Celery task to run) that survives a broker outage
and runs once.

:func:`send` writes the task's name and arguments as an :class:`~jiangyan.models.OutboxMessage` in the
caller's transaction — the message exists exactly when the change does — and, once the transaction has
committed, asks a worker to deliver it (``jiangyan.tasks.deliver_outbox_message``). When the broker cannot
be reached that request is dropped (logged, never an error of the page that made the change): the message
waits in the database, and beat's ``drain_outbox`` (every ``OUTBOX_DRAIN_SECONDS``) hands every pending one
to a worker once the broker is back.

:func:`deliver` runs a message in the worker under the row's lock (``SELECT … FOR UPDATE SKIP LOCKED``)
and marks it done in the same transaction: the task's writes and the mark commit together or not at all,
and a second delivery of the same message (the prompt request and a drain, a redelivered task) finds it
done or locked and does nothing. A task that fails leaves the message pending, to be tried again after
a pause that doubles with each attempt (at most ``OUTBOX_RETRY_MAX_SECONDS``). The tasks stay idempotent
on their own (``email_notifications`` claims each notification before sending), since a worker killed
between sending an e-mail and committing would send it again. See docs/resilience.md.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .celery import app
from .models import OutboxMessage

log = logging.getLogger(__name__)

DELIVER_TASK = "jiangyan.tasks.deliver_outbox_message"
FIRST_RETRY_SECONDS = 30


def send(task, **kwargs) -> OutboxMessage:
    """Run ``task(**kwargs)`` (a Celery task; JSON arguments) in a worker once the current transaction has
    committed, exactly once, even when the broker is down now."""
    message = OutboxMessage.objects.create(task=task.name, kwargs=kwargs)
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id: int) -> bool:
    """Ask a worker to deliver the message now; False when the broker did not take the request (the
    message waits for the next drain)."""
    try:
        # One attempt at connecting (the pool's connection would retry for seconds inside the request).
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
            app.signature(DELIVER_TASK, args=[message_id]).apply_async(connection=conn, retry=False)
    except Exception:  # noqa: BLE001 (whatever the transport raises: the database holds the message)
        log.warning("outbox: broker unavailable, message %s waits for the drain", message_id, exc_info=True)
        return False
    return True


def deliver(message_id: int) -> bool:
    """Run the message in this process unless it is done or another worker holds it; True when it ran."""
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, done_at__isnull=True)
                .first()
            )
            if message is None:
                return False
            app.tasks[message.task](**message.kwargs)
            message.done_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["done_at", "attempts"])
    except Exception as exc:
        log.exception("outbox: message %s failed", message_id)
        _postpone(message_id, exc)
        return False
    return True


def _postpone(message_id: int, exc: Exception) -> None:
    message = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).first()
    if message is None:
        return
    pause = min(settings.OUTBOX_RETRY_MAX_SECONDS, FIRST_RETRY_SECONDS * 2**message.attempts)
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
        attempts=message.attempts + 1,
        last_error=repr(exc)[:2000],
        available_at=timezone.now() + datetime.timedelta(seconds=pause),
    )


def pending():
    """Messages due now, oldest first."""
    return OutboxMessage.objects.filter(done_at__isnull=True, available_at__lte=timezone.now()).order_by("pk")


def drain_step(after: int = 0) -> dict | None:
    """Deliver the next ``OUTBOX_BATCH`` due messages after id ``after`` (one piece of ``drain_outbox``,
    for ``jiangyan.tasks.in_batches``); the arguments of the next piece, None when none are left."""
    ids = list(pending().filter(pk__gt=after).values_list("pk", flat=True)[: settings.OUTBOX_BATCH])
    for message_id in ids:
        deliver(message_id)
    return {"after": ids[-1]} if len(ids) == settings.OUTBOX_BATCH else None
