"""Playwright driving Debian's Chromium (``/usr/bin/chromium``) against pytest-django's live server.

Never ``playwright install``: the browser comes from the system package (``.ci/run`` installs it). Tests
here are skipped with a stated reason when Chromium is missing. One browser for the whole session and one
live server; each test gets a fresh browser context (its own cookies) at the phone size of the issue.

Journeys save screenshots (phone, full page; desktop, first screen) under ``var/screenshots/`` (or
``$SCREENSHOTS_DIR``); the best of them are copied by hand into ``docs/screenshots/`` for the README."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", settings.BASE_DIR / "var" / "screenshots"))

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would refuse the
# ORM calls that tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(display="large", language="en", viewport=DESKTOP)`` — a page in a fresh context whose
    relative URLs go to the live server. Any dialog or pop-up window fails the test (the issue: none)."""
    contexts = []
    popups: list[str] = []

    def make(*, display: str = "", language: str = "", viewport: dict = PHONE):
        phone = viewport == PHONE
        context = browser.new_context(
            viewport=viewport, is_mobile=phone, has_touch=phone, locale="zh-CN", base_url=live_server.url
        )
        cookies = []
        if display:
            cookies.append({"name": "display", "value": display, "url": live_server.url})
        if language:
            cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url})
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        context.on("page", lambda p: popups.append(f"pop-up window {p.url}"))
        page.on("dialog", lambda d: (popups.append(f"{d.type} dialog: {d.message}"), d.dismiss()))
        page.set_default_timeout(15000)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not popups, popups


@pytest.fixture
def phone_page(open_page):
    """A fresh phone-sized page (390×844, touch)."""
    return open_page()


def sign_in(page, username: str, password: str) -> None:
    """The password step and, for staff, the second step with a recovery code (one use each, so signing
    the same person in twice within a TOTP period works too)."""
    code = _recovery_code(username)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if code and "/accounts/two-factor/" in page.url:
        page.fill("input[name=otp_token]", code)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def _recovery_code(username: str) -> str:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from accounts.models import User
    from accounts.services import needs_second_step
    from tests.clients import authenticator_of

    user = User.objects.filter(username=username).first()
    if user is None or not needs_second_step(user):
        return ""
    authenticator_of(user)
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    return token


def sign_out(page) -> None:
    page.context.clear_cookies()


def shoot(page, name: str) -> None:
    """Screenshots of the page as it is now: ``<name>-phone.png`` (full page) and ``<name>-desktop.png``
    (the same address and cookies at 1366×768)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    desktop = page.context.browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        desktop.add_cookies(page.context.cookies())
        other = desktop.new_page()
        other.goto(page.url)
        other.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"))
    finally:
        desktop.close()
