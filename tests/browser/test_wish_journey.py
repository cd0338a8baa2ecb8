"""Issue #4 done-when: a resident, a community worker and a party member carry a wish from submission to
closed in the browser, on a phone-sized screen."""

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, CommunityFactory, MemberFactory, UserFactory
from wishes.models import Wish


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wish_from_phone_submission_to_closed(phone_page):
    page = phone_page
    community = CommunityFactory(name="天目社区")
    UserFactory(username="shequ", roles=["community_staff"], community=community)
    MemberFactory(username="dangyuan", community=community, real_name="王建国")

    # A resident scans the wish card's QR code and submits anonymously.
    page.goto(f"/wishes/new/?community={community.pk}&channel=card")
    assert page.locator("select[name=community]").input_value() == str(community.pk)
    page.select_option("select[name=category]", "repair")
    page.fill("input[name=title]", "修理漏水水龙头")
    page.fill("textarea[name=text]", "厨房水龙头一直滴水，老人不会修。")
    page.fill("input[name=wisher_name]", "张桂兰")
    page.fill("input[name=wisher_phone]", "13712345678")
    page.fill("input[name=wisher_address]", "天目社区3栋2单元501室")
    page.click("main button[type=submit]")
    page.wait_for_url("**/wishes/new/done/")
    query_code = page.locator("[data-query-code]").inner_text().strip()
    assert len(query_code) == 8
    page.context.clear_cookies()

    # The community worker approves it from the review queue.
    sign_in(page, "shequ", PASSWORD)
    page.goto("/wishes/manage/")
    page.locator("#submitted li", has_text="修理漏水水龙头").locator("button", has_text="通过").click()
    page.wait_for_load_state()
    assert "审核通过" in page.locator(".messages").inner_text()
    page.context.clear_cookies()

    # A party member finds it on the board, claims it and, once done, records the fulfilment.
    sign_in(page, "dangyuan", PASSWORD)
    page.goto("/wishes/")
    page.click("text=修理漏水水龙头")
    page.click("#claim button[type=submit]")
    page.wait_for_load_state()
    assert "认领成功" in page.locator(".messages").inner_text()
    assert "13712345678" in page.locator("main").inner_text()  # the claimer sees the contact
    page.fill("#fulfil textarea[name=note]", "已上门更换水龙头阀芯。")
    page.click("#fulfil button[type=submit]")
    page.wait_for_load_state()
    assert "已实现" in page.locator("main").inner_text()
    page.context.clear_cookies()

    # The resident follows up with the query code: 满意.
    page.goto("/wishes/track/")
    page.fill("input[name=query_code]", query_code)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "已上门更换水龙头阀芯" in page.locator("main").inner_text()
    assert "13712345678" not in page.content()
    page.check("input[name=satisfaction][value=satisfied]")
    page.click("#feedback button[type=submit]")
    page.wait_for_load_state()
    assert "已办结" in page.locator("main").inner_text()

    wish = Wish.objects.get()
    assert wish.status == "closed" and wish.satisfaction == "satisfied" and wish.channel == "card"
