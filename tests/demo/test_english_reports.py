"""The demo district's reports read in English (issue 19 item 2): the ten-day bulletin, the weekly
reminder and the monthly dispatch — the page, the public bulletin, the API's body and the xlsx — leave no
Chinese but what people wrote and the proper nouns allowed below; in Chinese they are the page stored when
they were generated. Lookup names on the showcase and the project page are English too."""

import io
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from accounts.models import Community, Town, Unit, User
from projects.models import Domain, KeyTask, Milestone, Program, Project, TargetGroup
from supervision.choices import ReportKind, ReportStatus
from supervision.models import Report, SupervisionOrder
from surveys.models import ProblemItem
from tests.clients import sign_in
from wishes.models import Wish

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")  # as tests/browser/measure.py


class _Text(HTMLParser):
    """The text of a page (its text nodes, not scripts or styles)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def allowed_in_english() -> list[str]:
    """What an English report may show in Chinese, and nothing else: what people wrote (project titles and
    milestones, wishes and who claimed them, the orders' reasons, problem items) and the proper nouns the
    portal does not translate — towns and communities, and a unit only while it has no English name.
    Lookup names (programs, domains …) and the units with an English name are not allowed."""
    strings = [
        "简体中文",  # the language switch names each language in its own
        *Project.objects.values_list("title", flat=True),
        *Milestone.objects.values_list("name", flat=True),
        *Wish.objects.values_list("title", flat=True),
        *(user.display_name for user in User.objects.all()),  # people's names (claimers, who signed in)
        *SupervisionOrder.objects.values_list("reason", flat=True),
        *ProblemItem.objects.values_list("title", flat=True),
        *Town.objects.values_list("name", flat=True),
        *Community.objects.values_list("name", flat=True),
        *Unit.objects.filter(name_en="").values_list("name", flat=True),
    ]
    return sorted({s for s in strings if s}, key=len, reverse=True)


def leftovers(texts, allowed: list[str]) -> list[str]:
    found = []
    for shown in texts:
        text = shown
        for string in allowed:
            text = text.replace(string, " ")
        if HAN.search(text):
            found.append(f"{''.join(HAN.findall(text))!r} in {shown[:80]!r}")
    return found


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def supervisor_client(district):
    client = Client()
    sign_in(client, User.objects.get(username="supervisor"))
    return client


def _latest(kind: str) -> Report:
    return Report.objects.filter(kind=kind).order_by("-period_start").first()


def test_every_unit_of_the_demo_and_every_lookup_row_has_an_english_name(district):
    for model in (Unit, KeyTask, Program, Domain, TargetGroup):
        assert not model.objects.filter(name_en="").exists(), model
    assert Unit.objects.get(name="区卫生健康委员会").name_en == "District Health Commission"


@pytest.mark.parametrize("kind", ReportKind.values)
def test_a_report_page_in_english_has_no_chinese_but_what_people_wrote_and_places(supervisor_client, kind):
    report = _latest(kind)
    page = _english(supervisor_client).get(f"/reports/{report.pk}/")
    assert page.status_code == 200
    html = unescape(page.content.decode())
    allowed = allowed_in_english()
    body = html[html.index('class="card report-page"') :]
    assert len(HAN.findall(report.html)) > 100  # the stored page is Chinese through and through
    assert not leftovers(_texts(body), allowed)
    assert not leftovers(_texts(html), allowed)  # the status, history and tools around it too
    assert report.local_title in html and report.title not in html
    # The units by their English names, never by the Chinese ones.
    shown = {block["unit"] for block in report.data.get("units", [])}
    shown |= {row["unit"] for row in report.data.get("ranking", [])}
    for name in shown:
        assert Unit.objects.get(name=name).name_en in html
        assert name not in html


def test_the_dispatch_reads_its_programs_and_domains_in_english(supervisor_client):
    report = _latest(ReportKind.MONTHLY)
    html = unescape(_english(supervisor_client).get(f"/reports/{report.pk}/").content.decode())
    for row in report.data["by_program"]:
        assert Program.objects.get(name=row["group"]).name_en in html
    for row in report.data["by_domain"]:
        assert Domain.objects.get(name=row["group"]).name_en in html
    assert "Monthly dispatch" in html


def test_a_chinese_reader_gets_the_page_stored_when_the_report_was_generated(supervisor_client):
    for kind in ReportKind.values:
        report = _latest(kind)
        html = supervisor_client.get(f"/reports/{report.pk}/").content.decode()
        assert report.html in html
        assert report.title in html


def test_the_published_bulletin_in_english_and_in_chinese(district):
    bulletin = Report.objects.filter(kind=ReportKind.TENDAY, status=ReportStatus.PUBLISHED).first()
    english = _english(Client()).get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert not leftovers(_texts(english), allowed_in_english())
    assert "Ten-day bulletin" in english
    chinese = Client().get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert bulletin.html in chinese  # a published bulletin reads the same forever in Chinese


def test_the_api_gives_the_body_in_the_readers_language_and_keeps_the_stored_title(supervisor_client):
    report = _latest(ReportKind.TENDAY)
    english = _english(supervisor_client).get(f"/api/v1/reports/{report.pk}/").json()
    assert english["title"] == report.title and english["local_title"].startswith("Ten-day bulletin")
    assert not leftovers(_texts(english["body"]), allowed_in_english())
    supervisor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = supervisor_client.get(f"/api/v1/reports/{report.pk}/").json()
    assert chinese["body"] == report.html and chinese["local_title"] == report.title


@pytest.mark.parametrize("kind", ReportKind.values)
def test_the_xlsx_in_english_names_units_and_programs_in_english(supervisor_client, kind):
    report = _latest(kind)
    response = _english(supervisor_client).get(f"/reports/{report.pk}/export.xlsx")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content))
    cells = [
        str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value
    ]
    cells += [sheet.title for sheet in workbook.worksheets]
    assert not leftovers(cells, allowed_in_english())


def test_the_showcase_and_a_project_page_name_programs_domains_and_groups_in_english(district):
    project = (
        Project.objects.filter(is_public=True, target_groups__isnull=False)
        .select_related("program", "domain")
        .first()
    )
    client = _english(Client())
    showcase = unescape(client.get("/projects/").content.decode())
    page = unescape(client.get(f"/projects/{project.code}/").content.decode())
    for html in (showcase, page):
        for program in Program.objects.all():
            assert program.name not in html, program.name
    assert project.program.name_en in page and project.domain.name_en in page
    assert project.program.key_task.name_en in page and project.lead_unit.name_en in page
