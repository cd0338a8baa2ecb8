import os

import pytest

from jiangyan.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_reports_ok_for_database_broker_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {body[k]["status"] for k in ("database", "broker", "cache")} == {"ok"}


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_broker_when_the_broker_is_down(client, monkeypatch):
    # A real broker address where nothing listens (port 1), not a mock.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["broker"]["status"] == "down"
    assert body["database"]["status"] == "ok"


@pytest.mark.django_db
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
