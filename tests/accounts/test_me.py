"""``/api/v1/me/``: who the signed-in person is — roles, scope and the open work their roles have, each row
linking to its API object and its page."""

import datetime

import pytest
from django.utils import timezone

from jiangyan.core.roles import Role
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory
from tests.supervision.factories import OrderFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

URL = "/api/v1/me/"
pytestmark = pytest.mark.django_db


def work_of(body: dict) -> dict[str, dict]:
    return {kind["kind"]: kind for kind in body["work"]}


def test_a_member_sees_roles_scope_and_claims_in_progress(client_as, member, community):
    promised = timezone.localdate() + datetime.timedelta(days=5)
    claimed = WishFactory(
        community=community, status=WishStatus.CLAIMED, claimed_by=member, promised_date=promised
    )
    WishFactory(community=community, status=WishStatus.FULFILLED, claimed_by=member)  # done: not open work
    body = client_as(member, api=True).get(URL).json()
    assert body["username"] == member.username and body["roles"] == [Role.PARTY_MEMBER]
    assert body["scope"]["registered_community"] == {"id": community.pk, "name": community.name}
    assert body["scope"]["town"] == {"id": community.town_id, "name": community.town.name}
    claims = work_of(body)["claims_in_progress"]
    assert claims["count"] == 1
    (item,) = claims["items"]
    assert item["key"] == claimed.code and item["due"] == promised.isoformat()
    assert item["url"] == f"http://testserver/api/v1/wishes/{claimed.code}/"
    assert item["page"] == f"http://testserver/wishes/{claimed.code}/"
    assert "wishes_to_review" not in work_of(body)  # not a role of theirs


def test_community_staff_see_their_communitys_wishes_to_review(client_as, community_staff, community):
    waiting = WishFactory(community=community, status=WishStatus.SUBMITTED)
    WishFactory(status=WishStatus.SUBMITTED)  # another community's
    body = client_as(community_staff, api=True).get(URL).json()
    assert body["scope"]["community"] == {"id": community.pk, "name": community.name}
    assert body["scope"]["unit"] is None
    review = work_of(body)["wishes_to_review"]
    assert review["count"] == 1 and review["items"][0]["key"] == waiting.code
    assert "claims_in_progress" not in work_of(body)


def test_unit_staff_see_the_orders_their_unit_owes_an_answer(client_as, unit_staff, unit):
    owed = OrderFactory(project=ProjectFactory(lead_unit=unit))
    OrderFactory()  # another unit's
    body = client_as(unit_staff, api=True).get(URL).json()
    assert body["scope"]["unit"] == {"id": unit.pk, "name": unit.name}
    orders = work_of(body)["orders_to_answer"]
    assert orders["count"] == 1 and orders["items"][0]["key"] == str(owed.pk)
    assert orders["items"][0]["url"] == f"http://testserver/api/v1/orders/{owed.pk}/"


def test_a_resident_without_work_gets_empty_kinds(client_as):
    body = client_as(UserFactory(roles=[Role.RESIDENT]), api=True).get(URL).json()
    assert body["roles"] == [Role.RESIDENT]
    assert {kind["kind"]: kind["count"] for kind in body["work"]} == {
        "wishes_to_rate": 0,
        "unread_notifications": 0,
    }


def test_visitors_are_refused(client_as):
    assert client_as("anonymous", api=True).get(URL).status_code in (401, 403)


def test_the_query_count_does_not_grow_with_the_work(client_as, admin_user, query_counter, community):
    """Admins hold every role: each kind of work is asked, in two queries however many rows wait."""

    def grow(n):
        WishFactory.create_batch(n, community=community, status=WishStatus.SUBMITTED)
        WishFactory.create_batch(n, community=community, status=WishStatus.CLAIMED, claimed_by=admin_user)
        for _ in range(n):
            OrderFactory(status="answered")

    query_counter.flat(client_as(admin_user, api=True), URL, grow=grow, max_queries=30)
