"""A community's wish hotline (心愿征集热线): checked when the admin saves it, published by the organisation
API, printed on its wish card and shown wherever the community's wishes are."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.validators import validate_public_phone
from tests.factories import CommunityFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db
HOTLINE = "0523-88812345"


@pytest.mark.parametrize("phone", ["0523-88812345", "052388812345", "010-12345678", "13912345678"])
def test_a_landline_with_its_area_code_or_a_mobile_is_a_public_phone(phone):
    assert validate_public_phone(phone) == phone


@pytest.mark.parametrize("phone", ["88812345", "0523-123", "12345", "0523-8881234x", "电话"])
def test_other_numbers_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_public_phone(phone)
    with pytest.raises(ValidationError):
        CommunityFactory.build(phone=phone).full_clean(exclude=["town"])


def test_the_hotline_is_on_the_card_the_board_the_wish_and_the_api(client):
    community = CommunityFactory(phone=HOTLINE)
    wish = WishFactory(community=community, status=WishStatus.OPEN)
    card = client.get(reverse("wishes:card", args=[community.pk])).content.decode()
    assert f"拨打社区心愿征集热线 {HOTLINE}" in card
    board = client.get(reverse("wishes:board"), {"community": community.pk}).content.decode()
    assert f'href="tel:{HOTLINE}"' in board
    page = client.get(reverse("wishes:detail", args=[wish.code])).content.decode()
    assert f'href="tel:{HOTLINE}"' in page
    assert client.get(f"/api/v1/communities/{community.pk}/").json()["phone"] == HOTLINE


def test_a_community_without_a_hotline_prints_no_empty_number(client):
    community = CommunityFactory()
    card = client.get(reverse("wishes:card", args=[community.pk])).content.decode()
    assert "热线" not in card.split("wish-card", 1)[1].split("</article>")[0]
