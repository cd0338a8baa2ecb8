"""What the wish pages say, found on a phone: the manage header counts what it tags, staff entry speaks of
the wisher, the phone field shows the server's message, a lost photo is said."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.wishes.factories import WishFactory
from tests.wishes.test_pages import form_data
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db


def test_manage_header_counts_every_wish_tagged_unclaimed_too_long(client_as, community_staff, settings):
    long_ago = timezone.now() - datetime.timedelta(days=settings.WISH_UNCLAIMED_FLAG_DAYS + 1)
    community = community_staff.community
    WishFactory(community=community, opened_at=long_ago, submitted_at=long_ago)
    WishFactory(community=community, opened_at=long_ago, submitted_at=long_ago, reopened=True)
    WishFactory(community=community)
    page = client_as(community_staff).get("/wishes/manage/")
    queues = page.context["queues"]
    tagged = [w for q in queues.values() for w in q if w.is_flagged]
    assert len({w.pk for w in tagged}) == len(queues["flagged"]) == 2


def test_staff_entry_offers_paper_channels_card_first_and_names_the_wisher(client_as, community_staff):
    form = client_as(community_staff).get("/wishes/manage/new/").context["form"]
    assert [value for value, _label in form.fields["channel"].choices] == [
        "card",
        "box",
        "hotline",
        "visit",
        "night_visit",
    ]
    assert form["channel"].value() == "card"
    assert str(form.fields["title"].label) == "心愿内容"
    assert str(form.fields["wisher_name"].label) == "心愿人姓名"


def test_phone_field_has_no_html_pattern_so_the_server_message_shows(client, community):
    page = client.get("/wishes/new/").content.decode()
    assert 'name="wisher_phone"' in page and "pattern=" not in page
    answer = client.post("/wishes/new/", form_data(community, wisher_phone="12345"))
    assert "请输入 11 位手机号码" in answer.content.decode()


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_chosen_photo_lost_to_an_error_elsewhere_is_said(client, community):
    answer = client.post("/wishes/new/", {**form_data(community, title=""), "photos": _photo()})
    assert "刚才选的照片没有保存" in answer.content.decode()
    without_photo = client.post("/wishes/new/", form_data(community, title=""))
    assert "刚才选的照片没有保存" not in without_photo.content.decode()


def test_wish_pages_carry_the_site_name_in_their_titles(client):
    for url in ("/wishes/", "/wishes/new/", "/wishes/track/", "/accounts/login/"):
        title = client.get(url).content.decode().split("<title>")[1].split("</title>")[0]
        assert "我为群众办实事" in title, url


def test_open_wishes_are_not_tagged_before_their_time(community):
    assert not WishFactory(community=community, status=WishStatus.OPEN).is_flagged
