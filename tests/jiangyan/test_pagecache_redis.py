"""The cache on a real Redis of the test's own (never the shared one): pages are kept there, made-up links
add no entries, and when the server is gone every page is computed as if nothing were cached — a page,
never a 500, for anonymous visitors and signed-in readers alike."""

import re

import pytest
import redis
from django.test import Client
from rest_framework.test import APIClient

from tests.clients import sign_in
from tests.projects.factories import ProjectFactory
from tests.redis_server import cache_settings, redis_server_or_skip
from tests.wishes.factories import WishFactory
from wishes.models import Wish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(settings):
    running = redis_server_or_skip()
    settings.CACHES = cache_settings(running.url, settings.REDIS_CACHE_OPTIONS)
    settings.PAGE_CACHE_SECONDS = 600
    yield running
    running.stop()


def without_tokens(content: bytes) -> str:
    return re.sub(
        r'(csrf-token" content="|csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", content.decode()
    )


def test_made_up_links_add_no_entries_to_the_cache(server):
    ProjectFactory()
    keys = redis.Redis(port=server.port)
    Client().get("/projects/")
    before = keys.dbsize()
    for n in range(200):
        response = Client().get(f"/projects/?utm_source=wechat&from=singlemessage&r={n}&isappinstalled=0")
        assert response["X-Page-Cache"] == "hit"
    assert keys.dbsize() == before


def test_when_the_cache_is_down_pages_are_computed_and_writes_still_work(server, member, community, settings):
    ProjectFactory(title="社区助餐点")
    WishFactory(title="帮忙修水管", community=community)
    signed_in = Client()
    sign_in(signed_in, member)  # the session is written through to the database too (cached_db)
    for _ in range(2):
        anonymous = Client().get("/projects/")
        reader = signed_in.get("/wishes/")
    assert anonymous["X-Page-Cache"] == "hit" and reader["X-Page-Cache"] == "hit"

    server.stop()

    down = Client().get("/projects/")
    assert down.status_code == 200 and down["X-Page-Cache"] == "down"
    assert "社区助餐点" in down.content.decode()
    page = signed_in.get("/wishes/")
    assert page.status_code == 200 and "帮忙修水管" in page.content.decode()
    assert member.display_name in page.content.decode()  # still signed in: the session from the database
    settings.PAGE_CACHE_SECONDS = 0
    assert without_tokens(page.content) == without_tokens(signed_in.get("/wishes/").content)
    settings.PAGE_CACHE_SECONDS = 600
    created = APIClient().post(
        "/api/v1/wishes/",
        {
            "community": community.pk,
            "category": "repair",
            "title": "楼道灯坏了",
            "text": "三单元楼道灯坏了一个多月，晚上老人上下楼不方便。",
            "wisher_name": "王秀英",
            "wisher_phone": "13952600000",
        },
        format="json",
    )
    assert created.status_code == 201 and Wish.objects.filter(title="楼道灯坏了").exists()
    health = Client().get("/healthz")
    assert health.status_code == 503 and health.json()["cache"]["status"] == "down"
