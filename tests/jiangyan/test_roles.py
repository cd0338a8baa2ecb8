import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIRequestFactory

from jiangyan.core.permissions import HasRole
from jiangyan.core.roles import Role, has_role, is_admin, require_role, roles_of
from jiangyan.core.site import nav_for
from tests.factories import UserFactory


@pytest.mark.django_db
def test_roles_come_from_groups_and_a_user_may_hold_several():
    user = UserFactory(roles=[Role.PARTY_MEMBER, Role.RESIDENT])
    assert roles_of(user) == {Role.PARTY_MEMBER, Role.RESIDENT}
    assert has_role(user, Role.PARTY_MEMBER)
    assert not has_role(user, Role.SUPERVISOR, Role.UNIT_STAFF)


@pytest.mark.django_db
def test_admin_group_and_superuser_hold_every_role():
    assert has_role(UserFactory(roles=[Role.ADMIN]), Role.UNIT_STAFF)
    superuser = UserFactory(is_superuser=True)
    assert is_admin(superuser) and has_role(superuser, Role.COMMUNITY_STAFF)


def test_anonymous_user_holds_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert roles_of(AnonymousUser()) == frozenset()
    with pytest.raises(PermissionDenied):
        require_role(AnonymousUser(), Role.RESIDENT)


@pytest.mark.django_db
def test_api_permission_checks_the_role_on_the_server():
    request = APIRequestFactory().get("/")
    permission = HasRole.of(Role.SUPERVISOR)()
    request.user = UserFactory(roles=[Role.RESIDENT])
    assert not permission.has_permission(request, None)
    request.user = UserFactory(roles=[Role.SUPERVISOR])
    assert permission.has_permission(request, None)


@pytest.mark.django_db
def test_navigation_shows_signed_in_entries_only_to_signed_in_users():
    from django.contrib.auth.models import AnonymousUser

    anonymous_urls = {i["url"] for i in nav_for(AnonymousUser())}
    assert "/accounts/me/" not in anonymous_urls
    assert "/accounts/me/" in {i["url"] for i in nav_for(UserFactory(roles=[Role.RESIDENT]))}
