"""Reports, bulletins and the dashboard on the pages and the API: who reads what (drafts are not public,
residents get no dashboard), approval and publication, print and xlsx, the command."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from jiangyan.core.periods import Period, PeriodKind
from jiangyan.core.roles import Role
from supervision import services
from supervision.choices import ReportKind, ReportStatus
from supervision.models import Report
from tests.matrix import assert_write, expect, outcome
from tests.supervision.conftest import at, behind_by
from tests.supervision.factories import OrderFactory
from tests.surveys.factories import DutyItemFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db
date = datetime.date


@pytest.fixture
def bulletin(db):
    """The draft ten-day bulletin of 11–20 June 2021, one project 20 points behind."""
    behind_by(20, on=date(2021, 6, 20))
    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        return services.report_generate(
            kind=ReportKind.TENDAY, period=Period(PeriodKind.TENDAY, date(2021, 6, 11), date(2021, 6, 20))
        )


@pytest.fixture
def published(bulletin, supervisor):
    services.report_approve(actor=supervisor, report=bulletin)
    return services.report_publish(actor=supervisor, report=bulletin)


# --- who reads what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor=200, admin=200))
def test_only_supervisors_and_admins_open_the_dashboard(client_as, role, expected):
    assert outcome(client_as(role).get("/dashboard/")) == expected


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor=200, admin=200))
def test_only_supervisors_read_reports_before_publication(client_as, bulletin, role, expected):
    assert outcome(client_as(role).get(f"/reports/{bulletin.pk}/")) == expected


def test_a_draft_bulletin_is_not_public(client_as, bulletin):
    anonymous = client_as("anonymous")
    assert anonymous.get(f"/bulletins/{bulletin.pk}/").status_code == 404
    assert anonymous.get(f"/bulletins/{bulletin.pk}/export.xlsx").status_code == 404
    assert bulletin.title not in anonymous.get("/bulletins/").content.decode()
    api = client_as("anonymous", api=True)
    assert api.get("/api/v1/reports/").json()["count"] == 0
    assert api.get(f"/api/v1/reports/{bulletin.pk}/").status_code == 404
    assert client_as("resident", api=True).get(f"/api/v1/reports/{bulletin.pk}/").status_code == 404


def test_an_approved_bulletin_is_still_not_public(client_as, bulletin, supervisor):
    services.report_approve(actor=supervisor, report=bulletin)
    assert client_as("anonymous").get(f"/bulletins/{bulletin.pk}/").status_code == 404


def test_a_published_bulletin_is_public_on_the_page_the_api_and_the_home_page(client_as, published):
    anonymous = client_as("anonymous")
    page = anonymous.get(f"/bulletins/{published.pk}/").content.decode()
    assert published.title in page and "领办单位排名" in page and "data-print" in page
    assert published.title in anonymous.get("/bulletins/").content.decode()
    assert published.title in anonymous.get("/").content.decode()
    detail = client_as("anonymous", api=True).get(f"/api/v1/reports/{published.pk}/").json()
    assert detail["status"] == ReportStatus.PUBLISHED and detail["data"]["totals"]["behind"] == 1


def test_weekly_and_monthly_reports_are_never_public(client_as):
    with time_machine.travel(at(2021, 7, 1, 8), tick=False):
        monthly = services.report_catch_up(kind=ReportKind.MONTHLY)[0]
    assert client_as("anonymous").get(f"/bulletins/{monthly.pk}/").status_code == 404


# --- approve and publish ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor="ok", admin="ok"))
def test_who_approves_a_bulletin(client_as, bulletin, role, expected):
    assert_write(
        lambda: client_as(role).post(f"/reports/{bulletin.pk}/approve/"),
        expected=expected,
        verb="report.approve",
        state=lambda: Report.objects.get(pk=bulletin.pk).status,
    )


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor="ok", admin="ok"))
def test_who_publishes_an_approved_bulletin(client_as, bulletin, supervisor, role, expected):
    services.report_approve(actor=supervisor, report=bulletin)
    assert_write(
        lambda: client_as(role).post(f"/reports/{bulletin.pk}/publish/"),
        expected=expected,
        verb="report.publish",
        state=lambda: Report.objects.get(pk=bulletin.pk).status,
    )


def test_a_draft_cannot_be_published_without_approval(client_as, bulletin):
    response = client_as("supervisor").post(f"/reports/{bulletin.pk}/publish/", follow=True)
    assert "须先审核" in response.content.decode()
    assert Report.objects.get(pk=bulletin.pk).status == ReportStatus.DRAFT
    api = client_as("supervisor", api=True)
    assert api.post(f"/api/v1/reports/{bulletin.pk}/publish/").status_code == 409
    assert api.post(f"/api/v1/reports/{bulletin.pk}/approve/").json()["status"] == ReportStatus.APPROVED
    assert api.post(f"/api/v1/reports/{bulletin.pk}/publish/").json()["status"] == ReportStatus.PUBLISHED


def test_a_regenerated_draft_keeps_one_report(client_as, bulletin):
    with time_machine.travel(at(2021, 6, 22, 9), tick=False):
        client_as("supervisor").post(f"/reports/{bulletin.pk}/regenerate/")
    assert Report.objects.get().generation == 2


# --- print and export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,when", [("weekly", (2021, 6, 21)), ("tenday", (2021, 6, 21)), ("monthly", (2021, 7, 1))]
)
def test_every_report_exports_as_xlsx_from_its_stored_data(client_as, kind, when):
    behind_by(20, on=date(2021, 6, 20))
    with time_machine.travel(at(*when, 9), tick=False):
        (report,) = services.report_catch_up(kind=kind)
    response = client_as("supervisor").get(f"/reports/{report.pk}/export.xlsx")
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["概况"]["A1"].value == report.title
    assert len(workbook.sheetnames) >= 3


def test_the_public_exports_a_published_bulletin(client_as, published):
    response = client_as("anonymous").get(f"/bulletins/{published.pk}/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [row[0].value for row in workbook["滞后项目"].iter_rows(min_row=2)] == [
        published.data["behind"][0]["code"]
    ]


# --- the unit's own part of the weekly reminder -------------------------------------------------------------


def test_unit_staff_read_their_own_part_of_the_weekly_reminder_only(client_as, unit, unit_staff):
    behind_by(20, on=date(2021, 6, 20), unit=unit)
    behind_by(20, on=date(2021, 6, 20))  # another unit's
    with time_machine.travel(at(2021, 6, 21, 8), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.WEEKLY)
    response = client_as("unit_staff").get(f"/reports/{report.pk}/mine/")
    assert response.status_code == 200
    assert [b["unit_id"] for b in response.context["units"]] == [unit.pk]
    assert client_as("resident").get(f"/reports/{report.pk}/mine/").status_code == 403


# --- the command -------------------------------------------------------------------------------------------


def test_generate_report_command_makes_the_period_of_the_given_day_once():
    out = io.StringIO()
    with time_machine.travel(at(2021, 6, 21, 9), tick=False):
        call_command("generate_report", "tenday", "--period", "2021-06-15", stdout=out)
        call_command("generate_report", "tenday", "--period", "2021-06-11", stdout=out)
        with pytest.raises(CommandError, match="尚未结束"):
            call_command("generate_report", "weekly", "--period", "2021-06-21", stdout=out)
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("generate_report", "monthly", "--period", "June", stdout=out)
    report = Report.objects.get()
    assert (report.period_start, report.period_end, report.generation) == (
        date(2021, 6, 11),
        date(2021, 6, 20),
        2,
    )
    assert "2021年6月中旬工作通报" in out.getvalue()


def test_generate_report_command_without_a_period_catches_up(settings):
    settings.SUPERVISION_CAMPAIGN_START = "2021-04-01"
    with time_machine.travel(at(2021, 7, 1, 9), tick=False):
        call_command("generate_report", "monthly", stdout=io.StringIO())
    assert list(Report.objects.order_by("period_start").values_list("period_start", flat=True)) == [
        date(2021, 4, 1),
        date(2021, 5, 1),
        date(2021, 6, 1),
    ]


# --- dashboard --------------------------------------------------------------------------------------------


def test_every_figure_of_the_dashboard_links_to_the_list_behind_it(client_as, unit):
    behind_by(20, on=date.today(), unit=unit)
    OrderFactory(issued_at=at(2021, 6, 1), deadline=date(2021, 6, 8))
    response = client_as("supervisor").get("/dashboard/")
    body = response.content.decode()
    for link in (
        "/projects/?behind=1",
        "/wishes/?status=&amp;flagged=true",
        "/wishes/?status=&amp;overdue=true",
        "/orders/?overdue=true",
        "/surveys/duties/?overdue=true",
        f"/projects/?lead_unit={unit.pk}",
        "/contact-points/",
    ):
        assert link in body, link
    assert 'class="chart" data-chart="{' in body and "<script>" not in body.replace("<script src", "")
    behind = client_as("supervisor").get("/projects/?behind=1").context["page_obj"].paginator.count
    assert behind == response.context["d"]["totals"]["behind"] == 1


def test_the_dashboard_links_filter_the_lists_they_name(client_as, community):
    WishFactory(community=community, opened_at=timezone.now() - datetime.timedelta(days=5))
    WishFactory(community=community)
    late = WishFactory(community=community, status=WishStatus.CLAIMED)
    late.promised_date = timezone.localdate() - datetime.timedelta(days=1)
    late.save()
    DutyItemFactory(deadline=timezone.localdate() - datetime.timedelta(days=1))
    DutyItemFactory()
    client = client_as("supervisor")
    assert client.get("/wishes/?status=&flagged=true").context["page_obj"].paginator.count == 1
    assert client.get("/wishes/?status=&overdue=true").context["page_obj"].paginator.count == 1
    assert client.get("/surveys/duties/?overdue=true").context["page_obj"].paginator.count == 1


def test_the_nav_offers_the_supervision_pages_by_role(client_as):
    supervisor_page = client_as("supervisor").get("/").content.decode()
    assert (
        "/dashboard/" in supervisor_page
        and "/orders/" in supervisor_page
        and "/bulletins/" in supervisor_page
    )
    resident_page = client_as("resident").get("/").content.decode()
    assert "/dashboard/" not in resident_page and "/orders/" not in resident_page
    assert client_as(Role.UNIT_STAFF).get("/").content.decode().count('href="/orders/"') == 1


def test_the_reports_api_filters_by_kind_and_by_a_day_of_the_period(client_as):
    with time_machine.travel(at(2021, 7, 1, 9), tick=False):
        for kind in ReportKind.values:
            services.report_catch_up(kind=kind)
    api = client_as("supervisor", api=True)
    listed = api.get("/api/v1/reports/?kind=tenday").json()
    assert [r["period_start"] for r in listed["results"]] == ["2021-06-21"] and "data" not in listed[
        "results"
    ][0]
    by_day = api.get("/api/v1/reports/?period=2021-06-15").json()["results"]
    assert sorted(r["kind"] for r in by_day) == ["monthly"]
    by_day = api.get("/api/v1/reports/?period=2021-06-25").json()["results"]
    assert sorted(r["kind"] for r in by_day) == ["monthly", "tenday", "weekly"]
    assert api.get("/api/v1/reports/?period=June").status_code == 400
