"""Exactly one report per kind and period, whatever the number of simultaneous generations (beat's run, a
redelivered task, a supervisor's button, the command). Real threads, one connection each, on PostgreSQL."""

import datetime

import pytest

from jiangyan.core.periods import Period, PeriodKind
from supervision import services
from supervision.choices import ReportKind
from supervision.models import Report
from tests.race import needs_postgresql, race
from tests.supervision.conftest import behind_by

pytestmark = needs_postgresql
GENERATORS = 6


@pytest.mark.django_db(transaction=True)
def test_simultaneous_generations_of_one_period_leave_one_report():
    behind_by(20, on=datetime.date(2021, 6, 20))
    period = Period(PeriodKind.TENDAY, datetime.date(2021, 6, 11), datetime.date(2021, 6, 20))

    results, errors = race(
        [lambda: services.report_generate(kind=ReportKind.TENDAY, period=period) for _ in range(GENERATORS)]
    )

    assert errors == [] and len(results) == GENERATORS
    report = Report.objects.get()
    assert {r.pk for r in results} == {report.pk}
    assert report.generation == GENERATORS and report.data["totals"]["behind"] == 1
