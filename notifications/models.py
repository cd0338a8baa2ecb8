"""Notifications: what the portal tells a person (the header's unread count, the notification centre and,
when e-mail is configured, an e-mail)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiangyan.core.scoping import ScopedQuerySet
from jiangyan.helpers import clock, wording


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """A notification is its recipient's alone, to read and to mark read."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def editable_by(self, user) -> "NotificationQuerySet":
        return self.visible_to(user)

    def for_user(self, user) -> "NotificationQuerySet":
        return self.visible_to(user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notification (the header's unread count, the notification centre). Written only by
    :func:`notifications.services.notify`, at most once per recipient, reason, object and period."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    reason = models.CharField(_("事由"), max_length=60, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # What it is about (``app_label.model:pk``, empty for none) and the period it belongs to: with the
    # recipient and the reason, the key of "at most once".
    target = models.CharField(_("对象"), max_length=100, blank=True)
    period = models.CharField(_("周期"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("时间"), default=clock.now, editable=False, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "reason", "target", "period"],
                name="notification_once_per_recipient_reason_object_period",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        # The table it had when it was a model of the site app (jiangyan/migrations/0002): kept, with its
        # rows.
        db_table = "jiangyan_notification"

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.title}"

    @property
    def local_title(self) -> str:
        """The title in the reader's language (stored in the site's: ``jiangyan.helpers.wording``)."""
        return wording.read(self.title)

    @property
    def local_body(self) -> str:
        return wording.read(self.body)
