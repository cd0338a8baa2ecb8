"""Tasks of the project registry (thin: load, call; scheduled in ``jiangyan/celery.py``)."""

from celery import shared_task

from jiangyan.pagecache import data_changed

from .models import Project
from .schedule import store_schedule


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_schedules() -> int:
    """Store every project's schedule figures for today: the expected % moves with the date even when
    nobody touches a project. Idempotent."""
    stored = store_schedule(Project.objects.all())
    data_changed()  # the showcase's progress bars moved
    return stored
