"""The one way any app tells people something: :func:`notify`.

A notification row is written in the caller's transaction (it exists exactly when the change that caused
it does) and at most once per (recipient, reason, object, period): notifying again — a retried task, a
report generated twice — changes nothing. When ``EMAIL_URL`` is configured, an e-mail follows once the
transaction has committed, sent by a Celery task through the outbox (``jiangyan.outbox``): once, and also
when the broker was down at the time."""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, models, transaction

from jiangyan import outbox
from jiangyan.core.pagecache import changed, personal_topic
from jiangyan.helpers import clock

from .models import Notification
from .tasks import email_notifications


def target_key(obj: models.Model | None) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else ""


def notify(
    *,
    recipients: Iterable,
    reason: str,
    title: str,
    body: str = "",
    url: str = "",
    target: models.Model | None = None,
    period: str = "",
) -> list[Notification]:
    """Notify each of ``recipients`` (users; duplicates and ``None`` are ignored). Returns the
    notifications that are new; those already sent for the same key are left as they are."""
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        key = {
            "recipient": user,
            "reason": reason,
            "target": target_key(target),
            "period": period,
        }
        try:
            with transaction.atomic():
                notification, is_new = Notification.objects.get_or_create(
                    **key, defaults={"title": str(title)[:200], "body": str(body), "url": url[:300]}
                )
        except IntegrityError:  # a simultaneous notify() with the same key won
            continue
        if is_new:
            created.append(notification)
    changed(*(personal_topic(n.recipient_id) for n in created))  # the unread count in their header
    if created and settings.NOTIFY_BY_EMAIL:
        ids = [n.pk for n in created if n.recipient.email]
        if ids:
            # In the caller's transaction: the e-mail follows the commit even when the broker is down now.
            outbox.send(email_notifications, notification_ids=ids)
    return created


def mark_read(*, actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark ``actor``'s notifications read (all unread ones when ``notification_ids`` is None)."""
    unread = Notification.objects.for_user(actor).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    marked = unread.update(read_at=clock.now())
    if marked:
        changed(personal_topic(actor.pk))
    return marked
