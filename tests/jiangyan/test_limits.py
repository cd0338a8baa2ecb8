"""Limits that could be sidestepped (issue 10): a client-written X-Forwarded-For, a signed-in account,
registration, and the lockout message of the API's sign-in."""

import pytest

from accounts.models import User
from jiangyan.core.roles import Role
from jiangyan.core.throttling import client_address
from tests.factories import PASSWORD, UserFactory
from tests.wishes.test_pages import form_data
from wishes.models import Wish

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """``rates(anon_submit="2/hour", …)``: these rates, the defaults for the rest."""

    def set_rates(**scopes):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": scopes}

    return set_rates


# --- one rule for the client's address -------------------------------------------------------------------
class FakeRequest:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    "proxies,remote,forwarded,expected",
    [
        (0, "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # no proxy: the header is the client's own text
        (1, "10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # what our proxy saw, not the forgery
        (2, "10.0.0.3", "1.2.3.4, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (1, "10.0.0.2", None, "10.0.0.2"),
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
    ],
)
def test_client_address_believes_only_the_trusted_proxies(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(FakeRequest(remote, forwarded)) == expected


def test_rotating_x_forwarded_for_does_not_reset_the_api_limit(client_as, community, rates):
    rates(anon_submit="3/hour")
    api = client_as("anonymous", api=True)
    codes = [
        api.post(
            "/api/v1/wishes/", form_data(community), format="json", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1"
        ).status_code
        for n in range(6)
    ]
    assert codes == [201, 201, 201, 429, 429, 429]
    assert Wish.objects.count() == 3


def test_rotating_x_forwarded_for_does_not_reset_the_page_limit(client, community, rates):
    rates(anon_submit="2/hour")
    codes = [
        client.post("/wishes/new/", form_data(community), HTTP_X_FORWARDED_FOR=f"10.8.{n}.1").status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 429, 429]


def test_behind_a_proxy_each_real_client_has_its_own_limit(client_as, community, rates, settings):
    rates(anon_submit="1/hour")
    settings.TRUSTED_PROXY_COUNT = 1
    api = client_as("anonymous", api=True)

    def post(real, forged=""):
        chain = f"{forged}, {real}" if forged else real
        answer = api.post(
            "/api/v1/wishes/",
            form_data(community),
            format="json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=chain,
        )
        return answer.status_code

    assert post("198.51.100.1") == 201
    assert post("198.51.100.1", forged="1.1.1.1") == 429  # a forged entry left of the proxy's is ignored
    assert post("198.51.100.2") == 201


def test_page_and_api_share_one_counter(client, client_as, community, rates):
    rates(anon_submit="2/hour")
    assert client.post("/wishes/new/", form_data(community)).status_code == 302
    api = client_as("anonymous", api=True)
    assert api.post("/api/v1/wishes/", form_data(community), format="json").status_code == 201
    answer = api.post("/api/v1/wishes/", form_data(community), format="json")
    assert answer.status_code == 429
    assert answer.json()["code"] == "throttled" and int(answer["Retry-After"]) > 0


# --- signed-in accounts ----------------------------------------------------------------------------------
def test_a_resident_token_cannot_post_40_wishes(client_as, resident, community, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}  # the defaults
    api = client_as(resident, api=True)
    codes = [api.post("/api/v1/wishes/", form_data(community), format="json").status_code for _ in range(40)]
    assert codes.count(201) == 30 and codes[30:] == [429] * 10
    assert Wish.objects.filter(submitted_by=resident).count() == 30


def test_an_account_is_limited_whatever_address_it_comes_from(client_as, resident, community, rates):
    rates(user_submit="2/hour")
    api = client_as(resident, api=True)
    data = form_data(community)
    codes = [
        api.post("/api/v1/wishes/", data, format="json", REMOTE_ADDR=f"10.7.0.{n}").status_code
        for n in range(1, 4)
    ]
    assert codes == [201, 201, 429]


def test_a_signed_in_resident_on_the_page_is_limited(client_as, resident, community, rates):
    rates(user_submit="1/hour")
    page = client_as(resident)
    assert page.post("/wishes/new/", form_data(community)).status_code == 302
    assert page.post("/wishes/new/", form_data(community)).status_code == 429


def test_staff_entering_paper_cards_have_the_staff_rate(client_as, community_staff, community, rates):
    rates(user_submit="1/hour", staff_submit="3/hour")
    api = client_as(community_staff, api=True)
    card = form_data(community, channel="card")
    codes = [api.post("/api/v1/wishes/", card, format="json").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


# --- registration ----------------------------------------------------------------------------------------
def test_registration_is_limited_per_client(client, rates):
    rates(register="2/hour")

    def register(n):
        client.logout()
        return client.post(
            "/accounts/register/",
            {"phone": f"1380013800{n}", "password1": "Qinhu-lake-2021", "password2": "Qinhu-lake-2021"},
            HTTP_X_FORWARDED_FOR=f"10.6.0.{n}",
        ).status_code

    assert [register(n) for n in range(4)] == [302, 302, 429, 429]
    assert User.objects.filter(groups__name=Role.RESIDENT).count() == 2


# --- API sign-in -----------------------------------------------------------------------------------------
def test_a_locked_account_gets_the_lockout_message_from_the_token_endpoint(api_client, settings):
    UserFactory(username="target")
    url = "/api/v1/auth/token/"
    codes = [
        api_client.post(url, {"username": "target", "password": "x"}, format="json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure locks it
    answer = api_client.post(url, {"username": "target", "password": PASSWORD}, format="json")
    assert answer.status_code == 429
    assert answer.json()["code"] == "locked_out"
    assert "暂时锁定" in answer.json()["detail"]


def test_the_lockout_ignores_a_rotated_x_forwarded_for(api_client, settings):
    UserFactory(username="target")
    for n in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(
            "/api/v1/auth/token/",
            {"username": "target", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.5.0.{n}",
        )
    answer = api_client.post(
        "/api/v1/auth/token/",
        {"username": "target", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="10.5.9.9",
    )
    assert answer.status_code == 429


def test_token_guessing_is_throttled_per_client_not_per_forged_header(api_client, rates):
    rates(token="3/minute")
    codes = [
        api_client.post(
            "/api/v1/auth/token/",
            {"username": f"nobody{n}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.4.0.{n}",
        ).status_code
        for n in range(4)
    ]
    assert codes == [400, 400, 400, 429]
