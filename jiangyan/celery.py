"""The Celery app (``jiangyan.celery:app``) and every periodic schedule, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

app = Celery("jiangyan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# All schedules (Asia/Shanghai). The supervision loop adds its reports here.
app.conf.beat_schedule = {
    "heartbeat": {"task": "jiangyan.tasks.heartbeat", "schedule": crontab(minute="*/5")},
    # Just after midnight: today's expected % of every project (projects.schedule.store_schedule).
    "refresh-schedules": {"task": "projects.tasks.refresh_schedules", "schedule": crontab(hour=0, minute=5)},
}
