"""Shared rows come from fragments keyed by the data they show (``jiangyan.core.fragments``): the page is the
same markup as without them, a fragment is reused by the next reader, and any change of what a row shows — by
a service, by the admin, or by the day — shows at once."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from jiangyan.core.fragments import fragment_key
from jiangyan.core.roles import Role
from projects import services as project_services
from projects.models import Project
from tests.factories import UserFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory
from tests.wishes.factories import WishFactory
from wishes import services as wish_services
from wishes.models import Wish

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    # A signed-in page's CSRF token is masked anew on every request.
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF", client.get(url).content.decode())


@pytest.mark.parametrize(
    "who,url",
    [
        ("anonymous", "/projects/"),
        ("anonymous", "/"),
        ("anonymous", "/wishes/"),
        (Role.UNIT_STAFF, "/projects/workspace/"),
        (Role.COMMUNITY_STAFF, "/wishes/manage/"),
        (Role.PARTY_MEMBER, "/wishes/mine/claims/"),
    ],
)
def test_pages_with_fragments_are_the_pages_without_them(
    client_as, role_users, settings, who, url, community
):
    ProjectFactory.create_batch(3, lead_unit=role_users[Role.UNIT_STAFF].unit)
    WishFactory.create_batch(3, community=community)
    WishFactory.create_batch(2, community=community, status="submitted")
    WishFactory.create_batch(
        2, community=community, status="claimed", claimed_by=role_users[Role.PARTY_MEMBER]
    )
    client = client_as(who)
    settings.FRAGMENT_CACHE_SECONDS = 0
    plain = page(client, url)
    settings.FRAGMENT_CACHE_SECONDS = 3600
    assert page(client, url) == plain  # rendered and stored
    assert page(client, url) == plain  # read back


def test_the_next_reader_gets_the_stored_row(client):
    project = ProjectFactory(title="老旧小区加装电梯")
    page(client, "/projects/")
    row = Project.objects.with_schedule().select_related("program", "domain", "lead_unit").get(pk=project.pk)
    stored = cache.get(fragment_key("projects/_row.html", row.fragment_version()))
    assert stored and "老旧小区加装电梯" in stored


def test_a_project_row_changes_as_soon_as_what_it_shows_does(client, unit):
    staff = UserFactory(roles=[Role.UNIT_STAFF], unit=unit)
    project = ProjectFactory(lead_unit=unit, title="幸福食堂")
    milestone = MilestoneFactory(
        project=project, weight=100, planned_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    assert "实际 0%" in page(client, "/projects/")
    project_services.milestone_complete(
        actor=staff, milestone=milestone, done_date=timezone.localdate(), evidence="验收单"
    )
    assert "实际 100%" in page(client, "/projects/")
    # Written behind the services' back (the admin): the row still follows.
    Project.objects.filter(pk=project.pk).update(title="幸福食堂（二期）")
    assert "幸福食堂（二期）" in page(client, "/projects/")
    unit.name = "区民政局（改名）"
    unit.save()
    assert "区民政局（改名）" in page(client, "/projects/")


def test_a_wish_row_changes_as_soon_as_it_is_claimed_or_the_day_flags_it(client, community, member):
    wish = WishFactory(community=community, title="帮忙修理轮椅")
    assert "帮忙修理轮椅" in page(client, "/wishes/")
    assert "帮忙修理轮椅" not in page(client, "/wishes/?status=claimed")
    wish_services.wish_claim(actor=member, wish=wish)
    board = page(client, "/wishes/?status=claimed")
    assert "帮忙修理轮椅" in board and member.display_name in board
    Wish.objects.filter(pk=wish.pk).update(
        status="open", claimed_by=None, opened_at=timezone.now() - datetime.timedelta(days=60)
    )
    assert "超时未认领" in page(client, "/wishes/")


def test_a_failing_fragment_cache_costs_the_rendering_never_the_page(client, settings):
    ProjectFactory(title="社区助餐点")
    settings.CACHES = {
        **settings.CACHES,
        # Nothing listens there: every call to this cache fails as a Redis that is down does.
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    settings.FRAGMENT_CACHE_ALIAS = "down"
    response = client.get("/projects/")
    assert response.status_code == 200 and "社区助餐点" in response.content.decode()
