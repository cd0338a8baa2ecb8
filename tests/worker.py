"""A real Celery worker process for the integration tests (no eager mode, no mock): it runs against the test
database and the Redis of ``REDIS_URL``, on a queue of its own."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url_of_test_database() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def needs_redis() -> None:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: this test starts a real Celery worker on Redis (CI sets it)")


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def worker_env(settings: str = "jiangyan.settings.test", **extra: str) -> dict[str, str]:
    """The environment of a process started by a test: Django ``settings`` on the test database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database_url_of_test_database(),
        **extra,
    }


def start_worker(queue: str, *, settings: str = "jiangyan.settings.test", **env: str) -> subprocess.Popen:
    """``celery worker`` (solo pool) consuming only ``queue``, with Django ``settings`` (and ``env``)."""
    env = worker_env(settings, **env)
    command = [sys.executable, "-m", "celery", "-A", "jiangyan", "worker", "--pool=solo", "--loglevel=INFO"]
    command += [
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop_worker(worker: subprocess.Popen) -> str:
    """Stop ``worker`` (warm shutdown, then kill) and return what it printed."""
    if worker.poll() is None:
        worker.terminate()
    try:
        output, _ = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output or ""
