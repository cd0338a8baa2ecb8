"""The Celery app (``jiangyan.celery:app``), every periodic schedule, in one place, and beat's scheduler
(which stamps beat's heartbeat for ``/healthz``)."""

import logging
import os
import time

from celery import Celery
from celery.beat import PersistentScheduler
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

app = Celery("jiangyan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)
# The source of the heartbeat row that beat's scheduler keeps moving on (``/healthz`` reads it).
BEAT_SOURCE = "scheduler"


def stamp_beat() -> None:
    """Beat is alive now: move its heartbeat row on (one row, updated in place)."""
    from django.utils import timezone

    from .models import Heartbeat  # the models load after Django's set-up

    if not Heartbeat.objects.filter(source=BEAT_SOURCE).update(created_at=timezone.now()):
        Heartbeat.objects.create(source=BEAT_SOURCE, token=BEAT_SOURCE)


class Scheduler(PersistentScheduler):
    """Celery's own scheduler that also stamps beat's heartbeat (``stamp_beat``) at most
    every 10 s; beat ticks at least every ``CELERY_BEAT_MAX_LOOP_INTERVAL`` seconds."""

    stamped = 0.0

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        if time.monotonic() - self.stamped >= 10:
            from django.db import close_old_connections

            try:
                close_old_connections()  # a connection the database dropped is opened again
                stamp_beat()
                self.stamped = time.monotonic()
            except Exception:  # the database is down: /healthz says so; beat goes on sending tasks
                logger.exception("beat could not stamp its heartbeat")
        return interval


# All schedules (Asia/Shanghai, ``CELERY_TIMEZONE``). "一周一督促、一旬一通报、一月一调度": each report task
# generates the periods that have ended and have no report yet, so a run missed while beat was down is
# caught up by the next one (docs/reports.md). Set once the app reads its configuration, not at import:
# a settings module that imports this package (bench/settings.py) is not finished yet at that moment.
@app.on_after_configure.connect
def _schedules(sender, **kwargs) -> None:
    sender.conf.beat_schedule = beat_schedule()


def beat_schedule() -> dict:
    return {
        "heartbeat": {"task": "jiangyan.tasks.heartbeat", "schedule": crontab(minute="*/5")},
        # Follow-up work the broker missed (jiangyan.outbox): delivered within OUTBOX_DRAIN_SECONDS of its
        # return.
        "drain-outbox": {
            "task": "jiangyan.tasks.drain_outbox",
            "schedule": float(settings.OUTBOX_DRAIN_SECONDS),
        },
        "weekly-reminder": {
            "task": "supervision.tasks.generate_reports",
            "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
            "kwargs": {"kind": "weekly"},
        },
        "tenday-bulletin": {
            "task": "supervision.tasks.generate_reports",
            "schedule": crontab(minute=0, hour=7, day_of_month="1,11,21"),
            "kwargs": {"kind": "tenday"},
        },
        "monthly-dispatch": {
            "task": "supervision.tasks.generate_reports",
            "schedule": crontab(minute=30, hour=7, day_of_month="1"),
            "kwargs": {"kind": "monthly"},
        },
        "overdue-claims": {
            "task": "wishes.tasks.remind_overdue_claims",
            "schedule": crontab(minute=0, hour=9),
        },
        # Just after midnight: today's expected % of every project (projects.schedule.store_schedule).
        "refresh-schedules": {
            "task": "projects.tasks.refresh_schedules",
            "schedule": crontab(hour=0, minute=5),
        },
        # The nightly backup, and the deletion of those older than BACKUP_KEEP_DAYS (jiangyan.backups).
        "nightly-backup": {"task": "jiangyan.tasks.nightly_backup", "schedule": crontab(hour=2, minute=30)},
        # The audit record's retention (AUDIT_RETENTION_DAYS, at least 180) and PIPL's erasure of contact
        # details past their retention (WISH_CONTACT_RETENTION_DAYS, SURVEY_PHONE_RETENTION_DAYS).
        "audit-retention": {"task": "jiangyan.tasks.audit_retention", "schedule": crontab(hour=3, minute=15)},
        "wish-contact-retention": {
            "task": "wishes.tasks.erase_expired_contacts",
            "schedule": crontab(hour=3, minute=30),
        },
        "survey-phone-retention": {
            "task": "surveys.tasks.erase_expired_phones",
            "schedule": crontab(hour=3, minute=45),
        },
    }
