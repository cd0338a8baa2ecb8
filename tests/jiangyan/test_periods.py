import datetime

import pytest

from jiangyan.core.periods import Period, PeriodKind, last_complete, period_of, periods_between

D = datetime.date


@pytest.mark.parametrize(
    "day,start,end",
    [
        (D(2021, 6, 9), D(2021, 6, 7), D(2021, 6, 13)),  # a Wednesday: Monday to Sunday
        (D(2021, 6, 7), D(2021, 6, 7), D(2021, 6, 13)),  # a Monday starts its week
        (D(2021, 6, 13), D(2021, 6, 7), D(2021, 6, 13)),  # a Sunday ends it
        (D(2020, 12, 31), D(2020, 12, 28), D(2021, 1, 3)),  # across the new year
    ],
)
def test_week_runs_monday_to_sunday(day, start, end):
    assert period_of(PeriodKind.WEEK, day) == Period(PeriodKind.WEEK, start, end)


@pytest.mark.parametrize(
    "day,start,end",
    [
        (D(2021, 6, 1), D(2021, 6, 1), D(2021, 6, 10)),
        (D(2021, 6, 10), D(2021, 6, 1), D(2021, 6, 10)),
        (D(2021, 6, 11), D(2021, 6, 11), D(2021, 6, 20)),
        (D(2021, 6, 21), D(2021, 6, 21), D(2021, 6, 30)),
        (D(2021, 2, 28), D(2021, 2, 21), D(2021, 2, 28)),  # the last 旬 of February is 8 days
        (D(2024, 2, 29), D(2024, 2, 21), D(2024, 2, 29)),  # 9 in a leap year
        (D(2021, 7, 31), D(2021, 7, 21), D(2021, 7, 31)),  # 11 in a 31-day month
    ],
)
def test_tenday_boundaries(day, start, end):
    assert period_of(PeriodKind.TENDAY, day) == Period(PeriodKind.TENDAY, start, end)


def test_the_bulletin_of_1_march_covers_21_to_28_february():
    assert last_complete(PeriodKind.TENDAY, D(2021, 3, 1)) == Period(
        PeriodKind.TENDAY, D(2021, 2, 21), D(2021, 2, 28)
    )
    assert last_complete(PeriodKind.TENDAY, D(2024, 3, 1)).end == D(2024, 2, 29)


def test_last_complete_periods_on_their_generation_days():
    assert last_complete(PeriodKind.WEEK, D(2021, 6, 14)) == period_of(PeriodKind.WEEK, D(2021, 6, 13))
    assert last_complete(PeriodKind.TENDAY, D(2021, 6, 11)).start == D(2021, 6, 1)
    assert last_complete(PeriodKind.TENDAY, D(2021, 6, 21)).start == D(2021, 6, 11)
    assert last_complete(PeriodKind.MONTH, D(2021, 7, 1)) == Period(
        PeriodKind.MONTH, D(2021, 6, 1), D(2021, 6, 30)
    )


def test_periods_between_walks_every_period_once():
    weeks = list(periods_between(PeriodKind.WEEK, D(2021, 6, 1), D(2021, 6, 30)))
    assert [w.start for w in weeks] == [
        D(2021, 5, 31),
        D(2021, 6, 7),
        D(2021, 6, 14),
        D(2021, 6, 21),
        D(2021, 6, 28),
    ]
    tendays = list(periods_between(PeriodKind.TENDAY, D(2021, 1, 5), D(2021, 3, 1)))
    assert len(tendays) == 7 and tendays[0].start == D(2021, 1, 1) and tendays[-1].start == D(2021, 3, 1)


def test_bounds_are_midnight_in_shanghai_and_labels_read_naturally():
    tenday = period_of(PeriodKind.TENDAY, D(2021, 6, 15))
    assert tenday.start_at.isoformat() == "2021-06-11T00:00:00+08:00"
    assert tenday.end_at.isoformat() == "2021-06-21T00:00:00+08:00"
    assert tenday.label == "2021年6月中旬"
    assert period_of(PeriodKind.MONTH, D(2021, 6, 15)).label == "2021年6月"
    assert period_of(PeriodKind.WEEK, D(2021, 6, 9)).label == "2021年第23周（06-07—06-13）"


def test_a_periods_label_is_in_the_active_language():
    from django.utils import translation

    week = Period(PeriodKind.WEEK, datetime.date(2021, 6, 7), datetime.date(2021, 6, 13))
    tenday = Period(PeriodKind.TENDAY, datetime.date(2021, 6, 11), datetime.date(2021, 6, 20))
    month = Period(PeriodKind.MONTH, datetime.date(2021, 6, 1), datetime.date(2021, 6, 30))
    with translation.override("zh-hans"):
        assert [p.label for p in (week, tenday, month)] == [
            "2021年第23周（06-07—06-13）",
            "2021年6月中旬",
            "2021年6月",
        ]
    with translation.override("en"):
        assert [p.label for p in (week, tenday, month)] == [
            "Week 23, 2021 (06-07 to 06-13)",
            "Mid-June 2021",
            "June 2021",
        ]
