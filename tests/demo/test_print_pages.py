"""The A4 pages of the portal printed by Chromium (Debian's ``/usr/bin/chromium`` through Playwright, the
browser's own print to PDF), filled with the demo district: each prints on the pages it should and cuts
nothing.

The demo district lives in a transaction no live server could read, so each page is rendered first by the
Django test client and Chromium is served it (and the static files it asks for) through Playwright's
request routing — no ORM call runs while Playwright's event loop does (Django would hand it another
connection). Printed once for the module (``printed``), checked by the tests. Skipped, with the reason,
without Chromium or poppler's ``pdfinfo``/``pdftotext``."""

import os
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Community, User
from projects.models import Project
from supervision.choices import ReportKind, ReportStatus
from supervision.models import Report
from tests.clients import sign_in
from tests.material import SUMMARY, wordy_project
from tests.office import flat

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SKIP_REASON = (
    f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    if not shutil.which(CHROMIUM)
    else ""
    if shutil.which("pdfinfo")
    else "pdfinfo not installed (apt-get install poppler-utils)"
)
pytestmark = [pytest.mark.django_db, pytest.mark.skipif(bool(SKIP_REASON), reason=SKIP_REASON)]

A4_PRINTABLE_PX = 680  # 210 mm less the 15 mm margins, at 96 px an inch


def _pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _client(*, user=None, language: str = "", display: str = "") -> Client:
    client = Client()
    if user is not None:
        sign_in(client, user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if display:
        client.cookies["display"] = display
    return client


def _rendered(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


def _serve(html: bytes):
    """A Playwright route handler: the page's HTML, then the static files it asks for (from the finders,
    as the test settings serve them)."""

    def handle(route):
        path = urlsplit(route.request.url).path
        if path.startswith(settings.STATIC_URL) and (found := finders.find(path[len(settings.STATIC_URL) :])):
            route.fulfill(path=found)
        elif route.request.resource_type == "document":
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        else:
            route.fulfill(status=404, body=b"")

    return handle


def _print(browser, folder, name: str, url: str, html: bytes) -> dict:
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.route("**/*", _serve(html))
        page.goto(f"http://testserver{url}")
        page.emulate_media(media="print")
        # Anything wider than the printable width would be cut at the page edge.
        page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})
        overflow = page.evaluate("document.documentElement.scrollWidth") - A4_PRINTABLE_PX
        path = folder / f"{name}.pdf"
        page.pdf(path=str(path), prefer_css_page_size=True)
    finally:
        context.close()
    return {"pages": _pdf_pages(path), "text": _pdf_text(path), "overflow": overflow}


@pytest.fixture(scope="module")
def printed(district, django_db_blocker, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("pages")
    with django_db_blocker.unblock(), transaction.atomic():
        office = _client(user=User.objects.get(username="admin"))
        wordy = wordy_project()
        demo = Project.objects.exclude(pk=wordy.pk).order_by("code").first()
        community = Community.objects.filter(phone__gt="").order_by("id").first()
        latest = {
            kind: Report.objects.filter(kind=kind).order_by("-period_start").first() for kind in ReportKind
        }
        bulletin = Report.objects.filter(status=ReportStatus.PUBLISHED).order_by("-period_start").first()
        weekly = latest[ReportKind.WEEKLY].pk
        card = reverse("wishes:card", args=[community.pk])
        pages = {
            "ledger": (reverse("projects:ledger", args=[demo.code]), office),
            "ledger-wordy": (reverse("projects:ledger", args=[wordy.code]), office),
            "bulletin": (reverse("supervision:bulletin", args=[bulletin.pk]), _client()),
            "tenday": (reverse("supervision:report", args=[latest[ReportKind.TENDAY].pk]), office),
            "monthly": (reverse("supervision:report", args=[latest[ReportKind.MONTHLY].pk]), office),
            "weekly": (reverse("supervision:report", args=[weekly]), office),
            "weekly-mine": (
                reverse("supervision:report-mine", args=[weekly]),
                _client(user=User.objects.get(username="unit_staff")),
            ),
            "card": (card, _client()),
            "card-en": (card, _client(language="en")),
            "card-large": (card, _client(display="large")),
        }
        html = {name: (url, _rendered(client, url)) for name, (url, client) in pages.items()}
        transaction.set_rollback(True)  # the wordy project leaves the district as it was
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            return {name: _print(browser, folder, name, url, body) for name, (url, body) in html.items()}
        finally:
            browser.close()


MAX_PAGES = {
    "ledger": 1,
    "ledger-wordy": 1,
    "bulletin": 8,
    "tenday": 8,
    "monthly": 8,
    "weekly": 12,
    "weekly-mine": 2,
    "card": 1,
    "card-en": 1,
    "card-large": 1,
}


def test_each_a4_page_prints_on_the_pages_it_should(printed):
    """The ledger on one page (a project written up at length too), the wish card on exactly one in
    Chinese, in English and in large-text mode, the reports on a sane number."""
    assert set(printed) == set(MAX_PAGES)
    wrong = {n: r["pages"] for n, r in printed.items() if not 1 <= r["pages"] <= MAX_PAGES[n]}
    assert not wrong, f"pages printed: {wrong} (at most {MAX_PAGES})"
    assert [printed[n]["pages"] for n in ("card", "card-en", "card-large")] == [1, 1, 1]
    assert "心愿卡" in printed["card"]["text"] and "wish card" in printed["card-en"]["text"]


HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")


def test_nothing_is_cut_or_stranded(printed):
    """No page is wider than A4's printable width (it would be cut at the edge); the ledger prints a long
    summary whole; no page of a report ends on a heading whose table is on the next page."""
    wrong = [f"{n}: {r['overflow']} px wider than the page" for n, r in printed.items() if r["overflow"] > 0]
    if flat(SUMMARY) not in flat(printed["ledger-wordy"]["text"]):
        wrong.append("ledger-wordy: the summary is not printed whole")
    for name in ("bulletin", "tenday", "monthly", "weekly"):
        for number, page in enumerate(printed[name]["text"].split("\f")[:-1], start=1):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            if not lines or HEADING.match(lines[-1]):
                wrong.append(f"{name} page {number} ends on a heading: {lines[-1:]}")
    assert not wrong, wrong
