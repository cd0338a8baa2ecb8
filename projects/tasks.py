"""Tasks of the project registry (thin: load, call; scheduled in ``jiangyan/celery.py``)."""

import datetime

from celery import shared_task
from django.utils import timezone

from jiangyan.core.pagecache import data_changed
from jiangyan.core.periods import PeriodKind, last_complete
from jiangyan.tasks import in_batches

from .models import Project
from .schedule import keep_snapshots, store_schedule

BATCH = 500  # projects per piece of the daily refresh


def snapshot_dates(today: datetime.date) -> list[datetime.date]:
    """The past dates whose schedule figures are kept stored: the ends of the last complete week (the
    dashboard's ranking), 旬 and month (the reports generated for them)."""
    return sorted(
        {last_complete(kind, today).end for kind in (PeriodKind.WEEK, PeriodKind.TENDAY, PeriodKind.MONTH)}
    )


def store_schedules(today: datetime.date | None = None) -> int:
    """Today's figures of every project, and its snapshots at :func:`snapshot_dates` (the demo seeder)."""
    today = today or timezone.localdate()
    projects = Project.objects.all()
    keep_snapshots(projects, dates=snapshot_dates(today))
    # Today's figures, and the kept snapshots refreshed with them (the new dates were just stored twice:
    # once a day, for the days a period ends).
    return store_schedule(projects, on=today)


def _store_after(after: int, today: str) -> dict | None:
    day = datetime.date.fromisoformat(today)
    if not after:
        # The snapshot dates move for all projects at once (one statement per new date), before the pieces.
        keep_snapshots(Project.objects.all(), dates=snapshot_dates(day))
    pks = list(Project.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH])
    if not pks:
        return None
    store_schedule(Project.objects.filter(pk__in=pks), on=day)
    data_changed()  # the showcase's progress bars moved
    return {"after": pks[-1], "today": today} if len(pks) == BATCH else None


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def refresh_schedules(self, after: int = 0, today: str = "") -> None:
    """Store every project's schedule figures for today (the expected % moves with the date even when
    nobody touches a project) and the snapshots the reports and the dashboard read. In pieces of
    ``BATCH`` projects by id (``jiangyan.tasks.in_batches``), all for the day the run began; idempotent."""
    in_batches(self, _store_after, after=after, today=today or timezone.localdate().isoformat())
