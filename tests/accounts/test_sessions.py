"""Sessions that end (等保 身份鉴别: 登录连接超时自动退出): idle timeout, absolute lifetime, a password change
ends the person's other sessions, and staff hold one session at a time when STAFF_SINGLE_SESSION is on."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiangyan.core.roles import Role
from tests.clients import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Qinhu-Lake-2026!"


def later(minutes: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def test_a_staff_session_ends_after_the_idle_timeout_with_a_notice(client, settings, supervisor):
    settings.STAFF_SESSION_IDLE_SECONDS = 30 * 60
    sign_in(client, supervisor)
    with later(29):
        assert client.get("/accounts/me/").status_code == 200
    with later(29 + 31):
        response = client.get("/accounts/me/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "长时间未操作" in response.content.decode()
    assert client.get("/accounts/me/").status_code == 302


def test_use_keeps_a_staff_session_alive_until_its_lifetime(client, settings, unit_staff):
    settings.STAFF_SESSION_IDLE_SECONDS = 30 * 60
    settings.STAFF_SESSION_MAX_SECONDS = 2 * 3600
    sign_in(client, unit_staff)
    for minutes in range(20, 120, 20):  # a request every 20 minutes: never idle
        with later(minutes):
            assert client.get("/accounts/me/").status_code == 200, minutes
    with later(125):
        assert client.get("/accounts/me/")["Location"].startswith("/accounts/login/")


def test_a_residents_session_is_not_held_to_the_staff_timeout(client, settings, resident):
    settings.STAFF_SESSION_IDLE_SECONDS = 30 * 60
    sign_in(client, resident)
    with later(120):
        assert client.get("/accounts/me/").status_code == 200
    with later(120 + settings.SESSION_IDLE_SECONDS / 60 + 1):
        assert client.get("/accounts/me/").status_code == 302


def test_a_password_change_ends_every_other_session_and_token_of_that_person(community_staff):
    here, elsewhere = sign_in(Client(), community_staff), sign_in(Client(), community_staff)
    Token.objects.create(user=community_staff)
    response = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert here.get("/accounts/me/").status_code == 200  # the session that changed it stays
    assert elsewhere.get("/accounts/me/")["Location"].startswith("/accounts/login/")
    assert not Token.objects.filter(user=community_staff).exists()


def test_a_new_staff_sign_in_ends_the_old_session_with_a_notice(settings, unit_staff):
    settings.STAFF_SINGLE_SESSION = True
    first = sign_in(Client(), unit_staff)
    assert first.get("/accounts/me/").status_code == 200
    second = sign_in(Client(), unit_staff)
    assert second.get("/accounts/me/").status_code == 200
    response = first.get("/accounts/me/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "已在别处登录" in response.content.decode()
    assert second.get("/accounts/me/").status_code == 200


def test_the_single_session_rule_also_ends_an_old_api_session(settings, unit_staff):
    settings.STAFF_SINGLE_SESSION = True
    api = sign_in(APIClient(), unit_staff)
    assert api.get("/api/v1/me/").status_code == 200
    sign_in(Client(), unit_staff)
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_residents_may_hold_several_sessions(settings):
    settings.STAFF_SINGLE_SESSION = True
    user = UserFactory(roles=[Role.RESIDENT])
    first, second = sign_in(Client(), user), sign_in(Client(), user)
    assert first.get("/accounts/me/").status_code == 200 and second.get("/accounts/me/").status_code == 200
