"""The one clock the services read: ``now()`` and ``localdate()``, the wall clock unless a caller has set it
with ``at(moment)``.

The demo district (``demo/``) runs the services on the past days its history tells of — a wish entered
three weeks ago, claimed the next day — so what it writes is exactly what the services write, dated when it
happened. Every service, every selector that decides a state (a claim overdue, a team's window, a report
due) and every model default that stamps a row (``created_at``: ``default=clock.now``) reads this clock,
never ``timezone.now()``. The clock is a context variable: it holds for the code inside ``at`` in this
thread (or task) only, so a request served meanwhile in another thread reads the wall clock.

Not read through the clock: ``auto_now`` (``updated_at``, when the row was last written — the version of
what a cached fragment shows) and the machinery's own times (sessions, caches, task schedules)."""

import contextlib
import contextvars
import datetime
from collections.abc import Iterator

from django.utils import timezone

_set: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("clock", default=None)


def now() -> datetime.datetime:
    """The current moment (aware): the moment ``at`` has set, else the wall clock."""
    moment = _set.get()
    return timezone.now() if moment is None else moment


def localdate() -> datetime.date:
    """Today in the site's time zone, by :func:`now`."""
    return timezone.localdate(now())


@contextlib.contextmanager
def at(moment: datetime.datetime) -> Iterator[datetime.datetime]:
    """Run the code inside on ``moment`` (an aware datetime): :func:`now` answers it, unmoving, until the
    block ends. Nested blocks set their own moment and give the outer one back."""
    if timezone.is_naive(moment):
        raise ValueError("clock.at needs an aware datetime")
    token = _set.set(moment)
    try:
        yield moment
    finally:
        _set.reset(token)
