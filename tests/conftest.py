import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from jiangyan.catalogues import compile_catalogues
from jiangyan.core.roles import Role
from tests.clients import sign_in
from tests.factories import CommunityFactory, MemberFactory, UnitFactory, UserFactory
from tests.queries import QueryCounter


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def unit(db):
    return UnitFactory()


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=[Role.ADMIN], is_staff=True)


@pytest.fixture
def supervisor(db):
    return UserFactory(roles=[Role.SUPERVISOR])


@pytest.fixture
def resident(db, community):
    return UserFactory(roles=[Role.RESIDENT], community=community)


@pytest.fixture
def unit_staff(db, unit):
    return UserFactory(roles=[Role.UNIT_STAFF], unit=unit)


@pytest.fixture
def community_staff(db, community):
    return UserFactory(roles=[Role.COMMUNITY_STAFF], community=community)


@pytest.fixture
def member(db, community):
    return MemberFactory(community=community)


@pytest.fixture
def role_users(admin_user, supervisor, resident, unit_staff, community_staff, member):
    """One user per role, keyed by role name (``anonymous`` is ``None``)."""
    return {
        "anonymous": None,
        Role.RESIDENT: resident,
        Role.PARTY_MEMBER: member,
        Role.UNIT_STAFF: unit_staff,
        Role.COMMUNITY_STAFF: community_staff,
        Role.SUPERVISOR: supervisor,
        Role.ADMIN: admin_user,
    }


@pytest.fixture
def client_as(role_users):
    """``client_as("unit_staff")`` — a page client signed in as that role's user (``api=True``: an API
    client); ``client_as(user)`` for any user; ``"anonymous"`` for nobody."""

    def make(who, api: bool = False):
        client = APIClient() if api else Client()
        user = role_users[who] if isinstance(who, str) else who
        if user is not None:
            sign_in(client, user)
        return client

    return make


@pytest.fixture
def query_counter():
    """See ``tests.queries``: ``query_counter.flat(client, url, grow=…)`` asserts a list's query count is the
    same before and after its data grows."""
    return QueryCounter()


def pytest_sessionstart(session):
    """The compiled catalogues are build output (``make catalogues``): compile any that are stale, so a bare
    ``pytest`` after editing a ``.po`` tests the new translations."""
    compile_catalogues()
