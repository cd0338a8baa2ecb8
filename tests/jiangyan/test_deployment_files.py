"""The deployment files: docker-compose (one image; migrations once, before web, worker and beat; gunicorn
reached only through nginx, which the portal trusts as its one proxy), the Procfile of ``make run`` and the
Makefile's ``upgrade``."""

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DJANGO = ("migrate", "web", "worker", "beat")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_compose_runs_postgres_redis_cache_migrate_web_worker_beat_and_nginx_from_one_image_definition():
    services = compose()
    assert set(services) == {"postgres", "redis", "cache", "migrate", "web", "worker", "beat", "proxy"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    # The cache is a Redis of its own with a memory bound and LRU eviction, apart from the broker's queue.
    assert services["cache"]["image"] == "redis:7"
    assert "--maxmemory " in services["cache"]["command"]
    assert "--maxmemory-policy allkeys-lru" in services["cache"]["command"]
    # migrate, web, worker and beat come from the same anchor: one build, one image.
    assert {services[s]["image"] for s in DJANGO} == {"jiangyan-portal"}
    assert all(services[s]["build"] == "." for s in DJANGO)
    assert "gunicorn jiangyan.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A jiangyan worker")
    assert services["beat"]["command"].startswith("celery -A jiangyan beat")
    env = services["web"]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "jiangyan.settings.production"
    assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
    assert env["CACHE_URL"].startswith("redis://cache:") and env["CACHE_URL"] != env["REDIS_URL"]


def test_compose_migrates_once_in_a_one_shot_service_that_web_worker_and_beat_wait_for():
    services = compose()
    assert services["migrate"]["command"] == "python manage.py migrate --noinput"
    assert services["migrate"]["restart"] == "no"
    assert "migrate" not in services["migrate"]["depends_on"]
    for name in ("web", "worker", "beat"):
        assert "migrate" not in services[name]["command"], name
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_only_nginx_is_published_and_the_portal_trusts_exactly_that_one_proxy():
    services = compose()
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    for name in DJANGO:
        assert services[name]["environment"]["DJANGO_TRUSTED_PROXY_COUNT"] == 1
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"server web:8000;", nginx)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx


def test_the_worker_has_time_for_its_warm_shutdown_and_backups_are_kept_in_a_volume():
    services = compose()
    minutes = int(services["worker"]["stop_grace_period"].rstrip("m"))
    from django.conf import settings

    assert minutes * 60 > settings.CELERY_TASK_TIME_LIMIT
    assert "backups:/app/var/backups" in services["worker"]["volumes"]
    assert "postgresql-client-15" in (ROOT / "Dockerfile").read_text()  # pg_dump for the nightly backup


def test_procfile_of_make_run_starts_web_worker_and_beat():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(lines) == {"web", "worker", "beat"}
    assert "runserver 127.0.0.1:$PORT" in lines["web"]


def test_make_upgrade_migrates_compiles_collects_and_restarts_worker_and_beat_in_that_order():
    result = subprocess.run(["make", "-n", "upgrade"], cwd=ROOT, capture_output=True, text=True, check=True)
    steps = [line for line in result.stdout.splitlines() if "manage.py" in line]
    commands = [line.split("manage.py", 1)[1].split()[0] for line in steps]
    assert commands == ["migrate", "compile_catalogues", "collectstatic", "supervise"]
    assert steps[-1].endswith("supervise --restart")
