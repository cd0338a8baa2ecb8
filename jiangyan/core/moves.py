"""State machines as data (docs/architecture.md, "State machines").

Each entity with states writes its moves once, in its app's ``choices.py``, as a :class:`Machine`: a table
of :class:`Move` rows — from which states, the action's name, to which state, which roles may make it, and
the extra guards it needs. The app's selectors give meaning to the role and guard names (predicates
``(actor, obj, facts) -> bool``, where ``facts`` is what the selector knows of the actor — read once per
request, so a list costs the same few queries at any length) and answer ``<entity>_actions_for(actor,
obj)``: the actions this person may take on this object now. Pages draw exactly those buttons, the API
lists them on each object (``actions``), and the service asks the same question on the row it has locked
(:meth:`Machine.require`) — so a button is never shown that the service then refuses, and a move the
table does not hold is refused whatever the caller.

The service still checks its input (a reason, a date) and reports the refusals it knows best with their own
message and code (claim limit, already claimed); :meth:`Machine.require` is the same rule they implement,
applied last, so the table and the service cannot drift apart. ``tests/test_state_machines.py`` walks
every state × role of every machine and finds page, API and service agree."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .exceptions import ConflictError

# A role or guard predicate: (actor, obj, facts) -> bool.
Check = Callable[[Any, Any, Any], bool]


@dataclass(frozen=True)
class Move:
    """One row of a state table: ``action`` takes an object in one of ``sources`` to ``target`` (blank when
    the outcome depends on the input, as a follow-up's rating), for an actor holding any of ``roles`` when
    every one of ``guards`` holds too."""

    sources: tuple[str, ...]
    action: str
    target: str
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()


@dataclass(frozen=True)
class Machine:
    """A state table, read from ``obj.<state_field>``."""

    moves: tuple[Move, ...]
    state_field: str = "status"
    _by_action: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_action: dict[str, list[Move]] = {}
        for move in self.moves:
            by_action.setdefault(move.action, []).append(move)
        object.__setattr__(self, "_by_action", by_action)

    @property
    def actions(self) -> list[str]:
        """Every action name, in table order (the API's enum)."""
        return list(self._by_action)

    def sources(self, action: str) -> tuple[str, ...]:
        """The states ``action`` may start from."""
        return tuple(s for move in self._by_action.get(action, ()) for s in move.sources)

    def move(self, action: str, state: str) -> Move | None:
        for candidate in self._by_action.get(action, ()):
            if state in candidate.sources:
                return candidate
        return None

    def _passes(self, move: Move, actor, obj, facts, roles: Mapping[str, Check], guards: Mapping[str, Check]):
        if not any(roles[role](actor, obj, facts) for role in move.roles):
            return False
        return all(guards[guard](actor, obj, facts) for guard in move.guards)

    def allowed(
        self, actor, obj, facts, *, roles: Mapping[str, Check], guards: Mapping[str, Check] | None = None
    ) -> list[str]:
        """The actions ``actor`` may take on ``obj`` now, in table order."""
        state = getattr(obj, self.state_field)
        found = []
        for action in self._by_action:
            move = self.move(action, state)
            if move is not None and self._passes(move, actor, obj, facts, roles, guards or {}):
                found.append(action)
        return found

    def require(
        self,
        action: str,
        actor,
        obj,
        facts,
        *,
        roles: Mapping[str, Check],
        guards: Mapping[str, Check] | None = None,
        refusals: Mapping[str, Callable[[], Exception]] | None = None,
    ) -> Move:
        """The move, or ConflictError (the state does not allow ``action``) / PermissionDenied (this
        actor may not make it now). ``refusals`` names, for a guard, the error its failure raises instead
        (the refusal the service gives for the same rule, so a race that the guard catches reads the same).
        Services call it on the row they have locked."""
        state = getattr(obj, self.state_field)
        move = self.move(action, state)
        if move is None:
            raise ConflictError(_("当前状态不能执行该操作。"), code="illegal_transition")
        guards = guards or {}
        if not any(roles[role](actor, obj, facts) for role in move.roles):
            raise PermissionDenied(_("您没有执行该操作的权限。"))
        for guard in move.guards:
            if not guards[guard](actor, obj, facts):
                if refusals and guard in refusals:
                    raise refusals[guard]()
                raise PermissionDenied(_("您没有执行该操作的权限。"))
        return move

    def check_names(self, roles: Iterable[str], guards: Iterable[str] = ()) -> None:
        """Assert every role and guard the table names is defined (the selector calls it at import)."""
        roles, guards = set(roles), set(guards)
        for move in self.moves:
            missing = (set(move.roles) - roles) | (set(move.guards) - guards)
            assert not missing, f"{move.action}: undefined {missing}"
