"""Journey 6 of the issue, in Chromium at 390×844: a resident answers the survey — told up front that an
anonymous answer needs a phone number — and cannot answer twice."""

import pytest

from surveys.models import Response
from tests.browser.conftest import shoot
from tests.surveys.factories import survey_with_every_kind


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_answers_the_survey_once_and_a_second_visit_is_told_at_once(phone_page):
    page = phone_page
    s = survey_with_every_kind()
    url = f"/surveys/{s['survey'].pk}/"
    page.goto(url)
    assert "匿名填写需要留一个手机号" in page.locator("main").inner_text()
    page.fill("input[name=phone]", "13800138000")
    page.get_by_label("60岁及以上").check()
    page.get_by_label("养老服务").check()
    page.locator(f"#q{s['rating'].pk} label").nth(3).click()
    page.fill(f"textarea[name=q_{s['text'].pk}]", "建议增设老年助餐点")
    shoot(page, "survey-form")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda u: u.endswith("/thanks/"))
    assert Response.objects.get().answers.count() == 4  # the number question was left empty

    # Back to the survey: told at once, without the questions.
    page.goto(url)
    assert "您已提交过本问卷" in page.locator("main").inner_text()
    assert page.locator("input[name=phone]").count() == 0
    shoot(page, "survey-second-visit")

    # Answering again for the same phone number is refused with the server's message.
    page.goto(url + "?another=1")
    page.fill("input[name=phone]", "13800138000")
    page.get_by_label("60岁及以上").check()
    page.get_by_label("养老服务").check()
    page.locator(f"#q{s['rating'].pk} label").nth(3).click()
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "您已提交过本问卷" in page.locator("main").inner_text()
    assert Response.objects.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_wrong_phone_number_shows_the_servers_message_not_the_browsers(phone_page):
    s = survey_with_every_kind()
    phone_page.goto(f"/surveys/{s['survey'].pk}/")
    phone_page.fill("input[name=phone]", "12345")
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_load_state()
    assert "请输入 11 位手机号码" in phone_page.locator("main").inner_text()
