"""The demo's record of what happened: audit events written in bulk, with the timestamps of the past days
they tell about, and with exactly the verb, actor, before, after and note the services write for the same
act (``tests/demo/test_history.py`` runs the services and compares). Demo only: nothing else may date an
event or a row in the past."""

import contextlib
import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from jiangyan.core.audit import actor_label, audit_seal
from jiangyan.models import AuditEvent

from .bulk import copy_objects, reserve_ids


@contextlib.contextmanager
def historic_timestamps(*model_classes: type[models.Model]):
    """Let ``bulk_create`` keep the ``created_at`` given to rows of ``model_classes`` (their field has
    ``auto_now_add``), for rows that tell of past days."""
    fields = [m._meta.get_field("created_at") for m in model_classes]
    kept = [field.auto_now_add for field in fields]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, was in zip(fields, kept, strict=True):
            field.auto_now_add = was


class Record:
    """Collects audit events and writes them at once (``save``), in the order they were added."""

    def __init__(self):
        self.events: list[AuditEvent] = []
        self._types: dict[type, ContentType] = {}

    def add(
        self,
        *,
        at: datetime.datetime,
        actor,
        verb: str,
        target: models.Model,
        before=None,
        after=None,
        note: str = "",
        label: str = "",
    ) -> None:
        """What ``jiangyan.core.audit.audit_record`` would write for the same call, dated ``at``."""
        kind = type(target)
        if kind not in self._types:
            self._types[kind] = ContentType.objects.get_for_model(target, for_concrete_model=False)
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        self.events.append(
            AuditEvent(
                actor=user,
                actor_label=label or actor_label(actor),
                verb=verb,
                target_type=self._types[kind],
                target_id=str(target.pk),
                target_repr=str(target)[:200],
                before=before,
                after=after,
                note=str(note),
                created_at=at,
            )
        )

    def transition(self, *, at, actor, verb, target, before: str, after: str, note="", label="", **details):
        """What ``jiangyan.core.audit.audit_transition`` would write, dated ``at``."""
        self.add(
            at=at,
            actor=actor,
            verb=verb,
            target=target,
            before={"status": str(before)},
            after={"status": str(after), **details},
            note=note,
            label=label,
        )

    def save(self) -> int:
        """Write the events, in order, as links of the chain (``jiangyan.core.audit.audit_seal``)."""
        with transaction.atomic():
            audit_seal(self.events)
            copy_objects(self.events, ids=reserve_ids(AuditEvent, len(self.events)))
        count = len(self.events)
        self.events = []
        return count
