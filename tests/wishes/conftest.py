import pytest

from jiangyan.core.roles import Role
from tests.factories import CommunityFactory, MemberFactory, UserFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus


@pytest.fixture
def other_community(db):
    return CommunityFactory()


@pytest.fixture
def other_member(db, other_community):
    return MemberFactory(community=other_community)


@pytest.fixture
def other_staff(db, other_community):
    """Community staff of another community: masks, no review rights here."""
    return UserFactory(roles=[Role.COMMUNITY_STAFF], community=other_community)


@pytest.fixture
def matrix_wish(role_users, community):
    """``matrix_wish(state)``: the wish of the role matrices — in ``community``, submitted by the resident of
    ``role_users`` and, once claimed, claimed by its party member."""

    def make(state: str):
        claimed = state in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CLOSED)
        return WishFactory(
            community=community,
            status=state,
            submitted_by=role_users[Role.RESIDENT],
            claimed_by=role_users[Role.PARTY_MEMBER] if claimed else None,
        )

    return make
