"""Journeys 1 and 2 of the issue, in Chromium at 390×844: a resident submits a wish with a photo and follows
it by query code; community staff approve it; a party member claims it and fulfils it with a photo; the
resident rates it 不满意 and it reopens; the party member sees why."""

import pytest
from PIL import Image

from tests.browser.conftest import shoot, sign_in, sign_out
from tests.factories import PASSWORD, CommunityFactory, MemberFactory, UserFactory
from wishes.choices import WishStatus
from wishes.models import Wish


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "tap.jpg"
    Image.new("RGB", (640, 480), (90, 140, 200)).save(path, "JPEG")
    return str(path)


def _track(page, query_code: str) -> None:
    page.goto("/wishes/track/")
    page.fill("input[name=query_code]", query_code)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wish_from_submission_with_photo_to_reopened_and_the_member_sees_why(phone_page, photo):
    page = phone_page
    community = CommunityFactory(name="天目社区")
    UserFactory(username="shequ", roles=["community_staff"], community=community)
    MemberFactory(username="dangyuan", community=community, real_name="王建国")

    # 1. A resident scans the wish card's QR code, submits anonymously with a photo …
    page.goto(f"/wishes/new/?community={community.pk}&channel=card")
    assert page.locator("select[name=community]").input_value() == str(community.pk)
    page.select_option("select[name=category]", "repair")
    page.fill("input[name=title]", "修理漏水水龙头")
    page.fill("textarea[name=text]", "厨房水龙头一直滴水，老人不会修。")
    page.fill("input[name=wisher_name]", "张桂兰")
    page.fill("input[name=wisher_phone]", "13712345678")
    page.fill("input[name=wisher_address]", "天目社区3栋2单元501室")
    page.set_input_files("input[name=photos]", photo)
    shoot(page, "wish-form")
    page.click("main button[type=submit]")
    page.wait_for_url("**/wishes/new/done/")
    query_code = page.locator("[data-query-code]").inner_text().strip()
    assert len(query_code) == 8
    shoot(page, "wish-query-code")
    wish = Wish.objects.get()
    assert wish.photos.count() == 1 and wish.channel == "card"

    # … and follows it by query code.
    sign_out(page)
    _track(page, query_code)
    assert "待审核" in page.locator("main").inner_text()
    sign_out(page)

    # 2. The community worker approves it from the review queue.
    sign_in(page, "shequ", PASSWORD)
    page.goto("/wishes/manage/")
    shoot(page, "wish-manage")
    page.locator("#submitted li", has_text="修理漏水水龙头").locator("button", has_text="通过").click()
    page.wait_for_load_state()
    assert "审核通过" in page.locator(".messages").inner_text()
    sign_out(page)

    # A party member finds it on the board, claims it, and records the fulfilment with a photo.
    sign_in(page, "dangyuan", PASSWORD)
    page.goto("/wishes/")
    shoot(page, "wish-board")
    page.click("text=修理漏水水龙头")
    page.click("#claim button[type=submit]")
    page.wait_for_load_state()
    assert "认领成功" in page.locator(".messages").inner_text()
    assert "13712345678" in page.locator("main").inner_text()  # the claimer sees the contact
    page.fill("#fulfil textarea[name=note]", "已上门更换水龙头阀芯。")
    page.set_input_files("#fulfil input[type=file]", photo)
    page.click("#fulfil button[type=submit]")
    page.wait_for_load_state()
    assert "已实现" in page.locator("main").inner_text()
    assert Wish.objects.get().photos.count() == 2
    sign_out(page)

    # The resident follows up with the query code: 不满意, and why. The wish is open again.
    _track(page, query_code)
    assert "已上门更换水龙头阀芯" in page.locator("main").inner_text()
    assert "13712345678" not in page.content()
    page.check("input[name=satisfaction][value=unsatisfied]")
    page.fill("#feedback textarea[name=comment]", "换了阀芯还是滴水。")
    shoot(page, "wish-follow-up")
    page.click("#feedback button[type=submit]")
    page.wait_for_load_state()
    wish = Wish.objects.get()
    assert wish.status == WishStatus.OPEN and wish.reopened and wish.claimed_by is None
    sign_out(page)

    # The party member sees why, in 我的认领.
    sign_in(page, "dangyuan", PASSWORD)
    page.goto("/wishes/mine/claims/")
    returned = page.locator("li.returned", has_text="修理漏水水龙头")
    assert "换了阀芯还是滴水" in returned.inner_text()
    shoot(page, "wish-member-sees-why")
