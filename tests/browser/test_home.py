import pytest

from tests.browser.conftest import shoot, sign_in
from tests.factories import PASSWORD, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_signs_in_on_a_phone_and_turns_on_large_text(phone_page):
    UserFactory(username="zhou", roles=["resident"])
    phone_page.goto("/")
    assert "我为群众办实事" in phone_page.title()
    shoot(phone_page, "home")
    sign_in(phone_page, "zhou", PASSWORD)
    phone_page.check("footer input[type=checkbox][value=large]")
    phone_page.click(".display-prefs button[type=submit]")
    phone_page.wait_for_load_state()
    assert "mode-large" in phone_page.locator("html").get_attribute("class")
    # The setting persists across pages.
    phone_page.goto("/accounts/me/")
    assert "mode-large" in phone_page.locator("html").get_attribute("class")
