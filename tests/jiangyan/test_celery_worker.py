"""A real Celery worker process on Redis runs a task sent from Django (no eager mode, no mock)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from jiangyan.models import Heartbeat
from jiangyan.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


def _database_url_of_test_database() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_sent_from_django_runs_in_a_real_worker_on_redis():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: this test starts a real Celery worker on Redis (CI sets it)")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    token = uuid.uuid4().hex
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiangyan.settings.test",
        "DATABASE_URL": _database_url_of_test_database(),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "jiangyan",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        heartbeat.apply_async(kwargs={"token": token, "source": "integration-test"}, queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if Heartbeat.objects.filter(token=token).exists():
                break
            time.sleep(0.5)
        row = Heartbeat.objects.filter(token=token).first()
        assert row is not None, "the worker did not run the task within 60 s"
        assert row.source == "integration-test"
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "jiangyan.tasks.heartbeat" in output
