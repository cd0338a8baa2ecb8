"""``/healthz``: database, broker, cache, a worker that answers a ping and a beat whose heartbeat is fresh;
503 naming what is down. With a real worker and a real beat on Redis, and with none."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from jiangyan.celery import BEAT_SOURCE, stamp_beat
from jiangyan.celery import app as celery_app
from jiangyan.models import Heartbeat
from tests.worker import ROOT, needs_redis, new_queue, start_worker, stop_worker, wait_for, worker_env

pytestmark = pytest.mark.django_db


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_with_a_worker_that_answers_and_a_fresh_beat(client):
    needs_redis()
    stamp_beat()
    worker = start_worker(new_queue())
    try:
        # The worker answers once it is up (its start takes a few seconds).
        assert wait_for(lambda: client.get("/healthz").json()["worker"]["status"] == "ok")
        response = client.get("/healthz")
    finally:
        output = stop_worker(worker)
    body = response.json()
    assert response.status_code == 200, (body, output[-2000:])
    assert body["status"] == "ok"
    assert {body[k]["status"] for k in ("database", "broker", "cache", "worker", "beat")} == {"ok"}
    assert body["beat"]["age_seconds"] < 60


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_within_the_timeout_when_no_worker_answers(client, settings):
    needs_redis()
    stamp_beat()
    settings.HEALTH_WORKER_TIMEOUT = 1.0
    worker = start_worker(new_queue())
    try:
        assert wait_for(lambda: client.get("/healthz").status_code == 200)
    finally:
        stop_worker(worker)  # the worker stops: nothing answers any more
    started = time.monotonic()
    response = client.get("/healthz")
    took = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["worker"] == {"status": "down", "error": "no worker answered a ping within 1 s"}
    assert {body[k]["status"] for k in ("database", "broker", "cache", "beat")} == {"ok"}
    assert took < 1.0 + 2.0


def test_healthz_says_beat_is_down_when_it_never_ran_or_its_heartbeat_is_stale(client, settings):
    settings.HEALTH_BEAT_STALE_SECONDS = 120
    assert client.get("/healthz").json()["beat"] == {"status": "down", "error": "beat has never run"}
    stamp_beat()
    assert client.get("/healthz").json()["beat"]["status"] == "ok"
    Heartbeat.objects.filter(source=BEAT_SOURCE).update(
        created_at=timezone.now() - datetime.timedelta(seconds=125)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    beat = response.json()["beat"]
    assert beat["status"] == "down" and beat["error"].startswith("beat's last heartbeat is 0:02:")
    assert 125 <= beat["age_seconds"] < 135
    stamp_beat()  # one row, moved on
    assert Heartbeat.objects.filter(source=BEAT_SOURCE).count() == 1
    assert client.get("/healthz").json()["beat"]["status"] == "ok"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_running_beat_keeps_its_heartbeat_fresh_and_goes_stale_once_stopped(client, settings, tmp_path):
    needs_redis()
    settings.HEALTH_BEAT_STALE_SECONDS = 4
    command = [sys.executable, "-m", "celery", "-A", "jiangyan", "beat", "--loglevel=INFO"]
    beat = subprocess.Popen(
        [*command, "--schedule", str(tmp_path / "schedule"), "--max-interval", "1"],
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: Heartbeat.objects.filter(source=BEAT_SOURCE).exists(), seconds=60)
        first = Heartbeat.objects.get(source=BEAT_SOURCE).created_at
        assert wait_for(lambda: Heartbeat.objects.get(source=BEAT_SOURCE).created_at > first, seconds=30)
        assert client.get("/healthz").json()["beat"]["status"] == "ok"
    finally:
        beat.terminate()
        output, _ = beat.communicate(timeout=30)
    assert "jiangyan.celery.Scheduler" in output, output[-2000:]
    time.sleep(settings.HEALTH_BEAT_STALE_SECONDS + 1)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["beat"]["status"] == "down"


def test_healthz_is_503_and_names_the_broker_when_the_broker_is_down(client, monkeypatch):
    stamp_beat()
    # A real broker address where nothing listens (port 1), not a mock.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["broker"]["status"] == "down"
    assert body["database"]["status"] == "ok"


def test_healthz_checks_the_redis_cache_when_redis_is_configured(client, settings):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs REDIS_URL (CI sets it)")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    assert client.get("/healthz").json()["cache"]["status"] == "ok"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"]["status"] == "down"
