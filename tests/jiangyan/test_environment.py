"""The suite runs where DATABASE_URL says; production settings are strict."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PII_KEYS = {
    "PII_KEYS": "k1:" + base64.b64encode(b"k" * 32).decode(),
    "PII_INDEX_KEY": base64.b64encode(b"i" * 32).decode(),
}


@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_database_url_says_so():
    url = os.environ.get("DATABASE_URL", "")
    expected = (
        "postgresql" if url.startswith(("postgres://", "postgresql://", "psql://", "pgsql://")) else "sqlite"
    )
    assert connection.vendor == expected


def _django(settings_module: str, *args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _django("jiangyan.settings.production", "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    """``check --deploy`` under production settings as docker compose runs them (the cache's own Redis)."""
    return _django(
        "jiangyan.settings.production",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-long-random-secret-for-the-check-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a",
        DJANGO_ALLOWED_HOSTS="banshishi.jiangyan.gov.cn",
        CACHE_URL="redis://cache:6379/0",
        **PII_KEYS,
        **env,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _check_deploy(SITE_URL="https://banshishi.jiangyan.gov.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "site_url", ["", "http://banshishi.jiangyan.gov.cn", "https://127.0.0.1:8000", "https://example.com"]
)
def test_check_deploy_warns_when_email_links_would_not_lead_to_the_portal(site_url):
    result = _check_deploy(**({"SITE_URL": site_url} if site_url else {}))
    assert result.returncode != 0 and "jiangyan.W002" in result.stdout + result.stderr


def test_seed_demo_refuses_under_production_settings():
    result = _django(
        "jiangyan.settings.production",
        "seed_demo",
        DJANGO_SECRET_KEY="a-long-random-secret-for-the-check-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a",
        **PII_KEYS,
    )
    assert result.returncode != 0
    assert "--force" in result.stderr


def test_production_settings_refuse_to_start_without_the_keys_of_personal_information():
    secret = "a-long-random-secret-for-the-check-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a"
    without_keys = _django("jiangyan.settings.production", "check", DJANGO_SECRET_KEY=secret)
    assert without_keys.returncode != 0 and "PII_KEYS" in without_keys.stderr
    bad_key = _django(
        "jiangyan.settings.production",
        "check",
        DJANGO_SECRET_KEY=secret,
        **{**PII_KEYS, "PII_KEYS": "k1:c2hvcnQ="},
    )
    assert bad_key.returncode != 0 and "32 bytes" in bad_key.stderr
