"""Sign-in failures limited per account and per address alike, on the sign-in page and the API token
endpoint (django-axes, accounts.lockout), and every failure, lockout and success recorded."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from jiangyan.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PAGE, TOKEN = "/accounts/login/", "/api/v1/auth/token/"


def attempt(_client, url, username, password, address):
    client = Client() if url == PAGE else APIClient()  # the page takes a form, the API JSON
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def refused(response) -> bool:
    return response.status_code == 429


@pytest.mark.parametrize("url", [PAGE, TOKEN])
def test_one_address_trying_many_accounts_is_locked(api_client, settings, url):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    victims = [UserFactory(username=f"victim{n}") for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT)]
    for victim in victims[:-1]:  # one wrong guess per account: no account reaches its own limit
        assert not refused(attempt(api_client, url, victim.username, "guess", "10.9.0.1"))
    assert refused(attempt(api_client, url, victims[-1].username, "guess", "10.9.0.1"))  # the address's limit
    bystander = UserFactory(username="bystander")
    assert refused(attempt(api_client, url, bystander.username, PASSWORD, "10.9.0.1"))
    # Another address is not affected.
    assert not refused(attempt(api_client, url, bystander.username, PASSWORD, "10.9.0.2"))


@pytest.mark.parametrize("url", [PAGE, TOKEN])
def test_one_account_tried_from_many_addresses_is_locked(api_client, settings, url):
    UserFactory(username="target")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(api_client, url, "target", "guess", f"10.8.0.{n}")
    assert refused(attempt(api_client, url, "target", PASSWORD, "10.8.1.1"))


@pytest.mark.parametrize("url", [PAGE, TOKEN])
def test_an_address_below_its_limit_still_signs_in(api_client, settings, url):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    UserFactory(username="typo")
    for n in range(3):
        attempt(api_client, url, f"nobody{n}", "guess", "10.7.0.1")
    assert attempt(api_client, url, "typo", PASSWORD, "10.7.0.1").status_code in (200, 302)


@pytest.mark.parametrize("url", [PAGE, TOKEN])
def test_every_failure_and_the_lockout_are_audited(api_client, settings, url):
    user = UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(api_client, url, "target", "guess", "10.6.0.1")
    events = AuditEvent.objects.for_object(user)
    failures = events.filter(verb="auth.sign_in_failed")
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert failures.first().after["address"] == "10.6.0.1" and failures.first().actor is None
    assert events.filter(verb="auth.locked_out").exists()


def test_a_failure_on_an_unknown_account_is_audited_without_its_number(client):
    attempt(client, PAGE, "13912345678", "guess", "10.5.0.1")
    event = AuditEvent.objects.get(verb="auth.sign_in_failed")
    assert event.target_repr == "139****5678"


def test_a_sign_in_is_audited_with_its_address(client):
    user = UserFactory(username="someone")
    assert attempt(client, PAGE, "someone", PASSWORD, "10.4.0.1").status_code == 302
    event = AuditEvent.objects.for_object(user).get(verb="auth.signed_in")
    assert event.actor == user and event.after["address"] == "10.4.0.1"
