import pytest

from jiangyan.roles import Role
from tests.factories import CommunityFactory, MemberFactory, UserFactory


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
