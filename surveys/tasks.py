"""Celery tasks of the surveys app (schedules in ``jiangyan/celery.py``)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def erase_expired_phones() -> int:
    """Nightly: erase the phones of surveys closed more than SURVEY_PHONE_RETENTION_DAYS ago (PIPL)."""
    return services.surveys_erase_expired_phones()
