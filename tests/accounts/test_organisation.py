"""The organisation API (towns, communities, units) is public and read-only; a taken phone number is the
registration service's refusal, shown on the form's phone field."""

import pytest

from accounts.models import User
from accounts.services import resident_register
from jiangyan.core.exceptions import ApplicationError
from jiangyan.helpers.crypto import blind_index
from tests.factories import CommunityFactory, UnitFactory, UserFactory
from tests.matrix import ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["towns", "communities", "units"])
def test_organisation_lists_and_rows_are_open_to_everybody(client_as, role, kind):
    community, unit = CommunityFactory(), UnitFactory()
    first = {"towns": community.town_id, "communities": community.pk, "units": unit.pk}[kind]
    client = client_as(role, api=True)
    assert client.get(f"/api/v1/{kind}/").status_code == 200
    assert client.get(f"/api/v1/{kind}/{first}/").json()["id"] == first


@pytest.mark.parametrize("kind", ["towns", "communities", "units"])
def test_organisation_api_is_read_only_and_malformed_ids_are_404(client_as, kind):
    client = client_as("admin", api=True)
    assert client.post(f"/api/v1/{kind}/", {"name": "新"}, format="json").status_code == 405
    assert client.get(f"/api/v1/{kind}/abc/").status_code == 404


def test_communities_filter_by_town(client_as):
    here, there = CommunityFactory(), CommunityFactory()
    rows = client_as("anonymous", api=True).get(f"/api/v1/communities/?town={here.town_id}").json()
    assert [row["id"] for row in rows] == [here.pk] and there.pk not in [row["id"] for row in rows]


def test_a_taken_phone_is_refused_by_the_service_on_the_phone_field():
    UserFactory(username="13800138000")
    with pytest.raises(ApplicationError) as refused:
        resident_register(phone="13800138000", password="Qinhu-lake-2021")
    assert refused.value.code == "duplicate_phone" and "该手机号已注册" in refused.value.fields["phone"][0]
    assert User.objects.filter(phone_index=blind_index("13800138000")).count() == 0


def test_me_page_sends_visitors_to_sign_in(client_as):
    response = client_as("anonymous").get("/accounts/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_as("resident").get("/accounts/me/").status_code == 200
