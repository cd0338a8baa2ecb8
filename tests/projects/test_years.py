"""Campaign years (issue 19 item 8): a new year's list is imported into a new year while last year's record
stays readable (its showcase, its reports, its dashboard); carrying a project over keeps its history; exactly
one year is current; the pages default to it; the API exposes and filters by year."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.periods import PeriodKind, period_of
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from projects import services
from projects.choices import ProjectStatus
from projects.models import CampaignYear, Milestone, Project
from supervision import reports
from supervision.choices import ReportKind
from supervision.models import Report
from tests.factories import TownFactory, UnitFactory, UserFactory
from tests.race import needs_postgresql, race

from .factories import EvaluationFactory, IndicatorFactory, MilestoneFactory, ProjectFactory, StatementFactory
from .sheets import project_rows, workbook_bytes

pytestmark = pytest.mark.django_db
NEW_YEAR_DAY = datetime.datetime(2026, 2, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def last_year(db):
    """Campaign year 2025, current, with one project completed and one still running (behind) at its end."""
    year = CampaignYear.objects.create(year=2025, title="2025年度", is_current=True)
    unit = UnitFactory(name="区民政局")
    TownFactory(name="溱潼镇")
    done = ProjectFactory(
        code="JY2025-001",
        year=year,
        lead_unit=unit,
        status=ProjectStatus.COMPLETED,
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 10, 31),
    )
    MilestoneFactory(
        project=done,
        weight=100,
        planned_date=datetime.date(2025, 9, 30),
        done_date=datetime.date(2025, 9, 20),
    )
    running = ProjectFactory(
        code="JY2025-002",
        year=year,
        lead_unit=unit,
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 12, 31),
    )
    MilestoneFactory(
        project=running,
        weight=40,
        planned_date=datetime.date(2025, 6, 30),
        done_date=datetime.date(2025, 6, 28),
    )
    MilestoneFactory(project=running, weight=60, planned_date=datetime.date(2025, 11, 30))
    IndicatorFactory(project=running)
    return {"year": year, "done": done, "running": running, "unit": unit}


def import_new_year(admin_user, *, count: int = 3, year: int | None = 2026):
    rows = project_rows(
        count, unit="区民政局", town="溱潼镇", start=datetime.date(2026, 1, 15), prefix="JY2026"
    )
    return services.projects_import(actor=admin_user, upload=workbook_bytes(rows), year=year)


def codes(response) -> list[str]:
    return sorted(p.code for p in response.context["page_obj"].object_list)


def test_a_new_year_imported_leaves_last_years_showcase_reports_and_dashboard_as_they_were(
    client_as, admin_user, last_year
):
    november = period_of(PeriodKind.MONTH, datetime.date(2025, 11, 15))
    with time_machine.travel(NEW_YEAR_DAY, tick=False):
        monthly_before = reports.build(ReportKind.MONTHLY, november)
        tenday_before = reports.build(
            ReportKind.TENDAY, period_of(PeriodKind.TENDAY, datetime.date(2025, 12, 25))
        )
        import_new_year(admin_user)
        # The carried-over row started in 2025 too: last year's reports must not count it twice.
        services.projects_carry_over(actor=admin_user, year=2026, codes=["JY2025-002"])

        assert list(CampaignYear.objects.filter(is_current=True).values_list("year", flat=True)) == [2026]
        assert set(Project.objects.filter(year_id=2026).values_list("code", flat=True)) == {
            "JY2026-001", "JY2026-002", "JY2026-003", "JY2026-004"
        }  # fmt: skip
        visitor = client_as("anonymous")
        assert codes(visitor.get(reverse("projects:showcase"))) == [f"JY2026-00{n}" for n in (1, 2, 3, 4)]
        assert codes(visitor.get(reverse("projects:showcase") + "?year=2025")) == ["JY2025-001", "JY2025-002"]
        # Last year's reports, built again after the new list came in, say what they said.
        assert reports.build(ReportKind.MONTHLY, november) == monthly_before
        assert (
            reports.build(ReportKind.TENDAY, period_of(PeriodKind.TENDAY, datetime.date(2025, 12, 25)))
            == tenday_before
        )
        assert monthly_before["totals"]["projects"] == 2

        supervisor = client_as("supervisor")
        now = supervisor.get(reverse("supervision:dashboard")).context["d"]
        then = supervisor.get(reverse("supervision:dashboard") + "?year=2025").context["d"]
        assert now["totals"]["projects"] == 4 and now["year"] == 2026 and not now["earlier_year"]
        assert then["totals"]["projects"] == 2 and then["totals"]["completed"] == 1
        assert then["today"] == datetime.date(2025, 12, 31) and "year=2025" in then["links"]["projects"]


def test_the_import_opens_the_new_year_with_a_record_and_the_preview_says_so(admin_user, last_year):
    rows = project_rows(2, unit="区民政局", town="溱潼镇", start=datetime.date(2026, 3, 1), prefix="JY2026")
    plan = services.projects_import_preview(actor=admin_user, upload=workbook_bytes(rows), year=2026)
    assert plan.year == 2026 and plan.opens_year and plan.untouched == 0
    assert not CampaignYear.objects.filter(year=2026).exists()  # the preview writes nothing
    services.projects_import(
        actor=admin_user, upload=workbook_bytes(rows), year=2026, expected_digest=plan.digest
    )
    opened = CampaignYear.objects.get(year=2026)
    assert opened.is_current and opened.opened_by == admin_user and str(opened) == "2026年度"
    verbs = list(AuditEvent.objects.for_object(opened).values_list("verb", flat=True).order_by("id"))
    assert verbs == ["campaign_year.open", "campaign_year.current"]


def test_a_list_whose_codes_name_another_year_or_lists_an_old_project_is_refused_whole(admin_user, last_year):
    rows = project_rows(2, unit="区民政局", town="溱潼镇", start=datetime.date(2026, 3, 1), prefix="JY2025")
    with pytest.raises(services.ImportRejected) as rejected:
        services.projects_import(actor=admin_user, upload=workbook_bytes(rows), year=2026)
    messages = " ".join(rejected.value.row_errors)
    assert "JY2025-001" in messages and "2025 年度的项目" in messages  # an old project is not changed
    assert "JY2025-003" not in messages or "年份与导入的 2026 年度不符" in messages
    assert not CampaignYear.objects.filter(year=2026).exists() and Project.objects.count() == 2


def test_a_year_may_only_be_opened_after_the_latest(admin_user, last_year):
    with pytest.raises(ApplicationError) as refused:
        services.campaign_year_open(actor=admin_user, year=2024)
    assert "year" in refused.value.fields
    with pytest.raises(ConflictError):
        services.campaign_year_open(actor=admin_user, year=2025)


def test_only_one_year_is_current_by_a_database_constraint(admin_user, last_year):
    CampaignYear.objects.create(year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignYear.objects.filter(year=2026).update(is_current=True)
    services.campaign_year_make_current(actor=admin_user, year=2026)
    assert list(CampaignYear.objects.filter(is_current=True).values_list("year", flat=True)) == [2026]
    services.campaign_year_make_current(actor=admin_user, year=2025)  # back: an earlier year may be current
    assert list(CampaignYear.objects.filter(is_current=True).values_list("year", flat=True)) == [2025]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_offices_opening_years_at_once_leave_exactly_one_current(admin_user):
    CampaignYear.objects.create(year=2025, is_current=True)
    results, errors = race(
        [lambda: services.campaign_year_open(actor=admin_user, year=2026) for _ in range(4)]
    )
    assert len(results) == 1 and len(errors) == 3 and all(isinstance(e, ConflictError) for e in errors), (
        errors
    )
    assert list(CampaignYear.objects.filter(is_current=True).values_list("year", flat=True)) == [2026]
    assert AuditEvent.objects.filter(verb="campaign_year.open").count() == 1


def _history(project) -> dict:
    return {
        "milestones": list(project.milestones.values_list("name", "done_date", "weight")),
        "statements": list(project.statements.values_list("pk", "text")),
        "evaluations": list(project.evaluations.values_list("pk", "scores__criterion_id", "scores__score")),
        "events": list(AuditEvent.objects.for_object(project).values_list("pk", "verb")),
    }


def test_carrying_over_keeps_the_old_projects_history_and_links_the_new_one(client_as, admin_user, last_year):
    old = last_year["running"]
    StatementFactory(project=old)
    EvaluationFactory(project=old)
    before = _history(old)
    with time_machine.travel(NEW_YEAR_DAY, tick=False):
        import_new_year(admin_user)
        plan = services.projects_carry_over_preview(actor=admin_user, year=2026, codes=[old.code])
        assert [p.code for p in plan.candidates] == ["JY2025-002"]  # the completed one is not offered
        assert [(p.code, code) for p, code in plan.pairs] == [("JY2025-002", "JY2026-004")]
        [new] = services.projects_carry_over(
            actor=admin_user, year=2026, codes=[old.code], expected_digest=plan.digest
        )
    old.refresh_from_db()
    assert old.year_id == 2025 and old.code == "JY2025-002" and old.status == ProjectStatus.IN_PROGRESS
    after = _history(old)
    assert {k: after[k] for k in ("milestones", "statements", "evaluations")} == {
        k: before[k] for k in ("milestones", "statements", "evaluations")
    }
    assert after["events"][: len(before["events"])] == before["events"]  # only appended to
    assert [v for _pk, v in after["events"][len(before["events"]) :]] == ["project.carry_over"]

    assert new.code == "JY2026-004" and new.year_id == 2026 and new.carried_from == old
    assert new.lead_unit == old.lead_unit and new.title == old.title
    assert list(new.milestones.values_list("name", "weight", "done_date")) == [
        (old.milestones.get(done_date__isnull=True).name, 100, None)
    ]
    assert new.indicators.count() == old.indicators.count()
    assert list(AuditEvent.objects.for_object(new).values_list("verb", flat=True)) == ["project.carried_in"]

    visitor = client_as("anonymous")
    old_page = visitor.get(old.get_absolute_url()).content.decode()
    new_page = visitor.get(new.get_absolute_url()).content.decode()
    assert new.get_absolute_url() in old_page and old.get_absolute_url() in new_page
    assert codes(visitor.get(reverse("projects:showcase") + "?year=2025")) == ["JY2025-001", "JY2025-002"]
    assert "JY2026-004" in codes(visitor.get(reverse("projects:showcase")))


def test_a_project_is_carried_over_once_and_then_maintained_in_its_new_year(admin_user, last_year):
    old = last_year["running"]
    CampaignYear.objects.create(year=2026)
    services.projects_carry_over(actor=admin_user, year=2026, codes=[old.code])
    with pytest.raises(ApplicationError):  # no longer a candidate
        services.projects_carry_over(actor=admin_user, year=2026, codes=[old.code])
    assert Project.objects.filter(carried_from=old).count() == 1
    liaison = UserFactory(roles=[Role.UNIT_STAFF], unit=last_year["unit"])
    milestone = old.milestones.get(done_date__isnull=True)
    with pytest.raises(ConflictError) as refused:
        services.milestone_complete(
            actor=liaison, milestone=milestone, done_date=datetime.date(2025, 12, 1), evidence="完成"
        )
    assert refused.value.code == "carried_over"
    assert Milestone.objects.get(pk=milestone.pk).done_date is None


def test_a_carry_over_previewed_then_changed_is_refused(admin_user, last_year):
    CampaignYear.objects.create(year=2026)
    old = last_year["running"]
    plan = services.projects_carry_over_preview(actor=admin_user, year=2026, codes=[old.code])
    Project.objects.filter(pk=old.pk).update(status=ProjectStatus.SUSPENDED)
    with pytest.raises(ConflictError):
        services.projects_carry_over(
            actor=admin_user, year=2026, codes=[old.code], expected_digest=plan.digest
        )
    assert not Project.objects.filter(carried_from=old).exists()


def test_the_offices_pages_preview_then_carry_over(client_as, admin_user, last_year):
    CampaignYear.objects.create(year=2026)
    client = client_as(admin_user)
    page = client.get(reverse("projects:carry-over", args=[2026]))
    assert page.status_code == 200 and "JY2025-002" in page.content.decode()
    preview = client.post(reverse("projects:carry-over", args=[2026]), {"projects": ["JY2025-002"]})
    assert preview.status_code == 200 and not Project.objects.filter(year_id=2026).exists()
    digest = preview.context["plan"].digest
    done = client.post(
        reverse("projects:carry-over-confirm", args=[2026]), {"projects": ["JY2025-002"], "digest": digest}
    )
    assert done.status_code == 302
    assert Project.objects.get(year_id=2026).carried_from == last_year["running"]
    years = client.get(reverse("projects:years")).content.decode()
    assert 'data-year="2026"' in years and 'data-year="2025"' in years


def test_the_api_exposes_and_filters_by_year_and_lists_the_years(client_as, admin_user, last_year):
    CampaignYear.objects.create(year=2026)
    services.projects_carry_over(actor=admin_user, year=2026, codes=["JY2025-002"])
    services.campaign_year_make_current(actor=admin_user, year=2026)
    api = client_as("anonymous", api=True)
    default = api.get("/api/v1/projects/").json()
    assert [(p["code"], p["year"], p["is_carried_over"]) for p in default["results"]] == [
        ("JY2026-001", 2026, True)
    ]
    earlier = api.get("/api/v1/projects/?year=2025").json()
    assert [p["code"] for p in earlier["results"]] == ["JY2025-001", "JY2025-002"]
    detail = api.get("/api/v1/projects/JY2025-002/").json()
    assert detail["carried_to"] == "JY2026-001" and detail["carried_from"] is None
    years = api.get("/api/v1/projects/years/").json()
    assert [(y["year"], y["is_current"], y["projects"], y["carried_over"]) for y in years] == [
        (2026, True, 1, 1),
        (2025, False, 2, 0),
    ]


def test_the_report_list_shows_the_current_years_reports_and_an_earlier_one_on_request(client_as, last_year):
    def report(start, end):
        return Report.objects.create(
            kind=ReportKind.MONTHLY,
            period_start=start,
            period_end=end,
            title="月调度",
            generated_at=timezone.now(),
        )

    old = report(datetime.date(2024, 12, 1), datetime.date(2024, 12, 31))
    new = report(datetime.date(2025, 6, 1), datetime.date(2025, 6, 30))
    supervisor = client_as("supervisor")
    listed = supervisor.get(reverse("supervision:reports")).context["page_obj"].object_list
    assert [r.pk for r in listed] == [new.pk]
    CampaignYear.objects.create(year=2024)
    listed = supervisor.get(reverse("supervision:reports") + "?year=2024").context["page_obj"].object_list
    assert [r.pk for r in listed] == [old.pk]


def test_the_showcase_of_any_year_costs_the_same_queries_at_any_size(client_as, query_counter, last_year):
    def grow(n):
        for _ in range(n):
            ProjectFactory(year=last_year["year"])

    query_counter.flat(client_as("anonymous"), reverse("projects:showcase") + "?year=2025", grow=grow)


def test_the_import_page_offers_the_open_years_and_the_next_one(client_as, last_year):
    page = client_as("admin").get(reverse("projects:import")).content.decode()
    assert '<option value="2026">' in page and 'value="2025" selected' in page
