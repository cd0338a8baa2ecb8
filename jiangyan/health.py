"""What ``/healthz`` checks: the database, the broker, the cache, a worker that answers and a beat that ticks.

Each check returns a detail dict (merged into its entry of the answer) or raises: ``report`` turns an
exception into ``{"status": "down", "error": …}``, and the view the whole answer into a 503."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .celery import BEAT_SOURCE
from .celery import app as celery_app
from .models import Heartbeat


class Down(Exception):
    """A dependency that answered, wrongly or too late (``detail``: what the answer shows of it)."""

    def __init__(self, message: str, **detail):
        super().__init__(message)
        self.detail = detail


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_broker() -> dict:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {}


def check_cache() -> dict:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise Down("cache read back nothing")
    return {}


def check_worker() -> dict:
    """Some worker answers a ping (a broadcast on the broker) within ``HEALTH_WORKER_TIMEOUT`` seconds."""
    timeout = settings.HEALTH_WORKER_TIMEOUT
    if not celery_app.control.ping(timeout=timeout, limit=1):
        raise Down(f"no worker answered a ping within {timeout:g} s")
    return {}


def check_beat() -> dict:
    """Beat's last heartbeat is younger than ``HEALTH_BEAT_STALE_SECONDS``."""
    last = Heartbeat.objects.filter(source=BEAT_SOURCE).values_list("created_at", flat=True).first()
    if last is None:
        raise Down("beat has never run")
    age = (timezone.now() - last).total_seconds()
    detail = {"last_heartbeat": last.isoformat(), "age_seconds": round(age)}
    if age > settings.HEALTH_BEAT_STALE_SECONDS:
        raise Down(f"beat's last heartbeat is {datetime.timedelta(seconds=round(age))} old", **detail)
    return detail


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
    "worker": check_worker,
    "beat": check_beat,
}


def report() -> tuple[bool, dict]:
    """Run every check; (all healthy, the answer's entries)."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = {"status": "ok", **check()}
        except Down as exc:
            checks[name] = {"status": "down", "error": str(exc), **exc.detail}
        except Exception as exc:  # any failure of a dependency is reported, not raised
            checks[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return all(c["status"] == "ok" for c in checks.values()), checks
