"""Tasks of the project registry (thin: load, call; scheduled in ``jiangyan/celery.py``)."""

import datetime

from celery import shared_task
from django.utils import timezone

from jiangyan.pagecache import data_changed
from jiangyan.periods import PeriodKind, last_complete

from .models import Project
from .schedule import keep_snapshots, store_schedule


def snapshot_dates(today: datetime.date) -> list[datetime.date]:
    """The past dates whose schedule figures are kept stored: the ends of the last complete week (the
    dashboard's ranking), 旬 and month (the reports generated for them)."""
    return sorted(
        {last_complete(kind, today).end for kind in (PeriodKind.WEEK, PeriodKind.TENDAY, PeriodKind.MONTH)}
    )


def store_schedules(today: datetime.date | None = None) -> int:
    """Today's figures of every project, and its snapshots at :func:`snapshot_dates`."""
    today = today or timezone.localdate()
    projects = Project.objects.all()
    keep_snapshots(projects, dates=snapshot_dates(today))
    # Today's figures, and the kept snapshots refreshed with them (the new dates were just stored twice:
    # once a day, for the days a period ends).
    return store_schedule(projects, on=today)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_schedules() -> int:
    """Store every project's schedule figures for today (the expected % moves with the date even when
    nobody touches a project) and the snapshots the reports and the dashboard read. Idempotent."""
    stored = store_schedules()
    data_changed()  # the showcase's progress bars moved
    return stored
