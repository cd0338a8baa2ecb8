"""The main pages in Chromium at 390×844: axe-core finds no serious or critical violation; in large-text mode
every figure of the issue holds (body text ≥ 20 px, line height ≥ 1.5, text contrast ≥ 7:1, tap targets
≥ 60×60 px, no sideways scrolling, no pop-ups); in English no Chinese is left outside names and data.

``PAGES`` is the list of pages checked; the supervisors' dashboard joins it when the supervision loop is
merged (see the comment there)."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from jiangyan.core.periods import last_complete
from jiangyan.core.roles import Role
from jiangyan.helpers.masking import mask_address, mask_name, mask_phone
from jiangyan.models import AuditEvent
from notifications.models import Notification
from supervision import services as report_services
from supervision.choices import PERIOD_OF, ReportKind
from supervision.models import Report
from tests.browser.conftest import sign_in
from tests.browser.measure import axe_violations, large_text_problems, leftover_han
from tests.factories import PASSWORD, CommunityFactory, UnitFactory, UserFactory
from tests.projects.factories import project_with_milestones
from tests.surveys.factories import survey_with_every_kind
from tests.wishes.factories import WishFactory

# (name, address, who signs in) — ``{project}`` and ``{survey}`` are filled from the data below.
PAGES = [
    ("home", "/", None),
    ("showcase", "/projects/", None),
    ("project", "/projects/{project}/", None),
    ("wish form", "/wishes/new/", None),
    ("board", "/wishes/", None),
    ("survey form", "/surveys/{survey}/", None),
    ("workspace", "/projects/workspace/", "liaison"),
    ("dashboard", "/dashboard/", "supervisor"),
]


@pytest.fixture
def district(db):
    """A little district: a lead unit with projects (one behind), wishes on the board, an open survey."""
    community = CommunityFactory(name="天目社区")
    unit = UnitFactory(name="区教育局", name_en="District Education Bureau")
    UserFactory(username="liaison", roles=[Role.UNIT_STAFF], unit=unit)
    UserFactory(username="supervisor", roles=[Role.SUPERVISOR])
    UserFactory(username="shequ", roles=[Role.COMMUNITY_STAFF], community=community)
    UserFactory(username="office", roles=[Role.ADMIN])
    project = project_with_milestones(title="梦想小屋改造", code="JY2021-155", lead_unit=unit)
    project_with_milestones(title="公益暑托班", code="JY2021-066", lead_unit=unit)
    wish = WishFactory(community=community, title="修理漏水水龙头")
    WishFactory(community=community, title="陪老人去医院复诊", status="submitted")
    survey = survey_with_every_kind(title="姜堰区为民办实事需求调研")["survey"]
    # The three reports of the periods just ended, the ten-day bulletin published.
    office = UserFactory(username="reporter", roles=[Role.SUPERVISOR])
    reports = {}
    for kind in ReportKind.values:
        period = last_complete(PERIOD_OF[kind], timezone.localdate())
        reports[kind] = report_services.report_generate(kind=kind, period=period).pk
    bulletin = Report.objects.get(pk=reports[ReportKind.TENDAY])
    report_services.report_publish(
        actor=office, report=report_services.report_approve(actor=office, report=bulletin)
    )
    return {
        "project": project.code,
        "survey": survey.pk,
        "wish": wish.code,
        "community": community.pk,
        **reports,
    }


def _visit(open_page, district, *, display="", language="", pages=PAGES):
    """Each page of ``pages`` in turn, as its user, in one browser context per user."""
    contexts = {}
    for name, address, who in pages:
        if who not in contexts:
            contexts[who] = open_page(display=display, language=language)
            if who:
                sign_in(contexts[who], who, PASSWORD)
        page = contexts[who]
        page.goto(address.format(**district))
        yield name, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("display", ["", "large"], ids=["standard", "large-text"])
def test_axe_finds_no_serious_or_critical_violation(open_page, district, display):
    found = {
        name: v for name, page in _visit(open_page, district, display=display) if (v := axe_violations(page))
    }
    assert not found, found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("display", ["large", "large,contrast"], ids=["large", "large-high-contrast"])
def test_large_text_mode_meets_the_figures_of_the_issue_on_every_main_page(open_page, district, display):
    figures, found = {}, {}
    for name, page in _visit(open_page, district, display=display):
        measured, problems = large_text_problems(page)
        switch = page.locator("header [data-reading-switch]").bounding_box()
        if switch["y"] > 200:
            problems.append(f"the reading switch is {switch['y']:.0f} px down the page, not at the top")
        figures[name] = (measured["body"], measured["textElements"], measured["targets"])
        if problems:
            found[name] = problems
    assert not found, found
    assert all(body >= 20 and texts and targets for body, texts, targets in figures.values()), figures


def _data_strings() -> list[str]:
    """Every text people stored in the registries and supervision (names and data): what an English page
    may show in Chinese. Not the name of a row that has an English one (lookups, units: an English page
    shows ``name_en``), not what the portal itself wrote (a report's stored Chinese page and title, the
    audit notes)."""
    strings = {"简体中文"}  # the language switch names each language in its own
    for app in ("accounts", "notifications", "projects", "wishes", "surveys", "jiangyan", "supervision"):
        for model in apps.get_app_config(app).get_models():
            if model in (Report, AuditEvent, Notification):
                continue
            english_named = any(f.name == "name_en" for f in model._meta.concrete_fields)
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and f.name != "name_en"
            ]
            rows = model.objects.values(*fields, *(["name_en"] if english_named else []))
            for row in rows:
                for name, value in row.items():
                    if english_named and name == "name" and row["name_en"]:
                        continue
                    if value and not value.isascii():
                        strings.update({value, mask_name(value), mask_address(value), mask_phone(value)})
    # Whole strings first, so a name inside a longer text does not cut it up.
    return sorted(strings, key=len, reverse=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_english_pages_leave_no_chinese_outside_names_and_data(open_page, district):
    extra = [
        ("survey list", "/surveys/", None),
        ("suggest", "/surveys/suggest/", None),
        ("track", "/wishes/track/", None),
        ("members", "/wishes/members/", None),
        ("sign-in", "/accounts/login/", None),
        ("register", "/accounts/register/", None),
        ("manage project", "/projects/{project}/manage/", "liaison"),
        ("duty list", "/surveys/duties/", "supervisor"),
        ("problem list", "/surveys/problems/", "supervisor"),
        ("analytics", "/surveys/{survey}/analytics/", "supervisor"),
        ("wish", "/wishes/{wish}/", None),
        ("ledger", "/projects/{project}/ledger/", None),
        ("404", "/no-such-page/", None),
        ("wish desk", "/wishes/manage/", "shequ"),
        ("wish entry", "/wishes/manage/new/", "shequ"),
        ("wish card", "/wishes/cards/{community}/", "shequ"),
        ("coding", "/surveys/coding/", "office"),
        ("paper questionnaire", "/surveys/{survey}/enter/", "shequ"),
        ("weekly reminder", "/reports/{weekly}/", "supervisor"),
        ("ten-day bulletin", "/reports/{tenday}/", "supervisor"),
        ("monthly dispatch", "/reports/{monthly}/", "supervisor"),
        ("published bulletin", "/bulletins/{tenday}/", None),
        ("bulletins", "/bulletins/", None),
        ("reports", "/reports/", "supervisor"),
    ]
    allowed = _data_strings()
    found = {}
    for name, page in _visit(open_page, district, language="en", pages=PAGES + extra):
        assert page.locator("html").get_attribute("lang") == "en", name
        if leftovers := leftover_han(page, allowed):
            found[name] = leftovers
    assert not found, found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_switches_at_the_top_turn_on_large_text_and_english(open_page, district):
    page = open_page()
    page.goto("/")
    page.locator("header [data-reading-switch]").click()
    page.wait_for_load_state()
    assert "mode-large" in page.locator("html").get_attribute("class")
    assert page.locator("header [data-reading-switch]").inner_text() == "标准字"  # says how to go back
    page.goto("/projects/")  # it stays on
    assert "mode-large" in page.locator("html").get_attribute("class")
    # Each language is named in its own: "English" in the Chinese UI, "简体中文" in the English one.
    assert page.locator("header .quick-tools button[lang=en]").inner_text() == "English"
    assert page.locator("footer select[name=language] option").all_inner_texts() == ["简体中文", "English"]
    page.locator("header .quick-tools button[lang=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("header [data-reading-switch]").inner_text() == "Standard text"
    assert page.locator("header .quick-tools button[lang=zh-hans]").inner_text() == "简体中文"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_tables_become_cards_on_a_phone(open_page, district):
    page = open_page()
    sign_in(page, "liaison", PASSWORD)
    page.goto("/projects/workspace/")
    rows = page.locator("table.workspace tbody tr")
    assert rows.count() == 2
    for i in range(rows.count()):
        box = rows.nth(i).bounding_box()
        assert box["width"] > 300  # a card across the screen, not a squeezed table row
        name = rows.nth(i).locator(".project-cell").bounding_box()
        assert name["width"] > 300  # the project name across the card, not 3–4 characters a line
    button = rows.first.locator("a.btn").bounding_box()
    assert button["height"] < 80  # 填报 on one line
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert rows.first.locator("td[data-label]").count() >= 2  # each value says what it is
