"""Celery tasks of the wishes app (schedules in ``jiangyan/celery.py``)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_overdue_claims() -> int:
    """Daily: tell each member whose claim passed its promised date (once per claim and promised date)."""
    return services.wish_remind_overdue_claims()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def erase_expired_contacts() -> int:
    """Nightly: erase the contact details of wishes past WISH_CONTACT_RETENTION_DAYS (PIPL), in batches."""
    total = 0
    while erased := services.wishes_erase_expired():
        total += erased
    return total
