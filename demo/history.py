"""The demo's history. ``Life``: the acts of an object's life called through its app's services on the
days they happened (``jiangyan.helpers.clock.at``), so the rows and the record are what the services write —
the wishes live this way. ``Record``: audit events written in bulk with the timestamps of past days and
exactly the verb, actor, before, after and note the services write for the same act, for the apps not yet
moved to the services (projects, surveys; ``tests/demo/test_history.py`` replays them through the services and
compares). A row of those apps dated in the past is given its ``created_at`` (a ``clock.now`` default,
which a value given wins over)."""

import datetime
from collections.abc import Callable
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from jiangyan.core.audit import actor_label, audit_seal
from jiangyan.helpers import clock
from jiangyan.models import AuditEvent

from .bulk import copy_objects, reserve_ids


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


class Life:
    """The acts of one object's life, each a service call on the moment it happened: ``run`` calls them in
    time order (acts of one moment in the order given), each under ``jiangyan.helpers.clock.at`` its moment,
    so the services write the rows and the record dated that day. The first act creates the object; each later
    one gets it as the keyword ``target`` (``wish=``) and gives back the object as it now is."""

    def __init__(self, target: str):
        self.target = target
        self.acts: list[tuple[datetime.datetime, Callable, dict]] = []

    def on(self, at: datetime.datetime, service: Callable, /, **kwargs) -> None:
        self.acts.append((at, service, kwargs))

    def run(self):
        obj = None
        for at, service, kwargs in sorted(self.acts, key=itemgetter(0)):
            with clock.at(at):
                result = service(**kwargs) if obj is None else service(**{self.target: obj}, **kwargs)
            if obj is None or isinstance(result, type(obj)):
                obj = result
        return obj
