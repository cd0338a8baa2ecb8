"""A resident answers the survey on a phone (Chromium through Playwright; skipped without Chromium)."""

import pytest

from surveys.models import Response
from tests.surveys.factories import survey_with_every_kind


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_answers_the_survey_on_a_phone(phone_page, tmp_path):
    s = survey_with_every_kind()
    phone_page.goto(f"/surveys/{s['survey'].pk}/")
    # Large touch targets: every option label is at least 44 px high.
    labels = phone_page.locator(".q-card fieldset > div label")
    heights = labels.evaluate_all("els => els.map(e => e.offsetHeight)")
    assert heights and min(heights) >= 44
    phone_page.fill("input[name=phone]", "13800138000")
    phone_page.get_by_label("60岁及以上").check()
    phone_page.get_by_label("养老服务").check()
    phone_page.locator(f"#q{s['rating'].pk} label").nth(3).click()
    phone_page.fill(f"textarea[name=q_{s['text'].pk}]", "建议增设老年助餐点")
    phone_page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)  # for a human look
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_url(lambda url: url.endswith("/thanks/"))
    assert Response.objects.get().answers.count() == 4  # the number question was left empty
