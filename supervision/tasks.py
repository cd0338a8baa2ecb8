"""Celery tasks of the supervision loop: thin (load, call the service), idempotent, acknowledged only once
done (``acks_late``) and handed back to the queue when the worker dies (``reject_on_worker_lost``), so a
report interrupted half-way is generated again — and still exists once (unique per kind and period).
Their schedules are in ``jiangyan/celery.py``."""

import datetime

from celery import shared_task

from jiangyan.tasks import in_batches

from . import services


def _generate_oldest_missing(kind: str) -> dict | None:
    return {"kind": kind} if services.report_catch_up(kind=kind, limit=1) else None


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def generate_reports(self, kind: str) -> None:
    """Beat's entry point: every report of ``kind`` whose period has ended and is missing (catch-up), one
    period at a time, continued in a new run after ``TASK_BATCH_SECONDS`` (``jiangyan.tasks.in_batches``):
    a worker killed in a catch-up of many periods leaves at most one report to do again."""
    in_batches(self, _generate_oldest_missing, kind=kind)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_report(kind: str, day: str, force: bool = False) -> int:
    """The report of ``kind`` for the period containing ``day`` (ISO date), generated again if it exists."""
    period = services.report_period(kind, datetime.date.fromisoformat(day))
    return services.report_generate(kind=kind, period=period, force=force).pk
