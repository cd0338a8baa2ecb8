"""Redelivery within minutes (issue 21): with the deployed settings a task of a worker that died comes back
within 5 minutes, no task can still be running when it comes back, and the long tasks are cut into pieces
that continue each other. The SIGKILL itself is in tests/supervision/test_celery.py (real worker on Redis,
a visibility timeout of seconds); the real four minutes are measured by bench/redelivery.py."""

import base64
import importlib
import json
import os
import subprocess
import sys

import pytest
from django.utils import timezone

from jiangyan.celery import app
from projects import tasks as project_tasks
from projects.models import Project
from tests.projects.factories import ProjectFactory
from tests.worker import ROOT

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_TASK_ACKS_LATE", "CELERY_TASK_REJECT_ON_WORKER_LOST",
    "CELERY_WORKER_PREFETCH_MULTIPLIER", "CELERY_TASK_SOFT_TIME_LIMIT", "CELERY_TASK_TIME_LIMIT",
    "TASK_BATCH_SECONDS")}))
"""


def production_settings() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiangyan.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "PII_KEYS": "k1:" + base64.b64encode(b"k" * 32).decode(),
        "PII_INDEX_KEY": base64.b64encode(b"i" * 32).decode(),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    env.pop("TASK_VISIBILITY_TIMEOUT", None)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_a_dead_workers_task_comes_back_within_five_minutes_and_never_while_it_still_runs():
    s = production_settings()
    transport = s["CELERY_BROKER_TRANSPORT_OPTIONS"]
    sweep = transport["unacked_restore_interval"] * transport["unacked_restore_throttle"]
    assert transport["visibility_timeout"] + sweep <= 5 * 60
    # Acknowledged when done, handed back when the worker dies, one task held per worker process.
    assert s["CELERY_TASK_ACKS_LATE"] and s["CELERY_TASK_REJECT_ON_WORKER_LOST"]
    assert s["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    # A run is stopped before its message could be handed to a second worker; a piece of long work
    # leaves room for one more piece before the soft limit.
    assert s["TASK_BATCH_SECONDS"] * 2 < s["CELERY_TASK_SOFT_TIME_LIMIT"] < s["CELERY_TASK_TIME_LIMIT"]
    assert s["CELERY_TASK_TIME_LIMIT"] < transport["visibility_timeout"]


def test_every_scheduled_task_is_acknowledged_late_and_given_back_when_its_worker_dies():
    for entry in app.conf.beat_schedule.values():
        importlib.import_module(entry["task"].rsplit(".", 1)[0])
        task = app.tasks[entry["task"]]
        assert task.acks_late and task.reject_on_worker_lost, entry["task"]


@pytest.mark.django_db
def test_the_daily_schedule_refresh_runs_in_pieces_that_cover_every_project_once(monkeypatch, settings):
    projects = ProjectFactory.create_batch(5)
    Project.objects.update(schedule_date=None)
    monkeypatch.setattr(project_tasks, "BATCH", 2)
    settings.TASK_BATCH_SECONDS = 0  # every piece continues in a new run
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    runs = []
    step = project_tasks._store_after
    monkeypatch.setattr(
        project_tasks, "_store_after", lambda after, **kw: runs.append(after) or step(after, **kw)
    )
    project_tasks.refresh_schedules.apply()
    assert runs == [0, projects[1].pk, projects[3].pk]
    assert set(Project.objects.values_list("schedule_date", flat=True)) == {timezone.localdate()}
