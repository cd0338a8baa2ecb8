import logging
import time
from collections.abc import Callable

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from . import backups, outbox
from .models import Heartbeat

logger = logging.getLogger(__name__)


def in_batches(task: Task, step: Callable[..., dict | None], **kwargs) -> None:
    """Long work cut into pieces: ``step(**kwargs)`` does one bounded piece (idempotent: doing it twice
    changes nothing) and returns the arguments of the next, or None when all is done. Pieces follow each
    other for up to ``TASK_BATCH_SECONDS``; the rest goes to a new run of ``task`` on the same queue, sent
    before this one is acknowledged. So no run comes near the visibility timeout, and a run of a worker that
    died is delivered again and starts from the last piece done (the database is the checkpoint)."""
    deadline = time.monotonic() + settings.TASK_BATCH_SECONDS
    while kwargs is not None:
        kwargs = step(**kwargs)
        if kwargs is not None and time.monotonic() >= deadline:
            queue = (task.request.delivery_info or {}).get("routing_key")
            task.apply_async(kwargs=kwargs, queue=queue)
            return


@shared_task
def heartbeat(token: str = "beat", source: str = "beat") -> int:
    """Write a heartbeat row: the scheduler and worker are alive (and the integration test's proof)."""
    return Heartbeat.objects.create(source=source, token=token).pk


@shared_task
def nightly_backup() -> str:
    """Beat's nightly backup (``jiangyan.backups``): the day's dump, unless one was already taken (a run
    delivered again), then the deletion of those older than ``BACKUP_KEEP_DAYS``."""
    backup = backups.latest_backup()
    if backup is None or backup.taken.date() != timezone.localdate():
        backup = backups.create_backup()
    deleted = backups.prune_backups()
    logger.info("backup %s; %d old backup files deleted", backup.database.name, len(deleted))
    return str(backup.database)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_outbox_message(message_id: int) -> bool:
    """Run one outbox message now (sent when the change that wrote it commits; ``jiangyan.outbox``)."""
    return outbox.deliver(message_id)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def drain_outbox(self, after: int = 0) -> None:
    """Beat's sweep: every outbox message still pending (its prompt request was lost with the broker, or its
    task failed and its pause is over), delivered in pieces."""
    in_batches(self, outbox.drain_step, after=after)


@shared_task
def audit_retention() -> int:
    """Delete the audit events past ``AUDIT_RETENTION_DAYS`` (jiangyan.core.audit.audit_purge)."""
    from jiangyan.core.audit import audit_purge

    return audit_purge()
