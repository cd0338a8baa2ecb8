"""A signed-in page reused from the cache never shows another person's data or actions.

For every role, two readers of the same role with a different scope (community, unit, own wishes), and
readers of the other roles, open the pages that are shared between readers (board, showcase, workspace,
dashboard, API lists) in turn with the cache on. Each answer must be exactly what that reader gets with no
cache at all (CSRF tokens aside, which differ on every request), and its header must name that reader."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from jiangyan.core.roles import Role
from notifications.services import notify
from tests.clients import sign_in
from tests.factories import CommunityFactory, MemberFactory, UnitFactory, UserFactory
from tests.projects.factories import ProjectFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db

PAGES = {
    "/wishes/": None,
    "/wishes/?status=submitted": None,
    "/projects/": None,
    "/projects/workspace/": (Role.UNIT_STAFF,),
    "/dashboard/": (Role.SUPERVISOR,),
    "/wishes/mine/": None,  # a reader's own: kept for them alone
    "/wishes/mine/claims/": None,
    "/api/v1/wishes/?status=submitted": None,
    "/api/v1/projects/": None,
}


@pytest.fixture
def district(db):
    """Two communities, two units, wishes and projects in each; two readers of every role, who differ in
    what they see (their community, their unit, their own wishes) or in what is theirs alone (notices)."""
    a, b = CommunityFactory(name="天目社区"), CommunityFactory(name="三水社区")
    x, y = UnitFactory(name="区教育局"), UnitFactory(name="区民政局")
    ProjectFactory(title="公开项目甲", lead_unit=x)
    ProjectFactory(title="教育局内部项目", lead_unit=x, is_public=False)
    ProjectFactory(title="民政局内部项目", lead_unit=y, is_public=False)
    users = {
        "resident A": UserFactory(roles=[Role.RESIDENT], community=a, real_name="居民甲"),
        "resident B": UserFactory(roles=[Role.RESIDENT], community=b, real_name="居民乙"),
        "resident with own wish": UserFactory(roles=[Role.RESIDENT], community=a, real_name="居民丙"),
        "member A": MemberFactory(community=a, real_name="党员甲"),
        "member A2": MemberFactory(community=a, real_name="党员丁"),
        "member B": MemberFactory(community=b, real_name="党员乙"),
        "unit staff X": UserFactory(roles=[Role.UNIT_STAFF], unit=x, real_name="联络员甲"),
        "unit staff Y": UserFactory(roles=[Role.UNIT_STAFF], unit=y, real_name="联络员乙"),
        "community staff A": UserFactory(roles=[Role.COMMUNITY_STAFF], community=a, real_name="社工甲"),
        "community staff B": UserFactory(roles=[Role.COMMUNITY_STAFF], community=b, real_name="社工乙"),
        "supervisor 1": UserFactory(roles=[Role.SUPERVISOR], real_name="督查甲"),
        "supervisor 2": UserFactory(roles=[Role.SUPERVISOR], real_name="督查乙"),
        "admin": UserFactory(roles=[Role.ADMIN], is_staff=True, real_name="办公室"),
    }
    WishFactory(title="天目社区开放心愿", community=a)
    WishFactory(title="三水社区开放心愿", community=b)
    WishFactory(title="天目社区待审核", community=a, status=WishStatus.SUBMITTED)
    WishFactory(title="三水社区待审核", community=b, status=WishStatus.SUBMITTED)
    WishFactory(
        title="居民丙自己的心愿",
        community=a,
        status=WishStatus.SUBMITTED,
        submitted_by=users["resident with own wish"],
    )
    WishFactory(
        title="党员甲认领的心愿", community=a, status=WishStatus.CLAIMED, claimed_by=users["member A"]
    )
    notify(recipients=[users["supervisor 1"]], reason="test", title="新的督办单")
    return users


def normalised(content: bytes) -> str:
    """The answer without its CSRF tokens (masked afresh on every request)."""
    return re.sub(
        r'(csrf-token" content="|csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", content.decode()
    )


def allowed(user, page: str) -> bool:
    roles = PAGES[page]
    return roles is None or any(user.groups.filter(name__in=[*roles, Role.ADMIN]).exists() for _ in [0])


def client_for(user, page: str):
    client = APIClient() if page.startswith("/api/") else Client()
    sign_in(client, user)
    return client


def test_no_reader_is_ever_shown_what_another_reader_sees(district, settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    answers, states = {}, []
    # Every reader in turn, twice, so every reader after the first of their kind is served from the cache.
    for _round in range(2):
        for name, user in district.items():
            for page in PAGES:
                if allowed(user, page):
                    response = client_for(user, page).get(page)
                    assert response.status_code == 200, (name, page)
                    answers[name, page] = response
                    states.append(response.get("X-Page-Cache"))
    assert states.count("hit") > len(states) // 3  # readers do share answers
    settings.PAGE_CACHE_SECONDS = 0
    for (name, page), response in answers.items():
        alone = client_for(district[name], page).get(page)
        assert normalised(response.content) == normalised(alone.content), (name, page)
        if not page.startswith("/api/"):
            header = re.search(r"退出（(.*?)）", response.content.decode()).group(1)
            assert header == district[name].display_name, (name, page)


def test_readers_of_one_role_and_scope_share_the_page_but_not_their_own_parts(district, settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    first = client_for(district["supervisor 1"], "/dashboard/").get("/dashboard/")
    second = client_for(district["supervisor 2"], "/dashboard/").get("/dashboard/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert 'class="badge unread-count">1' in first.content.decode()
    assert "unread-count" not in second.content.decode() and "督查甲" not in second.content.decode()
    assert client_for(district["member A"], "/wishes/").get("/wishes/")["X-Page-Cache"] == "miss"
    board_a2 = client_for(district["member A2"], "/wishes/").get("/wishes/")
    board_b = client_for(district["member B"], "/wishes/").get("/wishes/")
    assert board_a2["X-Page-Cache"] == "hit"  # the same community first: the same board
    assert board_b["X-Page-Cache"] == "miss"  # another community first
    own = client_for(district["resident with own wish"], "/wishes/?status=submitted")
    mine = own.get("/wishes/?status=submitted")
    assert "X-Page-Cache" not in mine and "居民丙自己的心愿" in mine.content.decode()
    other = client_for(district["resident A"], "/wishes/?status=submitted").get("/wishes/?status=submitted")
    assert "居民丙自己的心愿" not in other.content.decode()
    staff_a = client_for(district["community staff A"], "/wishes/?status=submitted").get(
        "/wishes/?status=submitted"
    )
    staff_b = client_for(district["community staff B"], "/wishes/?status=submitted").get(
        "/wishes/?status=submitted"
    )
    assert "天目社区待审核" in staff_a.content.decode() and "天目社区待审核" not in staff_b.content.decode()
    liaison_x = client_for(district["unit staff X"], "/projects/workspace/").get("/projects/workspace/")
    liaison_y = client_for(district["unit staff Y"], "/projects/workspace/").get("/projects/workspace/")
    assert (
        "教育局内部项目" in liaison_x.content.decode() and "教育局内部项目" not in liaison_y.content.decode()
    )


def test_a_members_own_claims_are_kept_for_them_alone_and_a_claim_shows_at_once(
    district, settings, django_capture_on_commit_callbacks
):
    from wishes import services

    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    member, other = district["member A"], district["member A2"]
    mine, theirs = client_for(member, "/wishes/"), client_for(other, "/wishes/")
    first = mine.get("/wishes/mine/claims/")
    assert first["X-Page-Cache"] == "miss" and "党员甲认领的心愿" in first.content.decode()
    assert mine.get("/wishes/mine/claims/")["X-Page-Cache"] == "hit"
    elsewhere = theirs.get("/wishes/mine/claims/")
    assert elsewhere["X-Page-Cache"] == "miss" and "党员甲认领的心愿" not in elsewhere.content.decode()
    wish = WishFactory(title="新上墙的心愿", community=member.community)
    with django_capture_on_commit_callbacks(execute=True):  # the topics move when the claim commits
        services.wish_claim(actor=member, wish=wish)
    again = mine.get("/wishes/mine/claims/")
    assert again["X-Page-Cache"] == "miss" and "新上墙的心愿" in again.content.decode()


@pytest.mark.parametrize(
    ("reader", "page"),
    [("member A2", "/wishes/"), ("unit staff X", "/projects/workspace/"), ("supervisor 2", "/dashboard/")],
)
def test_a_signed_in_reader_of_a_kept_page_costs_one_query(district, settings, reader, page):
    """The person with their roles, their second-step device and the facts the page's share needs (the
    wishes only they see) in one query; the page itself from the cache (``accounts.backends.USER_FACTS``)."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    client = client_for(district[reader], page)
    client.get(page)
    client.get(page)  # the reader's own parts kept too
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response["X-Page-Cache"] == "hit"
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_the_token_of_a_reused_page_is_the_readers_own_freshly_masked_and_accepted(settings):
    """The CSRF token put into a page reused from the cache is the reader's cookie secret under a new mask
    each time (as Django's ``get_token`` gives it), and Django's CSRF check takes it on a form post."""
    from django.middleware.csrf import _unmask_cipher_token

    settings.PAGE_CACHE_SECONDS = 600
    member = MemberFactory()
    client = Client(enforce_csrf_checks=True)
    sign_in(client, member)
    client.get("/wishes/")  # the page into the cache
    tokens = []
    for _ in range(3):
        answer = client.get("/wishes/")
        assert answer["X-Page-Cache"] == "hit"
        tokens.append(re.search(r'csrf-token" content="([^"]+)"', answer.content.decode()).group(1))
    secret = client.cookies["csrftoken"].value
    assert len(set(tokens)) == 3 and all(len(t) == 64 for t in tokens)
    assert {_unmask_cipher_token(t) for t in tokens} == {secret}
    answer = client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": tokens[-1]})
    assert answer.status_code == 302
