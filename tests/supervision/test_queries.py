"""Query counts are the same at two sizes of the district: every report's generation, the dashboard and
every list of the supervision loop (page and API)."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiangyan.core.periods import last_complete
from notifications.services import notify
from supervision import services
from supervision.choices import PERIOD_OF, ReportKind
from supervision.models import Report
from tests.factories import CommunityFactory, MemberFactory, UnitFactory, UserFactory
from tests.projects.factories import EvaluationFactory, MilestoneFactory, StatementFactory
from tests.supervision.conftest import at, behind_by, completed_on
from tests.supervision.factories import ContactPointFactory, InspectionFactory, OrderFactory
from tests.surveys.factories import DutyItemFactory, SuggestionFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db
NOW = at(2021, 7, 1, 9)  # a Thursday: the last week, 旬 and month have all ended


def grow(n: int) -> None:
    """``n`` more of everything a report counts: units with projects (behind, on schedule, completed) with
    milestones, statements and ratings, orders (some overdue), wishes (unclaimed, overdue), duty items,
    suggestions, communities with staff, contact points and inspections."""
    today = timezone.localdate()
    for i in range(n):
        unit, community = UnitFactory(), CommunityFactory()
        UserFactory(roles=["unit_staff"], unit=unit)
        UserFactory(roles=["community_staff"], community=community)
        project = behind_by(20 if i % 2 else 0, on=today, unit=unit)
        MilestoneFactory(project=project, planned_date=today - datetime.timedelta(days=12), weight=0)
        MilestoneFactory(project=project, planned_date=today + datetime.timedelta(days=3), weight=0)
        completed_on(today - datetime.timedelta(days=i % 20), lead_unit=unit)
        StatementFactory(project=project, period_start=today - datetime.timedelta(days=20), period_end=today)
        EvaluationFactory(project=project, month=today.replace(day=1))
        OrderFactory(project=project, issued_at=timezone.now() - datetime.timedelta(days=12))
        OrderFactory(wish=WishFactory(community=community), project=None, unit=None, community=community)
        WishFactory(community=community, submitted_at=timezone.now() - datetime.timedelta(days=6))
        late = WishFactory(
            community=community, status=WishStatus.CLAIMED, claimed_by=MemberFactory(community=community)
        )
        late.promised_date, late.claimed_at = (
            today - datetime.timedelta(days=2),
            timezone.now() - datetime.timedelta(days=9),
        )
        late.save()
        DutyItemFactory(unit=unit, deadline=today - datetime.timedelta(days=3))
        SuggestionFactory(community=community)
        point = ContactPointFactory(community=community)
        ContactPointFactory(leader=point.leader, unit=unit)
        InspectionFactory(recorded_by=point.leader.user, communities=[community])


def generation_queries(kind: str) -> int:
    ContentType.objects.get_for_model(Report)  # a per-process cache, warm before counting
    Report.objects.all().delete()
    period = last_complete(PERIOD_OF[kind], timezone.localdate())
    with CaptureQueriesContext(connection) as captured:
        services.report_generate(kind=kind, period=period)
    return len(captured)


@pytest.mark.parametrize("kind", ReportKind.values)
def test_generating_each_report_takes_the_same_queries_at_two_sizes(kind):
    with time_machine.travel(NOW, tick=False):
        grow(3)
        small = generation_queries(kind)
        grow(12)
        large = generation_queries(kind)
    assert small == large, f"{kind}: {small} queries with 3 units, {large} with 15"
    # Each read of the schedule first asks (one indexed look-up) whether its stored figures can be used.
    assert large <= 40


@pytest.mark.parametrize("kind", ReportKind.values)
def test_the_comparison_with_the_stored_previous_report_keeps_the_count_flat(kind):
    with time_machine.travel(NOW, tick=False):
        grow(2)
        ContentType.objects.get_for_model(Report)
        previous = last_complete(PERIOD_OF[kind], timezone.localdate()).previous()
        services.report_generate(kind=kind, period=previous)
        counts = []
        for n in (3, 12):
            grow(n)
            Report.objects.exclude(period_start=previous.start).delete()
            period = last_complete(PERIOD_OF[kind], timezone.localdate())
            with CaptureQueriesContext(connection) as captured:
                services.report_generate(kind=kind, period=period)
            counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.fixture
def district(db):
    """A district with one report of each kind."""
    with time_machine.travel(NOW, tick=False):
        grow(1)
        for kind in ReportKind.values:
            services.report_catch_up(kind=kind)


def _grow_now(n: int) -> None:
    with time_machine.travel(NOW, tick=False):
        grow(n)


@pytest.mark.parametrize(
    "role,url",
    [
        ("supervisor", "/dashboard/"),
        ("supervisor", "/reports/"),
        ("supervisor", "/orders/"),
        ("unit_staff", "/orders/"),
        ("supervisor", "/inspections/"),
        ("admin", "/contact-points/"),
        ("supervisor", "/contact-points/?visited=false"),
        ("admin", "/leaders/"),
        ("anonymous", "/bulletins/"),
        ("anonymous", "/api/v1/reports/"),
        ("supervisor", "/api/v1/reports/"),
        ("supervisor", "/api/v1/orders/"),
        ("supervisor", "/api/v1/inspections/"),
    ],
)
def test_pages_and_api_lists_are_flat(query_counter, client_as, district, role, url):
    query_counter.flat(client_as(role), url, grow=_grow_now, small=2, large=8, max_queries=40)


@pytest.mark.parametrize("url", ["/notifications/", "/api/v1/notifications/"])
def test_the_notification_centre_is_flat(query_counter, client_as, supervisor, url):
    def grow_notes(n):
        for i in range(n):
            notify(recipients=[supervisor], reason=f"r{i}", title="通知", url="/orders/")

    query_counter.flat(client_as("supervisor"), url, grow=lambda n: grow_notes(n))


def test_each_report_page_is_flat(query_counter, client_as, district):
    for report in Report.objects.all():
        query_counter.flat(
            client_as("supervisor"), f"/reports/{report.pk}/", grow=_grow_now, small=1, large=3
        )
