import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Heartbeat, Notification

logger = logging.getLogger(__name__)


@shared_task
def heartbeat(token: str = "beat", source: str = "beat") -> int:
    """Write a heartbeat row: the scheduler and worker are alive (and the integration test's proof)."""
    return Heartbeat.objects.create(source=source, token=token).pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail the notifications not e-mailed yet (idempotent: a redelivered task sends nothing twice)."""
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "recipient"
    )
    for notification in pending:
        if not notification.recipient.email:
            continue
        # Claim the row first, so two workers running the same task never both send it.
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.url}"
        send_mail(notification.title, body, None, [notification.recipient.email])
        sent += 1
    return sent
