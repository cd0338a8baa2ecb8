"""The one way to record an audit event, and the record of a state transition.

The record is a hash chain (docs/audit.md): each event's ``hash`` is an HMAC-SHA256, under
``AUDIT_CHAIN_KEY``, of its content and of the previous event's hash. Appending takes a transaction-wide
lock (``pg_advisory_xact_lock`` on PostgreSQL; SQLite serialises writers itself), so two simultaneous events
cannot both chain to the same predecessor; the lock lasts until the change that wrote the event commits.
"""

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from jiangyan.helpers import clock
from jiangyan.models import AuditEvent

from .pagecache import changed
from .site import change_topics

# The label of an actor without an account, stored in the site's language (read in the reader's: the
# audit pages read it through ``jiangyan.helpers.wording.read``).
ANONYMOUS_LABEL = gettext_noop("匿名")


def actor_label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ANONYMOUS_LABEL
    return actor.display_name


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    label: str = "",
) -> AuditEvent:
    """Append what ``actor`` did to ``target``. Call inside the transaction of the change itself, so the
    event exists exactly when the change does. ``label`` names an actor without an account (a query code)."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    # Every change is audited, so every change refreshes the cached pages that show it, once it commits.
    changed(*change_topics(verb, target))
    return _append(
        actor=user,
        actor_label=label or actor_label(actor),
        verb=verb,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=_site_text(target)[:200],
        before=before,
        after=after,
        note=str(note),
    )


def _site_text(target: models.Model) -> str:
    """An object as the site's language names it (a lookup row's ``str`` follows the reader's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(target)


def audit_security(
    *, actor, verb: str, subject: str, after: dict[str, Any] | None = None, note: str = "", label: str = ""
) -> AuditEvent:
    """A security event without an object of the registries (a refusal, a download, a sign-in failure):
    its target is the record itself (``target_id`` ``security``), ``subject`` says what it was about."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return _append(
        actor=user,
        actor_label=label or actor_label(actor),
        verb=verb,
        target_type=ContentType.objects.get_for_model(AuditEvent),
        target_id=SECURITY_TARGET,
        target_repr=subject[:200],
        before=None,
        after=after,
        note=str(note),
    )


SECURITY_TARGET = "security"
_CHAIN_LOCK = 0x6A79_0A0D  # the advisory lock of the chain ("jy", audit)


def _chain_key() -> bytes:
    return (settings.AUDIT_CHAIN_KEY or settings.SECRET_KEY).encode()


def _plain_json(value: Any) -> Any:
    return None if value is None else json.loads(json.dumps(value))


def event_hash(*, prev_hash: str, created_at: datetime.datetime, **content: Any) -> str:
    """The HMAC of one event: its content (not ``actor``, which deleting a user clears; ``actor_label``
    keeps who it was) and the hash of the event before it."""
    payload = {
        "prev": prev_hash,
        "at": created_at.astimezone(datetime.UTC).isoformat(),
        "actor_label": content["actor_label"],
        "verb": content["verb"],
        "target_type": content["target_type_id"],
        "target_id": content["target_id"],
        "target_repr": content["target_repr"],
        "before": _plain_json(content["before"]),
        "after": _plain_json(content["after"]),
        "note": content["note"],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(_chain_key(), text.encode(), hashlib.sha256).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _last_hash() -> str:
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""


def _append(*, target_type: ContentType, prev_hash: str | None = None, **fields: Any) -> AuditEvent:
    with transaction.atomic():
        _lock_chain()
        if prev_hash is None:
            prev_hash = _last_hash()
        created_at = clock.now()
        digest = event_hash(
            prev_hash=prev_hash, created_at=created_at, target_type_id=target_type.pk, **fields
        )
        return AuditEvent.objects.create(
            target_type=target_type, created_at=created_at, prev_hash=prev_hash, hash=digest, **fields
        )


def audit_seal(events: list[AuditEvent]) -> None:
    """Make unsaved ``events``, in their order, the next links of the chain (``prev_hash`` and ``hash``),
    for a writer in bulk (the demo's history). Call inside the transaction that writes them, just before:
    the chain stays locked until it commits, so they must get the next ids."""
    _lock_chain()
    prev = _last_hash()
    for event in events:
        event.prev_hash = prev
        event.hash = prev = _stored_hash(event)


# --- verification and retention -------------------------------------------------------------------------

PURGE_VERB = "audit.purge"


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def _stored_hash(event: AuditEvent) -> str:
    return event_hash(
        prev_hash=event.prev_hash,
        created_at=event.created_at,
        actor_label=event.actor_label,
        verb=event.verb,
        target_type_id=event.target_type_id,
        target_id=event.target_id,
        target_repr=event.target_repr,
        before=event.before,
        after=event.after,
        note=event.note,
    )


def audit_verify() -> Iterator[ChainBreak]:
    """Every place the chain is broken: an event whose content no longer matches its hash (edited), one
    whose ``prev_hash`` is not the hash of the event before it (one deleted or inserted), a first event
    that does not continue from where the last retention run stopped."""
    purge = AuditEvent.objects.filter(verb=PURGE_VERB).order_by("-id").values_list("after", flat=True).first()
    expected = (purge or {}).get("last_hash", "")
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected:
            yield ChainBreak(event.pk, "chain")  # the event before it was deleted, or this one inserted
        if not hmac.compare_digest(event.hash, _stored_hash(event)):
            yield ChainBreak(event.pk, "content")
        expected = event.hash


def audit_purge(*, now: datetime.datetime | None = None) -> int:
    """The retention job: delete the events older than ``AUDIT_RETENTION_DAYS`` (never fewer than 180 days),
    oldest first, and record where the chain now starts. The only deletion the trigger lets through."""
    days = max(settings.AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)
    cutoff = (now or clock.now()) - datetime.timedelta(days=days)
    with transaction.atomic():
        _lock_chain()
        old = AuditEvent.objects.filter(created_at__lt=cutoff).order_by("-id")
        last = old.values("id", "hash").first()
        if last is None:
            return 0
        newest = _last_hash()
        doomed = AuditEvent.objects.filter(id__lte=last["id"])
        with pgtrigger.ignore("jiangyan.AuditEvent:audit_no_delete"):
            count, _by_model = doomed.delete()
        _append(
            actor=None,
            actor_label="retention",
            verb=PURGE_VERB,
            target_type=ContentType.objects.get_for_model(AuditEvent),
            target_id=SECURITY_TARGET,
            target_repr=f"< {cutoff:%Y-%m-%d}",
            before=None,
            after={"count": count, "last_id": last["id"], "last_hash": last["hash"], "days": days},
            note="",
            prev_hash=newest,
        )
        return count


MIN_RETENTION_DAYS = 180


def audit_transition(
    *,
    actor,
    verb: str,
    target: models.Model,
    before: str,
    after: str,
    field: str = "status",
    note: str = "",
    label: str = "",
    **details: Any,
) -> AuditEvent:
    """The event of a state transition: ``{field: before}`` → ``{field: after, **details}``."""
    return audit_record(
        actor=actor,
        verb=verb,
        target=target,
        before={field: str(before)},
        after={field: str(after), **details},
        note=note,
        label=label,
    )


def personal_data_viewed(*, actor, target: models.Model, fields: list[str]) -> AuditEvent:
    """Log that ``actor`` saw personal information of ``target`` in full (PIPL: every full view is logged)."""
    return audit_record(actor=actor, verb="personal_data.view", target=target, after={"fields": fields})


ADMIN_VERBS = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}  # LogEntry's ADDITION, CHANGE, DELETION


def admin_change_recorded(sender, instance, created: bool, **kwargs) -> None:
    """A change made in the Django admin (its ``LogEntry`` was written) is an audit event too, in the same
    transaction: who, what, which object, and the admin's own description of the change."""
    if not created or instance.content_type_id is None:
        return
    user = instance.user
    _append(
        actor=user,
        actor_label=actor_label(user),
        verb=ADMIN_VERBS.get(instance.action_flag, "admin.change"),
        target_type=instance.content_type,
        target_id=str(instance.object_id or "")[:64],
        target_repr=instance.object_repr[:200],
        before=None,
        after=None,
        note=str(instance.get_change_message()),
    )


def personal_data_downloaded(*, actor, subject: str, fields: list[str], note: str = "") -> AuditEvent:
    """Log a download of personal information in full (a resident's own data, the answer to a personal
    information request): who, whose, which fields."""
    return audit_security(
        actor=actor, verb="personal_data.download", subject=subject, after={"fields": fields}, note=note
    )


def check_retention(app_configs=None, **kwargs):
    """System check: the record is kept at least 180 days (GB/T 22239 level 3, 安全审计)."""
    from django.core import checks

    if settings.AUDIT_RETENTION_DAYS < MIN_RETENTION_DAYS:
        return [
            checks.Error(f"AUDIT_RETENTION_DAYS must be at least {MIN_RETENTION_DAYS}", id="jiangyan.E021")
        ]
    return []
