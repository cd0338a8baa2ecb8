"""The campaign's reporting periods, in one place: the week (Monday–Sunday), the 旬 (1–10, 11–20, 21 to
the end of the month) and the month, in the site's time zone (Asia/Shanghai).

"一周一督促、一旬一通报、一月一调度": the weekly reminder covers a week, the ten-day bulletin a 旬, the
monthly dispatch a month. A period is a pair of dates, both included; ``start_at``/``end_at`` are the aware
datetimes that bound it (``start_at <= t < end_at``) for filtering timestamps.
"""

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from jiangyan.helpers import clock
from jiangyan.helpers.names import source_language
from jiangyan.helpers.wording import Wording


class PeriodKind(models.TextChoices):
    WEEK = "week", _("周")
    TENDAY = "tenday", _("旬")
    MONTH = "month", _("月")


# A period's label, in the reader's language (the week's is also a wording: a reminder's title holds it).
WEEK_LABEL = Wording(gettext_noop("%(year)s年第%(week)s周（%(start)s—%(end)s）"))
_TENDAY_LABELS = {
    1: gettext_noop("%(year)s年%(month)s月上旬"),
    11: gettext_noop("%(year)s年%(month)s月中旬"),
    21: gettext_noop("%(year)s年%(month)s月下旬"),
}
MONTH_LABEL = gettext_noop("%(year)s年%(month)s月")


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return _midnight(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        return _midnight(self.end + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> "Period":
        return period_of(self.kind, self.start - datetime.timedelta(days=1))

    def next(self) -> "Period":
        return period_of(self.kind, self.end + datetime.timedelta(days=1))

    @property
    def label(self) -> str:
        """``2021年第23周（06-07—06-13）``, ``2021年6月中旬``, ``2021年6月`` in the active language
        (``Week 23, 2021 (06-07 – 06-13)``, ``Mid-June 2021``, ``June 2021``)."""
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = self.start.isocalendar()
            values = {"year": year, "week": week, "start": f"{self.start:%m-%d}", "end": f"{self.end:%m-%d}"}
            return gettext(WEEK_LABEL.msgid) % values
        month = self.start.month if source_language() else MONTHS[self.start.month]
        values = {"year": self.start.year, "month": month}
        if self.kind == PeriodKind.TENDAY:
            return gettext(_TENDAY_LABELS[self.start.day]) % values
        return gettext(MONTH_LABEL) % values

    def __str__(self) -> str:
        return self.label


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def period_of(kind: str, day: datetime.date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == PeriodKind.WEEK:
        start = day - datetime.timedelta(days=day.weekday())
        return Period(kind, start, start + datetime.timedelta(days=6))
    last_day = calendar.monthrange(day.year, day.month)[1]
    if kind == PeriodKind.TENDAY:
        first = 1 if day.day <= 10 else 11 if day.day <= 20 else 21
        last = {1: 10, 11: 20, 21: last_day}[first]
        return Period(kind, day.replace(day=first), day.replace(day=last))
    if kind == PeriodKind.MONTH:
        return Period(kind, day.replace(day=1), day.replace(day=last_day))
    raise ValueError(f"unknown period kind {kind!r}")


def last_complete(kind: str, today: datetime.date | None = None) -> Period:
    """The latest period of ``kind`` that has ended before ``today`` (default: today in Asia/Shanghai).
    On Monday that is last week; on the 1st, 11th and 21st the previous 旬; on the 1st the previous month."""
    today = today or clock.localdate()
    return period_of(kind, today).previous()


def periods_between(kind: str, first: datetime.date, last: datetime.date) -> Iterator[Period]:
    """Every period of ``kind`` from the one containing ``first`` to the one containing ``last``."""
    period, stop = period_of(kind, first), period_of(kind, last)
    while period <= stop:
        yield period
        period = period.next()
