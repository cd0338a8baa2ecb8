"""The database taken away (a private PostgreSQL cluster of the test's own, stopped with ``pg_ctl``): public
pages come from the page cache, even a stale one; everything else is the portal's maintenance page, a 503 —
JSON under /api/ — never a 500; and the portal serves again as soon as the database is back."""

import json
import re

import pytest
from django.db import OperationalError, close_old_connections
from django.test import Client, RequestFactory

from jiangyan import views
from jiangyan.core.pagecache import changed
from tests.postgres_server import postgres_server_or_skip, served_from
from tests.projects.factories import ProjectFactory
from tests.wishes.factories import WishFactory


@pytest.fixture
def database(settings):
    settings.PAGE_CACHE_SECONDS = 600
    server = postgres_server_or_skip()
    yield server
    server.destroy()


def is_maintenance_page(response) -> bool:
    body = response.content.decode()
    return (
        response.status_code == 503
        and response["Retry-After"]
        and "平台维护中" in body
        and "<script" not in body
        and "style=" not in body
        and not re.search(r"<style", body)
    )


@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_public_pages_come_from_the_cache_and_the_rest_is_a_503(
    database, member, community
):
    ProjectFactory(title="社区助餐点")
    WishFactory(title="帮忙修水管", community=community)
    database.copy_of_test_database()
    with served_from(database):
        anonymous = Client(raise_request_exception=False)
        signed_in = Client(raise_request_exception=False)
        signed_in.force_login(member)
        assert anonymous.get("/projects/").status_code == 200
        assert "帮忙修水管" in signed_in.get("/wishes/").content.decode()

        database.stop()

        kept = anonymous.get("/projects/")
        assert kept.status_code == 200 and kept["X-Page-Cache"] == "hit"
        assert "社区助餐点" in kept.content.decode()
        changed("projects")  # the copy is stale now, and recomputing it fails: the last copy is the answer
        stale = anonymous.get("/projects/")
        assert stale.status_code == 200 and stale["X-Page-Cache"] == "stale"
        assert "社区助餐点" in stale.content.decode()

        assert is_maintenance_page(anonymous.get("/wishes/"))  # never cached: computed, and so a 503
        assert is_maintenance_page(signed_in.get("/wishes/"))
        assert is_maintenance_page(signed_in.get("/projects/"))
        posted = signed_in.post("/wishes/new/", {"title": "楼道灯坏了"})
        assert is_maintenance_page(posted)
        wish = {
            "community": community.pk,
            "category": "repair",
            "title": "楼道灯坏了",
            "text": "三单元楼道灯坏了一个多月，晚上老人上下楼不方便。",
            "wisher_name": "王秀英",
            "wisher_phone": "13952600000",
        }
        api = anonymous.post("/api/v1/wishes/", wish, content_type="application/json")
        assert api.status_code == 503 and api.json()["code"] == "unavailable" and api.json()["detail"]
        listed = Client(raise_request_exception=False).get("/api/v1/wishes/", HTTP_AUTHORIZATION="Token x")
        assert listed.status_code == 503 and listed.json()["detail"]

        database.start()
        close_old_connections()  # what Django does at the start of each request (the test client does not)

        assert "帮忙修水管" in signed_in.get("/wishes/").content.decode()
        assert anonymous.get("/wishes/").status_code == 200


@pytest.mark.parametrize("path", ["/wishes/", "/api/v1/wishes/"])
def test_a_database_failure_outside_any_view_is_the_maintenance_answer_too(path):
    # What fails in a middleware (the session saved after the view) reaches Django's 500 handler.
    request = RequestFactory().get(path)
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503 and response["Retry-After"]
    if path.startswith("/api/"):
        assert json.loads(response.content)["code"] == "unavailable"
    else:
        assert is_maintenance_page(response)
