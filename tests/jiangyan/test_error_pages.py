"""A visitor of the running portal sees the portal's own error pages (never Django's debug page), and
browsers find the favicon."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory

from jiangyan import views


def test_make_run_settings_keep_debug_off_unless_asked():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.SERVE_MEDIA)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "jiangyan.settings.local"},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert out.stdout.split() == ["False", "True"]


@pytest.mark.django_db
def test_unknown_page_is_the_portals_chinese_404(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    body = page.content.decode()
    assert "页面不存在" in body and "返回首页" in body and "URLconf" not in body


@pytest.mark.django_db
def test_404_in_english_for_a_visitor_who_chose_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in body


def test_500_page_renders_without_the_database():
    request = RequestFactory().get("/")
    response = views.server_error(request)  # no django_db mark: any query would fail the test
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()


@pytest.mark.django_db
def test_favicon_is_served(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer.url.endswith("img/favicon.ico")
