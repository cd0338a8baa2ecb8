from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_postgres_redis_web_worker_and_beat_from_one_image_definition():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "cache", "web", "worker", "beat"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    # The cache is a Redis of its own with a memory bound and LRU eviction, apart from the broker's queue.
    assert services["cache"]["image"] == "redis:7"
    assert "--maxmemory " in services["cache"]["command"]
    assert "--maxmemory-policy allkeys-lru" in services["cache"]["command"]
    # web, worker and beat come from the same anchor: one build, one image.
    assert {services[s]["image"] for s in ("web", "worker", "beat")} == {"jiangyan-portal"}
    assert all(services[s]["build"] == "." for s in ("web", "worker", "beat"))
    assert "gunicorn jiangyan.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A jiangyan worker")
    assert services["beat"]["command"].startswith("celery -A jiangyan beat")
    env = services["web"]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "jiangyan.settings.production"
    assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
    assert env["CACHE_URL"].startswith("redis://cache:") and env["CACHE_URL"] != env["REDIS_URL"]


def test_procfile_of_make_run_starts_web_worker_and_beat():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(lines) == {"web", "worker", "beat"}
    assert "runserver 127.0.0.1:$PORT" in lines["web"]
