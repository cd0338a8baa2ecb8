"""Anonymous visitors of public pages are answered from the cache, and a change of the data shows at once
(``jiangyan.pagecache``)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiangyan.exceptions import ApplicationError
from jiangyan.pagecache import generation
from jiangyan.roles import Role
from projects import services as project_services
from projects.models import Project
from tests.factories import UserFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def get(client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


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
    before = generation()
    project_services.milestone_complete(
        actor=staff, milestone=milestone, done_date=timezone.localdate(), evidence="验收单"
    )
    assert generation() > before
    fresh = Client().get(page)
    assert fresh["X-Page-Cache"] == "miss" and "已完成" in fresh.content.decode()


def test_a_refused_change_leaves_the_cache_as_it_was(unit):
    staff = UserFactory(roles=[Role.UNIT_STAFF], unit=unit)
    project = ProjectFactory(lead_unit=unit)
    milestone = MilestoneFactory(project=project, weight=100, planned_date=timezone.localdate())
    before = generation()
    with pytest.raises(ApplicationError):
        project_services.milestone_complete(
            actor=staff,
            milestone=milestone,
            done_date=timezone.localdate() + datetime.timedelta(days=3),
            evidence="x",
        )
    assert generation() == before


def test_language_and_reading_mode_are_part_of_the_key():
    ProjectFactory()
    chinese = Client().get("/projects/").content.decode()
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english = english_client.get("/projects/")
    assert english["X-Page-Cache"] == "miss" and english.content.decode() != chinese
    large = Client()
    large.cookies["display"] = "large"
    assert "mode-large" in large.get("/projects/").content.decode()


@pytest.mark.parametrize("who", ["signed_in", "session_cookie", "api_token"])
def test_signed_in_visitors_and_other_cookies_bypass_the_cache(who, resident):
    ProjectFactory()
    Client().get("/projects/")  # cached now
    client = Client()
    headers = {}
    if who == "signed_in":
        client.force_login(resident)
    elif who == "session_cookie":
        client.cookies["sessionid"] = "whatever"
    else:
        headers["HTTP_AUTHORIZATION"] = "Token abc"
    response = client.get("/projects/", **headers)
    assert "X-Page-Cache" not in response


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
    before = generation()
    refresh_schedules()
    assert generation() == before + 1
    assert Client().get("/projects/")["X-Page-Cache"] == "miss"
    assert Project.objects.filter(schedule_date=timezone.localdate()).exists()
