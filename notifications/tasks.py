"""The e-mails that follow notifications (sent through ``jiangyan.outbox`` by ``notify``)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


# Named as it was when it lived in ``jiangyan.tasks``: outbox rows waiting in a database name the task.
@shared_task(name="jiangyan.tasks.email_notifications", acks_late=True, reject_on_worker_lost=True)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail the notifications not e-mailed yet (idempotent: a redelivered task sends nothing twice). Each
    claim commits before its e-mail goes out (run outside a transaction, as ``jiangyan.outbox`` runs it); a
    failed sending gives it back, so a later run sends it."""
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
        try:
            send_mail(notification.title, body, None, [notification.recipient.email])
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            raise
        sent += 1
    return sent
