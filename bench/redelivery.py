"""How long a task of a worker killed with SIGKILL waits before another worker takes it up, with the deployed
broker settings (``TASK_VISIBILITY_TIMEOUT``, swept every 10 s): the goal is under 5 minutes.

    createdb -h 127.0.0.1 -U postgres jy_redelivery
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_redelivery REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python manage.py migrate && .venv/bin/python bench/redelivery.py

Holds the row of last week's reminder in an open transaction, sends ``generate_report`` for that week to a
real worker (prefork, like ``make run`` and compose) on a queue of its own, waits until the worker's insert
waits for the lock, kills the worker's whole process group with SIGKILL, releases the lock and starts a second
worker. Prints the seconds from the delivery and from the kill until the report exists (once)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from jiangyan.core.periods import PeriodKind, last_complete  # noqa: E402
from supervision.models import Report  # noqa: E402
from supervision.tasks import generate_report  # noqa: E402


def worker(queue: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "jiangyan", "worker", "--concurrency=1", "-Q", queue]
    return subprocess.Popen(
        [*command, "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h", "--loglevel=WARNING"],
        cwd=ROOT,
        start_new_session=True,
    )


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def main() -> None:
    if not os.environ.get("REDIS_URL"):
        sys.exit("needs REDIS_URL: the visibility timeout is the Redis transport's")
    week = last_complete(PeriodKind.WEEK, timezone.localdate())
    Report.objects.filter(kind="weekly", period_start=week.start).delete()
    db = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    with blocker.cursor() as cursor:
        cursor.execute(
            "INSERT INTO supervision_report (kind, period_start, period_end, title, status, data, html, "
            "generated_at, generation) VALUES ('weekly', %s, %s, 'x', 'draft', '{}', '', now(), 1)",
            [week.start, week.end],
        )
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    first = worker(queue)
    sent = time.monotonic()
    generate_report.apply_async(kwargs={"kind": "weekly", "day": week.start.isoformat()}, queue=queue)
    while not waiting_for_a_lock():
        time.sleep(0.2)
    delivered = time.monotonic()
    time.sleep(5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    blocker.rollback()
    blocker.close()
    second = worker(queue)
    try:
        while not Report.objects.filter(kind="weekly", period_start=week.start).exists():
            time.sleep(0.5)
        done = time.monotonic()
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait()
    count = Report.objects.filter(kind="weekly", period_start=week.start).count()
    print(f"sent→running {delivered - sent:.1f} s; killed {killed - delivered:.1f} s later")
    print(f"taken up again {done - delivered:.0f} s after the delivery, {done - killed:.0f} s after the kill")
    print(f"reports of the week: {count}")


if __name__ == "__main__":
    main()
