"""Pages kept in the cache (``jiangyan.core.pagecache``): what a hit costs, what the key holds (known query
parameters only, Accept, scheme, host, language, reading mode, roles and scope) and what bypasses it."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from jiangyan.core.exceptions import ApplicationError
from jiangyan.core.pagecache import PAGE_PARAM, check_cache_apart, filterset_params, page_of
from jiangyan.core.roles import Role
from projects import services as project_services
from projects.filtersets import ProjectFilterSet
from projects.models import Project
from tests.clients import sign_in
from tests.factories import UserFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db(transaction=True)
JUNK = "utm_source=groupmessage&utm_medium=wechat&from=singlemessage&isappinstalled=0&x7Gq=z9"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def get(client, url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def uncached(settings, url: str, client=None, **headers):
    """The page as it is computed without any cache (what every hit must equal)."""
    settings.PAGE_CACHE_SECONDS = 0
    try:
        return (client or Client()).get(url, **headers)
    finally:
        settings.PAGE_CACHE_SECONDS = 600


def test_a_public_page_is_served_from_the_cache_without_touching_the_database():
    ProjectFactory(title="老旧小区加装电梯")
    first, first_queries = get(Client(), "/projects/")
    again, again_queries = get(Client(), "/projects/")
    assert first["X-Page-Cache"] == "miss" and again["X-Page-Cache"] == "hit"
    assert first_queries > 0 and again_queries == 0
    assert again.content == first.content and "老旧小区加装电梯" in again.content.decode()
    # What the stack adds on the way out is still there on a hit.
    assert again["Content-Type"].startswith("text/html") and "Content-Security-Policy" in again


def test_anonymous_public_pages_carry_nothing_per_visitor():
    ProjectFactory()
    for url in ("/", "/projects/", "/wishes/", "/bulletins/"):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert not response.cookies, f"{url} set {list(response.cookies)}"
        assert "csrfmiddlewaretoken" not in response.content.decode() and 'name="csrf-token"' not in (
            response.content.decode()
        )


def test_a_change_through_a_service_shows_at_once(unit):
    staff = UserFactory(roles=[Role.UNIT_STAFF], unit=unit)
    project = ProjectFactory(lead_unit=unit, status="not_started")
    milestone = MilestoneFactory(project=project, weight=100, planned_date=timezone.localdate())
    page = project.get_absolute_url()
    assert "未启动" in Client().get(page).content.decode()
    assert Client().get(page)["X-Page-Cache"] == "hit"
    project_services.milestone_complete(
        actor=staff, milestone=milestone, done_date=timezone.localdate(), evidence="验收单"
    )
    fresh = Client().get(page)
    assert fresh["X-Page-Cache"] == "miss" and "已完成" in fresh.content.decode()


def test_a_refused_change_leaves_the_cache_as_it_was(unit):
    staff = UserFactory(roles=[Role.UNIT_STAFF], unit=unit)
    project = ProjectFactory(lead_unit=unit)
    milestone = MilestoneFactory(project=project, weight=100, planned_date=timezone.localdate())
    Client().get(project.get_absolute_url())
    with pytest.raises(ApplicationError):
        project_services.milestone_complete(
            actor=staff,
            milestone=milestone,
            done_date=timezone.localdate() + datetime.timedelta(days=3),
            evidence="x",
        )
    assert Client().get(project.get_absolute_url())["X-Page-Cache"] == "hit"


def test_language_and_reading_mode_are_part_of_the_key_in_one_spelling_each():
    ProjectFactory()
    chinese = Client().get("/projects/").content.decode()
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english = english_client.get("/projects/")
    assert english["X-Page-Cache"] == "miss" and english.content.decode() != chinese
    nonsense = Client()
    nonsense.cookies["django_language"] = "xx-nonsense"  # an unknown language is Chinese, the same entry
    assert nonsense.get("/projects/")["X-Page-Cache"] == "hit"
    large = Client()
    large.cookies["display"] = "large,contrast"
    assert "mode-large mode-contrast" in large.get("/projects/").content.decode()
    reordered = Client()
    reordered.cookies["display"] = "contrast,large,bogus"
    assert reordered.get("/projects/")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("who", ["session_cookie", "api_token"])
def test_other_cookies_and_credentials_bypass_the_anonymous_cache(who):
    ProjectFactory()
    Client().get("/projects/")  # cached now
    client = Client()
    headers = {}
    if who == "session_cookie":
        client.cookies["sessionid"] = "whatever"
    else:
        headers["HTTP_AUTHORIZATION"] = "Token abc"
    response = client.get("/projects/", **headers)
    assert response.status_code == 200 and "X-Page-Cache" not in response


def test_a_signed_in_reader_of_a_page_without_a_share_is_never_served_from_the_cache(resident):
    Client().get("/")  # the anonymous home page is cached
    client = Client()
    sign_in(client, resident)
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200 and "X-Page-Cache" not in response
        assert resident.display_name in response.content.decode()


def test_pages_with_a_form_and_non_public_answers_are_not_cached(community):
    for url in ("/wishes/new/", "/accounts/login/", "/projects/JY-NONE/"):
        Client().get(url)
        assert Client().get(url).get("X-Page-Cache") != "hit", url
    assert Client().get("/healthz")["Content-Type"] == "application/json"
    assert "X-Page-Cache" not in Client().get("/healthz")


def test_the_daily_schedule_refresh_makes_the_showcase_fresh():
    from projects.tasks import refresh_schedules

    ProjectFactory()
    Client().get("/projects/")
    refresh_schedules()
    assert Client().get("/projects/")["X-Page-Cache"] == "miss"
    assert Project.objects.filter(schedule_date=timezone.localdate()).exists()


# --- keys from what the page uses ------------------------------------------------------------------------


def test_unknown_query_parameters_and_their_order_do_not_split_the_cache(settings):
    ProjectFactory(title="助餐点建设")
    project = ProjectFactory(title="老旧小区改造", status="not_started")
    known = f"status={project.status}&page=1"
    assert Client().get(f"/projects/?{known}")["X-Page-Cache"] == "miss"
    for url in (
        f"/projects/?{known}&{JUNK}",
        f"/projects/?{JUNK}&page=1&status={project.status}",  # another order, other junk around it
        f"/projects/?page=1&status={project.status}&from=timeline",
    ):
        response = Client().get(url)
        assert response["X-Page-Cache"] == "hit", url
    # The content for the known parameters is what the page shows without the cache and without the junk.
    cached = Client().get(f"/projects/?{JUNK}&{known}").content
    assert cached == uncached(settings, f"/projects/?{known}").content
    assert "老旧小区改造" in cached.decode() and "助餐点建设" not in cached.decode()
    assert "utm_source" not in cached.decode() and "singlemessage" not in cached.decode()
    # The home page shared in WeChat, and the API list with a campaign's tracking parameters.
    Client().get("/")
    assert Client().get(f"/?{JUNK}")["X-Page-Cache"] == "hit"
    Client().get("/api/v1/projects/?page=1")
    assert Client().get(f"/api/v1/projects/?{JUNK}&page=1")["X-Page-Cache"] == "hit"


def test_a_pages_known_parameters_are_its_filtersets_and_its_paginators():
    from django.urls import resolve

    page = page_of(resolve("/projects/"))
    assert page.known == filterset_params(ProjectFilterSet) | {PAGE_PARAM}
    assert {"q", "status", "program", "town"} <= page.known
    api = page_of(resolve("/api/v1/projects/"))
    assert api.known == filterset_params(ProjectFilterSet) | {"page", "page_size", "format"}


def test_the_view_sees_the_canonical_query_even_without_the_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0
    WishFactory(title="楼道灯坏了", status=WishStatus.OPEN)
    content = Client().get(f"/wishes/?{JUNK}").content.decode()
    assert "楼道灯坏了" in content and "utm_source" not in content and "isappinstalled" not in content


def test_free_text_searches_are_answered_without_the_cache():
    ProjectFactory(title="养老服务站")
    Client().get("/projects/?q=养老")
    assert "X-Page-Cache" not in Client().get("/projects/?q=养老")


def test_a_json_client_never_gets_the_yaml_schema_and_formats_are_kept_apart():
    yaml = Client().get("/api/schema/")
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    json_answer = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert json_answer["Content-Type"].startswith("application/json")
    assert json_answer["X-Page-Cache"] == "miss"
    assert json_answer.json()["openapi"]
    assert Client().get("/api/schema/", HTTP_ACCEPT="application/json")["X-Page-Cache"] == "hit"
    assert Client().get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    # A list in JSON and the browsable API in HTML are two entries as well.
    assert Client().get("/api/v1/projects/")["Content-Type"] == "application/json"
    html = Client().get("/api/v1/projects/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    assert Client().get("/api/v1/projects/")["Content-Type"] == "application/json"


def test_a_forwarded_scheme_from_one_visitor_never_reaches_the_page_of_another(settings, community):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url = f"/wishes/cards/{community.pk}/"
    forged = Client().get(url, HTTP_X_FORWARDED_PROTO="https")
    assert "https://testserver" in forged.content.decode()
    plain = Client().get(url)
    assert plain["X-Page-Cache"] == "miss"
    assert "http://testserver/wishes/new/" in plain.content.decode()
    assert "https://testserver" not in plain.content.decode()


@pytest.mark.parametrize(
    "url", ["/projects/", "/wishes/", "/accounts/login/", "/api/v1/projects/", "/healthz"]
)
def test_a_host_outside_allowed_hosts_is_a_400_before_anything_is_looked_up(settings, url):
    settings.ALLOWED_HOSTS = ["portal.example"]
    Client(HTTP_HOST="portal.example").get("/projects/")
    response = Client(HTTP_HOST="evil.example").get(url)
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()
    if url.startswith("/api/"):
        assert response.json()["code"] == "bad_request"


def test_a_role_taken_away_takes_effect_at_once(supervisor, community):
    WishFactory(title="待审核的心愿", status=WishStatus.SUBMITTED, community=community)
    api = APIClient()
    sign_in(api, supervisor)
    page = Client()
    sign_in(page, supervisor)
    for _ in range(2):
        listed = api.get("/api/v1/wishes/?status=submitted")
        assert [w["title"] for w in listed.json()["results"]] == ["待审核的心愿"]
        assert page.get("/dashboard/").status_code == 200
    assert listed["X-Page-Cache"] == "hit"
    supervisor.groups.remove(Group.objects.get(name=Role.SUPERVISOR))
    assert api.get("/api/v1/wishes/?status=submitted").json()["results"] == []
    assert page.get("/dashboard/").status_code == 403
    assert "待审核的心愿" not in page.get("/wishes/?status=submitted").content.decode()


def test_a_hit_for_a_signed_in_reader_fills_in_their_own_header_and_token(settings, member, community):
    other = UserFactory(roles=[Role.PARTY_MEMBER], community=community, real_name="李春梅")
    WishFactory(title="帮忙买菜", community=community)
    first, second = Client(), Client()
    sign_in(first, member)
    sign_in(second, other)
    assert first.get("/wishes/")["X-Page-Cache"] == "miss"
    hit = second.get("/wishes/")
    content = hit.content.decode()
    assert hit["X-Page-Cache"] == "hit" and "帮忙买菜" in content
    assert "李春梅" in content and member.display_name not in content
    token = re.search(r'name="csrf-token" content="([^"]+)"', content).group(1)
    assert "personalcsrf" not in content and "<!--personal" not in content
    # The token in the page is the reader's own: a write with it passes the CSRF check.
    second.handler.enforce_csrf_checks = True
    assert second.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_deploy_check_warns_when_the_cache_shares_the_brokers_redis(settings):
    settings.REDIS_URL = settings.CACHE_URL = "redis://broker:6379/0"
    assert [warning.id for warning in check_cache_apart()] == ["jiangyan.W001"]
    settings.CACHE_URL = "redis://cache:6379/0"
    assert check_cache_apart() == []


def test_a_query_in_any_spelling_reaches_the_page_as_it_was_meant(settings):
    ProjectFactory(title="老年助餐点")
    for url in ("/projects/?status=in_progress&q=助餐", "/projects/?q=%E5%8A%A9%E9%A4%90&utm_source=x"):
        assert "老年助餐点" in Client().get(url).content.decode(), url
