"""The transactional outbox: follow-up work of a change (a Celery task to run) that survives a broker outage
and runs once.

:func:`send` writes the task's name and arguments as an :class:`~jiangyan.models.OutboxMessage` in the
caller's transaction — the message exists exactly when the change does — and, once the transaction has
committed, asks a worker to deliver it (``jiangyan.tasks.deliver_outbox_message``). When the broker cannot
be reached that request is dropped (logged, never an error of the page that made the change): the message
waits in the database, and beat's ``drain_outbox`` (every ``OUTBOX_DRAIN_SECONDS``) hands every pending one
to a worker once the broker is back.

:func:`deliver` takes a message in the worker under the row's lock (``SELECT … FOR UPDATE SKIP LOCKED``),
holding it for ``OUTBOX_HOLD_SECONDS``, runs it, and marks it done: a second delivery of the same message
(the prompt request and a drain, a redelivered task) finds it done or held and does nothing. A task that
fails leaves the message pending, to be tried again after a pause that doubles with each attempt (at most
``OUTBOX_RETRY_MAX_SECONDS``); one whose worker died, or whose mark was lost with the database, after its
hold. So the tasks are idempotent on their own: ``email_notifications`` commits its claim of each
notification before sending it, and gives the claim back when the sending fails. See docs/resilience.md.
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
    """Run the message in this process unless it is done, held by another delivery, or paused; True when it
    ran. Taking it (the row's lock, then a hold of ``OUTBOX_HOLD_SECONDS`` and one more attempt) commits
    before the task runs, so the task's own writes commit as it makes them: an e-mail's claim is stored
    before the e-mail goes out, and a failure after that (the database gone before the message is marked
    done) leaves nothing for a second run to send again."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, done_at__isnull=True, available_at__lte=now)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        message.available_at = now + datetime.timedelta(seconds=settings.OUTBOX_HOLD_SECONDS)
        message.save(update_fields=["attempts", "available_at"])
    try:
        app.tasks[message.task](**message.kwargs)
    except Exception as exc:
        log.exception("outbox: message %s failed", message_id)
        _postpone(message, exc)
        return False
    OutboxMessage.objects.filter(pk=message_id).update(done_at=timezone.now())
    return True


def _postpone(message: OutboxMessage, exc: Exception) -> None:
    pause = min(settings.OUTBOX_RETRY_MAX_SECONDS, FIRST_RETRY_SECONDS * 2 ** (message.attempts - 1))
    OutboxMessage.objects.filter(pk=message.pk, done_at__isnull=True).update(
        last_error=repr(exc)[:2000], available_at=timezone.now() + datetime.timedelta(seconds=pause)
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
