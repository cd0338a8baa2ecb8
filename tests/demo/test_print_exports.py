"""Every xlsx download of the portal, filled with the demo district (written through the services), opened
and printed by LibreOffice — the client the office uses — in one headless session (``tests/office.py``):

* every sheet is A4, fitted to one page across (LibreOffice reads "fit to 1 page wide"), landscape where
  the table is wide, with its header row repeated on every page and "page n of m" below;
* no cell is cut: the text of every text cell is in the printed PDF whole (LibreOffice leaves out what it
  clips at a neighbour or at the page edge), no number or date prints as ``###``, and every row is at least
  as tall as LibreOffice itself finds its content needs;
* the page counts are sane for what is printed.

Skipped, with the reason, where LibreOffice, its Python bridge or poppler are missing."""

import io

import pytest
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Length, TruncDate
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from jiangyan.helpers import xlsx
from jiangyan.models import AuditEvent
from projects.models import Program, Project
from supervision.choices import ReportKind
from supervision.models import Report
from surveys import selectors as survey_selectors
from surveys.models import Survey
from tests.clients import sign_in
from tests.material import wordy_project
from tests.office import SKIP_REASON, flat, print_workbooks, printed_pages

# Few tests, each over every download: a test of this package pays seconds for the rollback of its
# savepoint in the demo district's transaction.
pytestmark = [pytest.mark.django_db, pytest.mark.skipif(bool(SKIP_REASON), reason=SKIP_REASON)]

SAMPLE = 150  # rows of the two survey exports printed (the demo survey has 10,000 responses)
# Each export: what the office would print and the most pages it may take.
MAX_PAGES = {
    "projects": 30,
    "projects-template": 6,
    "ledger": 1,
    "ledger-wordy": 1,
    "weekly": 10,
    "tenday": 10,
    "monthly": 14,
    "audit": 12,
    "responses": 12,
    "suggestions": 12,
    "survey-template": 3,
}
LANDSCAPE = {
    ("projects", "项目"),
    ("audit", "操作记录"),
    ("responses", "答卷"),
    ("suggestions", "已编码建议"),
}
PORTRAIT = {("ledger", "一单一表"), ("ledger-wordy", "一单一表")}
A4 = (21000, 29700)  # 1/100 mm
DEFAULT_ROW_HEIGHT = 15  # points, of a row the workbook gives no height


def _get(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def _busiest_day():
    """A day of the demo's audit record with many kinds of event and a modest number of them."""
    days = (
        AuditEvent.objects.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(events=Count("id"), verbs=Count("verb", distinct=True))
        .filter(events__lte=250)
        .order_by("-verbs", "-events")
    )
    return days[0]["day"]


def _downloads(client: Client) -> dict[str, bytes]:
    program = Program.objects.annotate(n=Count("projects")).order_by("-n").last()
    wordy = wordy_project()
    demo = Project.objects.exclude(pk=wordy.pk).annotate(n=Length("summary")).order_by("-n").first()
    survey = Survey.objects.annotate(n=Count("responses")).order_by("-n").first()
    day = f"{_busiest_day():%Y-%m-%d}"
    files = {
        "projects": _get(client, f"{reverse('projects:export')}?program={program.pk}"),
        "projects-template": _get(client, reverse("projects:import-template")),
        "ledger": _get(client, reverse("projects:ledger-xlsx", args=[demo.code])),
        "ledger-wordy": _get(client, reverse("projects:ledger-xlsx", args=[wordy.code])),
        "audit": _get(client, f"{reverse('audit-export')}?date_from={day}&date_to={day}"),
        "survey-template": _get(client, reverse("surveys:import_template", args=[survey.pk])),
    }
    for kind, name in (
        (ReportKind.WEEKLY, "weekly"),
        (ReportKind.TENDAY, "tenday"),
        (ReportKind.MONTHLY, "monthly"),
    ):
        report = Report.objects.filter(kind=kind).order_by("-period_start").first()
        files[name] = _get(client, reverse("supervision:report-xlsx", args=[report.pk]))
    # The survey downloads stream rows_file over their selectors' rows (surveys.views): the same, cut short.
    header, rows = survey_selectors.responses_table(survey)
    files["responses"] = _sample(header, rows, title="答卷")
    header, rows = survey_selectors.coded_suggestions_table(survey)
    files["suggestions"] = _sample(header, rows, title="已编码建议")
    return files


def _sample(header, rows, *, title: str) -> bytes:
    with xlsx.rows_file(
        header, (row for _n, row in zip(range(SAMPLE), rows, strict=False)), title=title
    ) as f:
        return f.read()


@pytest.fixture(scope="module")
def printed(district, django_db_blocker, tmp_path_factory):
    """Every download written to a folder and printed by LibreOffice in one session: ``{name: (workbook,
    LibreOffice's report, the text of each printed page)}``."""
    folder = tmp_path_factory.mktemp("printed")
    with django_db_blocker.unblock(), transaction.atomic():
        client = Client()
        sign_in(client, User.objects.get(username="admin"))
        files = _downloads(client)
        transaction.set_rollback(True)  # the wordy project leaves the district as it was
    paths = []
    for name, content in files.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(content)
        paths.append(path)
    reports = print_workbooks(paths, folder)
    return {
        name: (load_workbook(io.BytesIO(files[name])), report, printed_pages(report["pdf"]))
        for name, report in reports.items()
    }


def test_every_sheet_is_a4_fitted_to_one_page_across_with_its_header_on_every_page(printed):
    wrong = []
    for name, (workbook, report, _pages) in printed.items():
        for sheet, read in zip(workbook.worksheets, report["sheets"], strict=True):
            where = f"{name}/{sheet.title}"
            width, height = sorted(read["paper"])
            if abs(width - A4[0]) > 50 or abs(height - A4[1]) > 50:
                wrong.append(f"{where}: paper {read['paper']}")
            fit = (1, 1) if name.startswith("ledger") else (1, 0)  # 一单一表: one page; the rest: 1 across
            if (read["pages_across"], read["pages_down"]) != fit:
                wrong.append(f"{where}: fit to {read['pages_across']} × {read['pages_down']} pages")
            if (name, sheet.title) in LANDSCAPE and not read["landscape"]:
                wrong.append(f"{where}: portrait")
            if (name, sheet.title) in PORTRAIT and read["landscape"]:
                wrong.append(f"{where}: landscape")
            if sheet.print_title_rows and read["title_rows"] != [1, 1]:
                wrong.append(f"{where}: header row not repeated ({read['title_rows']})")
    assert set(printed) == set(MAX_PAGES)
    assert not wrong, wrong


def test_no_cell_is_cut_in_print(printed):
    """Every text whole in the PDF, no ``###``, every row as tall as LibreOffice finds its content needs."""
    cut = []
    for name, (workbook, report, pages) in printed.items():
        text = flat("".join(pages))
        if "###" in text:
            cut.append(f"{name}: a number or date too wide for its column (###)")
        cut += [
            f"{name}/{sheet.title}!{cell.coordinate} cut: {cell.value[:30]}"
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and flat(cell.value) not in text
        ]
        cut += [
            f"{name}/{sheet.title} row {number}: {written:.1f} pt < {optimal:.1f} pt"
            for sheet, read in zip(workbook.worksheets, report["sheets"], strict=True)
            for number, optimal in enumerate(read["optimal_heights"], start=1)
            if (written := sheet.row_dimensions[number].height or DEFAULT_ROW_HEIGHT) < optimal - 0.5
        ]
    assert not cut, cut[:10]


def test_every_page_is_numbered_and_headed_and_the_counts_are_sane(printed):
    wrong = []
    for name, (workbook, _report, pages) in printed.items():
        if not 1 <= len(pages) <= MAX_PAGES[name]:
            wrong.append(f"{name}: {len(pages)} pages (at most {MAX_PAGES[name]})")
        for number, page in enumerate(pages, start=1):
            if f"第{number}页，共{len(pages)}页" not in flat(page):
                wrong.append(f"{name} page {number}: no “page {number} of {len(pages)}”")
        for sheet in (s for s in workbook.worksheets if s.print_title_rows):
            header = [flat(str(c.value)) for c in sheet[1] if c.value]
            heading = flat(sheet.oddHeader.center.text or "")
            mine = [p for p in pages if heading in flat(p)]
            if not mine or not all(h in flat(p) for p in mine for h in header):
                wrong.append(f"{name}/{sheet.title}: a page without its heading or header row")
    workbook, report, pages = printed["projects"]
    projects = workbook["项目"].max_row - 1
    project_pages = [p for p in pages if "实事项目清单·项目" in flat(p)]
    if projects < 20 or len(project_pages) > projects / 4:
        wrong.append(f"projects: {projects} projects on {len(project_pages)} pages")
    for name in ("ledger", "ledger-wordy"):
        _workbook, report, pages = printed[name]
        if len(pages) != 1 or report["sheets"][0]["landscape"]:
            wrong.append(f"{name}: not one portrait page")
    assert not wrong, wrong
