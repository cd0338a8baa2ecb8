"""The three reports on constructed data with known answers, under frozen time (Asia/Shanghai)."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from jiangyan.core.periods import Period, PeriodKind
from notifications.models import Notification
from projects.choices import ProjectStatus
from supervision import reports, services
from supervision.choices import OrderStatus, ReportKind, ReportStatus
from supervision.models import Report
from tests.clients import sign_in
from tests.factories import CommunityFactory, MemberFactory, UnitFactory, UserFactory
from tests.projects.factories import EvaluationFactory, MilestoneFactory, ProjectFactory, StatementFactory
from tests.supervision.conftest import at, behind_by, completed_on
from tests.supervision.factories import OrderFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db
date = datetime.date


# --- periods -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today,start,end",
    [
        (date(2021, 3, 1), date(2021, 2, 21), date(2021, 2, 28)),
        (date(2024, 3, 1), date(2024, 2, 21), date(2024, 2, 29)),
        (date(2021, 6, 11), date(2021, 6, 1), date(2021, 6, 10)),
        (date(2021, 6, 21), date(2021, 6, 11), date(2021, 6, 20)),
        (date(2021, 8, 1), date(2021, 7, 21), date(2021, 7, 31)),
    ],
)
def test_the_bulletin_of_the_1st_11th_and_21st_covers_the_previous_xun(today, start, end):
    with time_machine.travel(at(today.year, today.month, today.day, 7), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.TENDAY)
    assert (report.period_start, report.period_end) == (start, end)
    assert report.title.endswith("旬工作通报") and report.status == ReportStatus.DRAFT


def test_projects_completed_in_the_xun_of_late_february_are_exactly_those_of_the_21st_to_the_29th():
    inside = [completed_on(date(2024, 2, 21)), completed_on(date(2024, 2, 29))]
    outside = [completed_on(date(2024, 2, 20)), completed_on(date(2024, 3, 1))]
    with time_machine.travel(at(2024, 3, 1, 9), tick=False):
        report = services.report_generate(
            kind=ReportKind.TENDAY, period=Period(PeriodKind.TENDAY, date(2024, 2, 21), date(2024, 2, 29))
        )
    listed = {p["code"] for p in report.data["completed"]}
    assert listed == {p.code for p in inside}
    assert not listed & {p.code for p in outside}


# --- ten-day bulletin ------------------------------------------------------------------------------------


def test_the_behind_list_holds_exactly_the_projects_made_behind_and_names_no_hidden_one():
    on = date(2021, 6, 20)
    twenty = behind_by(20, on=on)
    late = ProjectFactory(
        planned_start=on - datetime.timedelta(days=60), planned_end=on + datetime.timedelta(days=400)
    )
    # 7.8 points behind only, but a milestone 9 days late (more than PROJECT_MILESTONE_LATE_DAYS): behind.
    MilestoneFactory(project=late, planned_date=on - datetime.timedelta(days=9), weight=5)
    MilestoneFactory(project=late, planned_date=on + datetime.timedelta(days=300), weight=95)
    behind_by(5, on=on)  # on schedule within the 10 points
    behind_by(30, on=on, public=False)
    completed_on(on - datetime.timedelta(days=3))
    ProjectFactory(
        planned_start=on + datetime.timedelta(days=10), planned_end=on + datetime.timedelta(days=90)
    )

    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.TENDAY)

    data = report.data
    assert {p["code"] for p in data["behind"]} == {twenty.code, late.code}
    assert data["behind_hidden"] == 1
    assert data["totals"]["behind"] == 3
    assert [p["code"] for p in data["behind"]] == [twenty.code, late.code]  # furthest behind first
    row = next(p for p in data["behind"] if p["code"] == twenty.code)
    assert (row["expected_pct"], row["actual_pct"], row["variance"]) == (20.0, 0.0, -20.0)
    assert twenty.code in report.html and late.code in report.html


def _filed_both_weeks(project):
    # The 旬 6-11…6-20 expects the weeks ending Sunday 13 and Sunday 20 June.
    for monday in (date(2021, 6, 7), date(2021, 6, 14)):
        StatementFactory(project=project, period_start=monday, period_end=monday + datetime.timedelta(days=6))


def test_the_lead_unit_ranking_weighs_progress_timeliness_rating_and_overdue_orders():
    on = date(2021, 6, 20)
    units = {name: UnitFactory(name=name) for name in ("甲单位", "乙单位", "丙单位", "丁单位")}
    # 甲: on schedule, both statements, rated 5 → 100.
    a = behind_by(0, on=on, unit=units["甲单位"])
    _filed_both_weeks(a)
    EvaluationFactory(project=a, score=5, month=date(2021, 6, 1))
    # 乙: 20 points behind (80), one statement of two (50), rated 4 (80) → 0.4·80 + 0.3·50 + 0.3·80 = 71.
    b = behind_by(20, on=on, unit=units["乙单位"])
    StatementFactory(project=b, period_start=date(2021, 6, 14), period_end=date(2021, 6, 20))
    EvaluationFactory(project=b, score=4, month=date(2021, 6, 1))
    # 丙: like 甲 but two overdue orders (5 points each) → 90.
    c = behind_by(0, on=on, unit=units["丙单位"])
    _filed_both_weeks(c)
    EvaluationFactory(project=c, score=5, month=date(2021, 6, 1))
    for _ in range(2):
        OrderFactory(project=c, issued_at=at(2021, 6, 1), deadline=date(2021, 6, 8))
    OrderFactory(project=c, issued_at=at(2021, 6, 1), deadline=date(2021, 6, 8), status=OrderStatus.CLOSED)
    # 丁: on schedule, no statement, never rated → (0.4·100 + 0.3·0) / 0.7 = 57.1.
    behind_by(0, on=on, unit=units["丁单位"])

    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.TENDAY)

    ranking = report.data["ranking"]
    assert [(r["unit"], r["score"], r["rank"]) for r in ranking] == [
        ("甲单位", 100.0, 1),
        ("丙单位", 90.0, 2),
        ("乙单位", 71.0, 3),
        ("丁单位", 57.1, 4),
    ]
    b_row = ranking[2]
    assert (b_row["progress"], b_row["timeliness"], b_row["evaluation"]) == (80.0, 50.0, 80.0)
    assert (b_row["statements_owed"], b_row["statements_delivered"]) == (2, 1)
    assert ranking[1]["overdue_orders"] == 2
    assert ranking[3]["evaluation"] is None and ranking[3]["timeliness"] == 0.0


def test_equal_scores_share_a_rank_and_the_change_of_rank_is_against_the_previous_bulletin():
    facts = [
        {
            "lead_unit_id": pk,
            "lead_unit__name": name,
            "started": 1,
            "active": 1,
            "behind": 0,
            "completed": 0,
            "average_progress": 10.0,
            "average_variance": variance,
            "statements_owed": 0,
            "statements_delivered": 0,
        }
        for pk, name, variance in ((1, "甲", 0.0), (2, "乙", -10.0), (3, "丙", -10.0), (4, "丁", -30.0))
    ]
    previous = [{"unit_id": 4, "rank": 1}, {"unit_id": 1, "rank": 2}, {"unit_id": 2, "rank": 2}]
    rows = reports.rank_units(facts=facts, evaluations=[], orders={}, previous=previous)
    assert [(r["unit"], r["rank"], r["change"]) for r in rows] == [
        ("甲", 1, 1),
        ("乙", 2, 0),
        ("丙", 2, None),
        ("丁", 4, -3),
    ]


def test_the_bulletin_reports_its_changes_since_the_previous_bulletin():
    on = date(2021, 6, 10)
    behind_by(20, on=on)
    with time_machine.travel(at(2021, 6, 11, 7), tick=False):
        first = services.report_catch_up(kind=ReportKind.TENDAY)[0]
    behind_by(25, on=date(2021, 6, 20))
    completed_on(date(2021, 6, 15))
    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        second = services.report_catch_up(kind=ReportKind.TENDAY)[0]
    assert first.data["totals"]["behind"] == 1
    assert second.data["previous_totals"] == first.data["totals"]
    assert second.data["changes"]["behind"] == 1 and second.data["changes"]["completed"] == 1


def test_the_wish_funnel_counts_the_xun_and_the_campaign():
    community = CommunityFactory()
    member = MemberFactory(community=community)
    WishFactory(community=community, submitted_at=at(2021, 6, 1))  # before the 旬
    inside = WishFactory(community=community, submitted_at=at(2021, 6, 12), status=WishStatus.CLOSED)
    inside.claimed_by, inside.claimed_at, inside.fulfilled_at = member, at(2021, 6, 13), at(2021, 6, 15)
    inside.feedback_at, inside.closed_at, inside.satisfaction = at(2021, 6, 16), at(2021, 6, 16), "satisfied"
    inside.save()
    WishFactory(community=community, submitted_at=at(2021, 6, 21, 9))  # after it
    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.TENDAY)
    wishes = report.data["wishes"]
    assert wishes["period"]["received"] == 1 and wishes["period"]["claimed"] == 1
    assert wishes["period"]["satisfied"] == 1 and wishes["total"]["received"] == 2
    assert wishes["satisfaction_rate"] == 100.0


# --- monthly dispatch ------------------------------------------------------------------------------------


def test_the_dispatch_agenda_holds_exactly_the_projects_more_than_15_points_behind_and_overdue_orders():
    on = date(2021, 6, 30)
    on_agenda = [behind_by(20, on=on), behind_by(16, on=on), behind_by(30, on=on, public=False)]
    for points in (15, 14, 0):
        behind_by(points, on=on)
    overdue = OrderFactory(issued_at=at(2021, 6, 10), deadline=date(2021, 6, 25))
    OrderFactory(issued_at=at(2021, 6, 10), deadline=date(2021, 6, 25), status=OrderStatus.CLOSED)
    OrderFactory(issued_at=at(2021, 6, 28), deadline=date(2021, 7, 5))

    with time_machine.travel(at(2021, 7, 1, 7), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.MONTHLY)

    assert (report.period_start, report.period_end) == (date(2021, 6, 1), on)
    agenda = report.data["agenda"]
    assert {p["code"] for p in agenda["projects"]} == {p.code for p in on_agenda}
    assert [o["code"] for o in agenda["orders"]] == [overdue.code]
    assert agenda["orders"][0]["days_overdue"] == 5
    assert report.data["totals"]["far_behind"] == 3


def test_the_dispatch_groups_by_program_domain_and_town_with_the_change_since_last_month():
    on = date(2021, 6, 30)
    behind_by(20, on=on)
    completed_on(date(2021, 6, 10))
    with time_machine.travel(at(2021, 7, 1, 7), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.MONTHLY)
    (program,) = report.data["by_program"]
    assert (program["projects"], program["completed"], program["behind"]) == (2, 1, 1)
    assert program["completion_rate"] == 50.0
    assert program["previous"]["completed"] == 0 and program["change"]["completed"] == 1
    assert report.data["by_town"][0]["group"] is None  # no label in the data: the page says 未指定
    assert "（未指定）" in report.html
    assert report.data["trend"][-1] == {"label": "2021-06", "behind": 1, "completed": 1, "far_behind": 1}


def test_a_published_report_reads_english_names_given_after_it_and_its_chinese_page_stays():
    """The English page is rendered from the data at each reading: an English name the office gives a
    unit or a program in the admin shows in reports already generated; the Chinese page never changes."""
    on = date(2021, 6, 20)
    unit = UnitFactory(name="区卫生健康委员会")
    behind_by(20, on=on, unit=unit)
    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.TENDAY)
    stored = report.html
    with translation.override("en"):
        assert "区卫生健康委员会" in reports.body(report)  # no English name yet: as stored
    client = Client()
    sign_in(client, UserFactory(is_superuser=True, is_staff=True))
    change = client.get(f"/admin/accounts/unit/{unit.pk}/change/")
    assert 'name="name_en"' in change.content.decode()  # the office edits it in the admin
    unit.name_en = "District Health Commission"
    unit.save(update_fields=["name_en"])
    report.refresh_from_db()
    with translation.override("en"):
        english = reports.body(report)
        assert "District Health Commission" in english and "区卫生健康委员会" not in english
        assert report.local_title == "Ten-day bulletin, Mid-June 2021"
    with translation.override("zh-hans"):
        assert reports.body(report) == stored == report.html
        assert report.local_title == report.title == "2021年6月中旬工作通报"


# --- weekly reminder -------------------------------------------------------------------------------------


def test_the_weekly_reminder_tells_each_unit_and_community_what_is_due_and_overdue_once():
    on = date(2021, 6, 20)  # Sunday; the reminder goes out Monday 21 June
    unit, community = UnitFactory(), CommunityFactory()
    staff = UserFactory(roles=["unit_staff"], unit=unit)
    community_staff = UserFactory(roles=["community_staff"], community=community)
    project = ProjectFactory(lead_unit=unit, planned_start=date(2021, 5, 1), planned_end=date(2021, 12, 31))
    MilestoneFactory(project=project, name="方案", planned_date=date(2021, 6, 10), weight=30)
    MilestoneFactory(project=project, name="开工", planned_date=date(2021, 6, 25), weight=70)
    StatementFactory(project=project, period_start=date(2021, 6, 1), period_end=date(2021, 6, 10))
    order = OrderFactory(project=project, issued_at=at(2021, 6, 1), deadline=date(2021, 6, 8))
    WishFactory(community=community, status=WishStatus.OPEN, submitted_at=at(2021, 6, 16))
    WishFactory(community=community, status=WishStatus.OPEN, submitted_at=at(2021, 6, 19))  # 2 days: not yet
    claim = WishFactory(community=community, status=WishStatus.CLAIMED, submitted_at=at(2021, 6, 5))
    claim.claimed_at, claim.promised_date = at(2021, 6, 10), date(2021, 6, 18)
    claim.save()

    with time_machine.travel(at(2021, 6, 21, 8), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.WEEKLY)
        again = services.report_catch_up(kind=ReportKind.WEEKLY)

    assert (report.period_start, report.period_end) == (date(2021, 6, 14), on)
    (block,) = report.data["units"]
    assert [m["milestone"] for m in block["due_soon"]] == ["开工"]
    assert [m["milestone"] for m in block["overdue"]] == ["方案"]
    assert [p["code"] for p in block["silent"]] == [project.code] and block["silent"][0][
        "last_statement"
    ] == "2021-06-10"
    assert [o["code"] for o in block["orders"]] == [order.code] and block["orders"][0]["overdue"]
    (place,) = report.data["communities"]
    assert len(place["unclaimed"]) == 1 and [w["code"] for w in place["overdue"]] == [claim.code]
    assert again == []
    for person in (staff, community_staff):
        (note,) = Notification.objects.filter(recipient=person, reason="weekly_reminder")
        assert note.url == f"/reports/{report.pk}/mine/"
    services.report_generate(
        kind=ReportKind.WEEKLY, period=report_period(report), notify_recipients=True, today=date(2021, 6, 22)
    )
    assert Notification.objects.filter(reason="weekly_reminder").count() == 2  # at most once per week


def report_period(report: Report) -> Period:
    return services.report_period(report.kind, report.period_start)


# --- idempotency and catch-up ----------------------------------------------------------------------------


def test_generating_a_period_twice_gives_one_report_with_the_new_content():
    period = Period(PeriodKind.TENDAY, date(2021, 6, 11), date(2021, 6, 20))
    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        first = services.report_generate(kind=ReportKind.TENDAY, period=period)
        behind_by(20, on=date(2021, 6, 20))
        second = services.report_generate(kind=ReportKind.TENDAY, period=period)
    assert Report.objects.count() == 1 and second.pk == first.pk
    assert second.generation == 2 and second.data["totals"]["behind"] == 1


def test_three_missed_weeks_are_generated_on_the_next_run():
    with time_machine.travel(at(2021, 5, 31, 8), tick=False):
        services.report_catch_up(kind=ReportKind.WEEKLY)  # the week of 24–30 May
    with time_machine.travel(at(2021, 6, 21, 8), tick=False):  # beat was down three Mondays
        caught_up = services.report_catch_up(kind=ReportKind.WEEKLY)
        again = services.report_catch_up(kind=ReportKind.WEEKLY)
    assert [r.period_start for r in caught_up] == [date(2021, 5, 31), date(2021, 6, 7), date(2021, 6, 14)]
    assert again == [] and Report.objects.filter(kind=ReportKind.WEEKLY).count() == 4


def test_catch_up_goes_back_to_the_campaign_start_at_most(settings):
    settings.SUPERVISION_CAMPAIGN_START = "2021-05-01"
    with time_machine.travel(at(2021, 7, 1, 8), tick=False):
        caught_up = services.report_catch_up(kind=ReportKind.MONTHLY)
    assert [r.period_start for r in caught_up] == [date(2021, 5, 1), date(2021, 6, 1)]


def test_an_approved_or_published_report_is_not_replaced_unless_forced(supervisor):
    period = Period(PeriodKind.TENDAY, date(2021, 6, 11), date(2021, 6, 20))
    with time_machine.travel(at(2021, 6, 21, 7), tick=False):
        report = services.report_generate(kind=ReportKind.TENDAY, period=period)
        services.report_publish(
            actor=supervisor, report=services.report_approve(actor=supervisor, report=report)
        )
        behind_by(20, on=date(2021, 6, 20))
        kept = services.report_generate(kind=ReportKind.TENDAY, period=period)
        forced = services.report_generate(kind=ReportKind.TENDAY, period=period, force=True)
    assert (
        kept.generation == 1 and kept.status == ReportStatus.PUBLISHED and kept.data["totals"]["behind"] == 0
    )
    assert forced.generation == 2 and forced.status == ReportStatus.DRAFT and forced.published_at is None


def test_a_period_that_has_not_ended_is_refused():
    with time_machine.travel(at(2021, 6, 15), tick=False), pytest.raises(Exception, match="尚未结束"):
        services.report_generate(
            kind=ReportKind.WEEKLY, period=services.report_period(ReportKind.WEEKLY, date(2021, 6, 15))
        )


def test_suspended_and_not_started_projects_owe_no_statement():
    on = date(2021, 6, 20)
    ProjectFactory(planned_start=date(2021, 5, 1), status=ProjectStatus.SUSPENDED)
    ProjectFactory(planned_start=date(2021, 5, 1), status=ProjectStatus.NOT_STARTED)
    with time_machine.travel(at(2021, 6, 21, 8), tick=False):
        (report,) = services.report_catch_up(kind=ReportKind.WEEKLY)
    assert report.data["totals"]["silent_projects"] == 0 and on.isoformat() == report.data["as_of"]
