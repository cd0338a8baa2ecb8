"""Spreadsheet formula injection (issue 10): every xlsx download of the portal writes people's text as
text. The downloads are found in the URLconf (every path ending in ``.xlsx``); a new one fails
``test_every_download_is_covered`` until it is given its URL arguments here."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from openpyxl import load_workbook

from jiangyan.core.audit import audit_record
from jiangyan.core.roles import Role
from jiangyan.helpers.xlsx import FORMULA_STARTS
from supervision.choices import ReportKind
from supervision.services import report_approve, report_generate, report_period, report_publish
from surveys.choices import QuestionKind
from surveys.models import Answer, Suggestion
from tests.projects.factories import (
    IndicatorFactory,
    MilestoneFactory,
    ProgramFactory,
    ProjectFactory,
)
from tests.surveys.factories import (
    OptionFactory,
    ProblemItemFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db

EVIL = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(1)", '=HYPERLINK("http://evil","点我")', "=cmd|' /C calc'!A0"]


def xlsx_url_names(patterns=None, namespace="") -> list[str]:
    """Names of every URL pattern whose path ends in ``.xlsx``."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += xlsx_url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and str(entry.pattern).endswith(".xlsx"):
            found.append(f"{namespace}{entry.name}")
    return found


@pytest.fixture
def scene(admin_user, unit, community):
    """User text that looks like a formula in every place a download shows people's text."""
    program = ProgramFactory(name=EVIL[0])
    project = ProjectFactory(title=EVIL[4], summary=EVIL[1], lead_unit=unit, responsible_leader=EVIL[2])
    project.program = program
    project.save()
    MilestoneFactory(
        project=project, name=EVIL[3], evidence=EVIL[5], weight=100, done_date=datetime.date.today()
    )
    IndicatorFactory(project=project, name=EVIL[0], unit=EVIL[3])
    project.statements.create(
        period_start=datetime.date.today(), period_end=datetime.date.today(), text=EVIL[2], author=admin_user
    )
    survey = SurveyFactory(title=EVIL[0])
    choice = QuestionFactory(survey=survey, text=EVIL[1], kind=QuestionKind.SINGLE)
    option = OptionFactory(question=choice, text=EVIL[3])
    text = QuestionFactory(survey=survey, text=EVIL[4], kind=QuestionKind.TEXT, is_suggestion=True)
    response = ResponseFactory(survey=survey, community=community)
    Answer.objects.create(response=response, question=choice, option=option)
    Answer.objects.create(response=response, question=text, text=EVIL[5])
    item = ProblemItemFactory(title=EVIL[0], code=EVIL[2])
    Suggestion.objects.create(
        text=EVIL[1], source="answer", survey=survey, problem_item=item, community=community
    )
    audit_record(actor=admin_user, verb="test.evil", target=project, note=EVIL[5])
    period = report_period(ReportKind.TENDAY, datetime.date.today() - datetime.timedelta(days=11))
    bulletin = report_generate(kind=ReportKind.TENDAY, period=period, actor=admin_user)
    bulletin = report_publish(actor=admin_user, report=report_approve(actor=admin_user, report=bulletin))
    return {"project": project, "survey": survey, "report": bulletin}


URL_ARGS = {
    "audit-export": lambda scene: [],
    "projects:export": lambda scene: [],
    "projects:import-template": lambda scene: [],
    "projects:ledger-xlsx": lambda scene: [scene["project"].code],
    "surveys:export_suggestions": lambda scene: [],
    "surveys:import_template": lambda scene: [scene["survey"].pk],
    "surveys:export_responses": lambda scene: [scene["survey"].pk],
    "supervision:report-xlsx": lambda scene: [scene["report"].pk],
    "supervision:bulletin-xlsx": lambda scene: [scene["report"].pk],
}


def test_every_download_is_covered():
    names = set(xlsx_url_names())
    assert names, "no .xlsx downloads found"
    missing = names - set(URL_ARGS)
    assert not missing, f"xlsx downloads without URL arguments in {__name__}.URL_ARGS: {sorted(missing)}"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", sorted(URL_ARGS))
def test_no_download_writes_peoples_text_as_a_formula(client_as, scene, name):
    response = client_as(Role.ADMIN).get(reverse(name, args=URL_ARGS[name](scene)))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(body_of(response)))
    formulas, seen = [], 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    seen += 1
    assert not formulas, f"{name}: formula cells {formulas}"
    if name not in ("projects:import-template", "surveys:import_template"):
        assert seen, f"{name}: none of the formula-like texts reached the download (scene incomplete?)"


def _keys(data) -> set[str]:
    """Every key of a report's stored data, at any depth."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", [ReportKind.WEEKLY, ReportKind.TENDAY, ReportKind.MONTHLY])
def test_a_report_workbook_names_everything_by_its_label_in_the_readers_language(client_as, scene, kind):
    """No key of the stored data (active, behind, average_variance …) reaches the sheet, in either
    language; in English every header and label is English (the report's own title stays as stored)."""
    report = report_generate(
        kind=kind, period=report_period(kind, datetime.date.today() - datetime.timedelta(days=40))
    )
    keys = _keys(report.data)
    with translation.override(settings.LANGUAGE_CODE):  # a request in English leaves English active
        _check_report_workbook(client_as, report, keys)


def _check_report_workbook(client_as, report, keys) -> None:
    for language in ("zh-hans", "en"):
        client = client_as(Role.ADMIN)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("supervision:report-xlsx", args=[report.pk]))
        workbook = load_workbook(io.BytesIO(body_of(response)))
        # In Chinese no key may appear at all; in English a label may say "period", not "due_soon".
        token = r"[a-z_]+" if language == "zh-hans" else r"[a-z]+_[a-z_]+"
        raw = [
            f"{sheet.title}!{cell.coordinate}={cell.value}"
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
            and (cell.value in keys or set(re.findall(token, cell.value)) & keys)
        ]
        assert not raw, f"{language}: data keys in the workbook: {raw[:5]}"
        if language == "en":
            labels = [
                f"{sheet.title}!{cell.coordinate}={cell.value}"
                for sheet in workbook.worksheets
                for cell in (sheet[1] if sheet.title != workbook.worksheets[0].title else sheet["A"][1:])
                if isinstance(cell.value, str) and CJK.search(cell.value)
            ]
            assert not labels, f"untranslated labels: {labels[:5]}"
            assert not any(CJK.search(s.title) for s in workbook.worksheets)
