"""Celery tasks of the wishes app (schedules in ``jiangyan/celery.py``)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_overdue_claims() -> int:
    """Daily: tell each member whose claim passed its promised date (once per claim and promised date)."""
    return services.wish_remind_overdue_claims()
