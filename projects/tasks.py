"""Tasks of the project registry (thin: load, call; scheduled in ``jiangyan/celery.py``)."""

from celery import shared_task

from jiangyan.pagecache import data_changed
from jiangyan.tasks import in_batches

from .models import Project
from .schedule import store_schedule

BATCH = 500  # projects per piece of the daily refresh


def _store_after(after: int) -> dict | None:
    pks = list(Project.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH])
    if not pks:
        return None
    store_schedule(Project.objects.filter(pk__in=pks))
    data_changed()  # the showcase's progress bars moved
    return {"after": pks[-1]} if len(pks) == BATCH else None


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def refresh_schedules(self, after: int = 0) -> None:
    """Store every project's schedule figures for today: the expected % moves with the date even when
    nobody touches a project. In pieces of ``BATCH`` projects by id (``jiangyan.tasks.in_batches``);
    idempotent."""
    in_batches(self, _store_after, after=after)
