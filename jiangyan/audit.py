"""The one way to record an audit event, and the record of a state transition."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent
from .pagecache import changed
from .site import change_topics


def actor_label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "匿名"
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
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label or actor_label(actor),
        verb=verb,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        before=before,
        after=after,
        note=str(note),
    )


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
