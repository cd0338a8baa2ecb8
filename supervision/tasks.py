"""Celery tasks of the supervision loop: thin (load, call the service), idempotent, acknowledged only once
done (``acks_late``) and handed back to the queue when the worker dies (``reject_on_worker_lost``), so a
report interrupted half-way is generated again — and still exists once (unique per kind and period).
Their schedules are in ``jiangyan/celery.py``."""

import datetime

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_reports(kind: str) -> list[int]:
    """Beat's entry point: every report of ``kind`` whose period has ended and is missing (catch-up)."""
    return [report.pk for report in services.report_catch_up(kind=kind)]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_report(kind: str, day: str, force: bool = False) -> int:
    """The report of ``kind`` for the period containing ``day`` (ISO date), generated again if it exists."""
    period = services.report_period(kind, datetime.date.fromisoformat(day))
    return services.report_generate(kind=kind, period=period, force=force).pk
