"""A real Celery worker process for the integration tests (no eager mode, no mock): it runs against the test
database and the Redis of ``REDIS_URL``, on a queue of its own."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def wait_for(condition, *, seconds: float = 60, worker=None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker is not None and worker.poll() is not None:
            return False
        time.sleep(0.3)
    return False


def blocked_on_a_lock() -> bool:
    """Some session of the test database waits for a lock (the worker, on the row the test holds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def holder():
    """A second connection that holds an uncommitted row, so the worker's insert of the same key waits."""
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )


def hold_report(week) -> "psycopg2.extensions.connection":
    """The weekly report of ``week`` inserted and not committed by another connection: a worker's insert of it
    waits for the lock until the connection rolls back."""
    blocker = holder()
    with blocker.cursor() as cursor:
        cursor.execute(
            "INSERT INTO supervision_report (kind, period_start, period_end, title, status, data, html, "
            "generated_at, generation) VALUES ('weekly', %s, %s, 'x', 'draft', '{}', '', now(), 1)",
            [week.start, week.end],
        )
    return blocker
