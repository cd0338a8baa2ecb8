"""Browser security headers and cookies (issue 10): CSP without 'unsafe-inline', an HttpOnly CSRF cookie
that the pages and htmx do not need to read, Secure/SameSite language cookie and HSTS in production, and
``check --deploy`` clean."""

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.clients import sign_in

ROOT = Path(__file__).resolve().parents[2]


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/wishes/", "/accounts/login/", "/api/v1/wishes/", "/api/docs/", "/nope/"]
)
def test_every_answer_has_a_csp_without_inline_code(client, path):
    response = client.get(path)
    policy = csp_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_api_docs_page_has_no_inline_script(client):
    html = client.get("/api/docs/").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html) == []


@pytest.mark.django_db
def test_the_csrf_cookie_is_httponly(client):
    response = client.get("/accounts/login/")
    assert response.cookies["csrftoken"]["httponly"] is True


@pytest.mark.django_db
def test_htmx_posts_with_the_token_from_the_template_still_pass_csrf(resident, community):
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, resident)
    page = browser.get("/wishes/new/").content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"" + re.escape(token), page)
    refused = browser.post("/accounts/logout/")
    assert refused.status_code == 403
    allowed = browser.post("/accounts/logout/", HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 302


def production_settings(**extra) -> dict:
    env = {
        # Not the test run's DJANGO_ALLOW_ASYNC_UNSAFE (set for the browser tests): no deployment has it.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "jiangyan.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "banshishi.jiangyan.gov.cn",
        "PII_KEYS": "k1:" + base64.b64encode(b"k" * 32).decode(),
        "PII_INDEX_KEY": base64.b64encode(b"i" * 32).decode(),
        "SITE_URL": "https://banshishi.jiangyan.gov.cn",
        **extra,
    }
    return env


def test_production_cookies_and_hsts():
    code = (
        "from django.conf import settings as s; "
        "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=production_settings(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "Lax", "True", "True", "True", "True", "True"]


def test_check_deploy_is_clean():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_settings(CACHE_URL="redis://cache:6379/0"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
