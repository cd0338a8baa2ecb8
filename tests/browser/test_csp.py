"""The Content-Security-Policy in a real Chromium: the pages of the site layer (API docs, audit log) work
under it and the browser reports no violation. (The registries' templates are checked by their own
journeys once their inline styles have moved to static files.)"""

import pytest

from jiangyan.core.audit import audit_record
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations_on(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def test_the_api_docs_render_under_the_policy(phone_page):
    seen = violations_on(phone_page)
    phone_page.goto("/api/docs/")
    phone_page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert phone_page.locator(".swagger-ui .opblock").count() >= 40
    assert seen == [], "\n".join(seen)


def test_the_audit_log_works_under_the_policy(phone_page, community):
    office = UserFactory(username="office", roles=["admin"], is_staff=True)
    audit_record(actor=office, verb="wish.approve", target=community, note="审核通过")
    seen = violations_on(phone_page)
    sign_in(phone_page, "office", PASSWORD)
    phone_page.goto("/audit/?verb=wish.approve")
    assert "审核通过" in phone_page.locator("main").inner_text()
    assert seen == [], "\n".join(seen)
