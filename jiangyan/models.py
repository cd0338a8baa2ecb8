"""Cross-cutting records every registry writes (the append-only audit trail, worker heartbeats) and the
abstract bases the registries share (ordered lookup tables, photos)."""

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiangyan.helpers import clock, wording
from jiangyan.helpers.names import local_name
from jiangyan.helpers.uploads import random_upload_path

# Human labels of audit verbs, shown in an object's history. Each app declares its verbs as
# ``audit_verbs`` on its AppConfig (``jiangyan.core.site.PortalAppConfig``), registered when the app is ready.
VERB_LABELS: dict[str, str] = {}


def register_verbs(labels: dict[str, str]) -> None:
    VERB_LABELS.update(labels)


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(
            target_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            target_id=str(obj.pk),
        )


# The columns of an audit event the trigger keeps as they are (all but ``actor``: deleting a user clears it).
_KEPT = ("id", "actor_label", "verb", "target_type_id", "target_id", "target_repr", "before", "after", "note")
_KEPT += ("created_at", "prev_hash", "hash")
_OLD = ", ".join(f"OLD.{c}" for c in _KEPT)
_NEW = ", ".join(f"NEW.{c}" for c in _KEPT)


class AuditEvent(models.Model):
    """One thing somebody did: who, what verb, to which object, the state before and after, when.

    Append-only: saving an existing row or deleting one raises, and on PostgreSQL a trigger refuses UPDATE
    and DELETE (only the retention job, ``jiangyan.core.audit.audit_purge``, may delete events past
    ``AUDIT_RETENTION_DAYS``; deleting a user may clear ``actor``). Each event carries ``hash``, an HMAC of
    its content and of the previous event's hash (``prev_hash``), so ``manage.py verify_audit`` finds an
    event edited, deleted or inserted behind the portal's back. Write it only through
    :func:`jiangyan.core.audit.audit_record` (or ``audit_security``).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人说明"), max_length=100, blank=True)
    verb = models.CharField(_("动作"), max_length=60, db_index=True)
    target_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT)
    target_id = models.CharField(_("对象编号"), max_length=64)
    target_repr = models.CharField(_("对象"), max_length=200)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # Set before the insert (not auto_now_add), as it is part of the hash.
    created_at = models.DateTimeField(_("时间"), default=clock.now, db_index=True)
    prev_hash = models.CharField(_("前一条校验值"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("校验值"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]
        triggers = [
            # Nobody rewrites the record, not even with database access: only the retention job deletes
            # (inside ``pgtrigger.ignore``), and clearing the actor of a deleted user is allowed (it is
            # not part of the hash; the actor's label is).
            pgtrigger.Protect(name="audit_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="audit_no_update",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    f"ROW({_OLD})::text IS DISTINCT FROM ROW({_NEW})::text"
                    " OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("AuditEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("AuditEvent is append-only")

    @property
    def verb_label(self) -> str:
        return VERB_LABELS.get(self.verb, self.verb)

    @property
    def note_text(self) -> str:
        """The note in the reader's language (stored in the site's: ``jiangyan.helpers.wording``)."""
        return wording.read(self.note)

    @property
    def actor_text(self) -> str:
        """Who, as the reader reads it: a person's name as stored, an actor without a name (匿名, 定时任务 …)
        by its label."""
        return wording.read(self.actor_label)


class Heartbeat(models.Model):
    """A row written by the Celery worker: proves that a task sent from Django ran."""

    source = models.CharField(max_length=40)
    token = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("任务心跳")
        verbose_name_plural = _("任务心跳")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M:%S}"


class OrderedLookup(models.Model):
    """An admin-editable lookup table with a display order (programs, domains, problem categories …)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    name_en = models.CharField(
        _("英文名称"), max_length=80, blank=True, help_text=_("英文页面显示的名称；留空则显示中文名称。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the reader's language: ``name_en`` on an English page when it has one."""
        return local_name(self.name, self.name_en)


class Photo(models.Model):
    """A checked, re-encoded image (``jiangyan.helpers.uploads``) stored under a random name in a folder named
    after the app, with who uploaded it and when."""

    image = models.ImageField(_("图片"), upload_to=random_upload_path())
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=clock.now, editable=False)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """Work a change asks a worker to do once it has committed (e-mail its notifications …): a Celery task's
    name and arguments, written in the change's own transaction by :func:`jiangyan.outbox.send`, so it
    exists exactly when the change does, whether or not the broker answers. Delivered once: the worker that
    takes it holds it (``available_at``) while it runs, then marks it done (``jiangyan.outbox.deliver``)."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # Not before: a message whose delivery failed waits a little longer after each attempt.
    available_at = models.DateTimeField(default=clock.now)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["available_at"], condition=models.Q(done_at__isnull=True), name="outbox_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.task} {'done' if self.done_at else 'pending'}"
