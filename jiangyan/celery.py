"""The Celery app (``jiangyan.celery:app``) and every periodic schedule, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

app = Celery("jiangyan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# All schedules (Asia/Shanghai, ``CELERY_TIMEZONE``). "一周一督促、一旬一通报、一月一调度": each report task
# generates the periods that have ended and have no report yet, so a run missed while beat was down is
# caught up by the next one (docs/reports.md).
app.conf.beat_schedule = {
    "heartbeat": {"task": "jiangyan.tasks.heartbeat", "schedule": crontab(minute="*/5")},
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
    "refresh-schedules": {"task": "projects.tasks.refresh_schedules", "schedule": crontab(hour=0, minute=5)},
}
