"""Schedule variance (序时进度) computed in the database — one function for pages, API and reports.

At a date ``D`` (see ``docs/schedule-variance.md``):

* ``expected_pct`` = weights of milestones planned on or before ``D`` + the weight of the next milestone(s)
  times the share of the time elapsed between the previous milestone's planned date (or the project's
  planned start, before the first milestone) and the next milestone's planned date;
* ``actual_pct`` = weights of milestones done on or before ``D`` (100 for a 已完成 project without
  milestones);
* ``variance`` = ``actual_pct − expected_pct`` (percentage points);
* ``late_milestones`` = milestones not done by ``D`` whose planned date is more than
  ``PROJECT_MILESTONE_LATE_DAYS`` days before ``D``;
* ``is_behind`` = ``actual_pct < expected_pct − PROJECT_BEHIND_POINTS`` or ``late_milestones > 0``.

Everything is a correlated subquery, so the queryset has no GROUP BY and stays filterable, countable and
paginable; it runs unchanged on PostgreSQL and SQLite.
"""

import datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from .choices import ProjectStatus


class DaysBetween(Func):
    """``later − earlier`` in days, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        if connection.vendor == "sqlite":
            sql = f"(julianday({later[0]}) - julianday({earlier[0]}))"
        else:
            sql = f"CAST(({later[0]} - {earlier[0]}) AS double precision)"
        return sql, (*later[1], *earlier[1])


def _milestone_model(projects: QuerySet):
    # The model behind ``Project.milestones``: this module sits below ``models`` (which calls it).
    return projects.model.milestones.rel.related_model


def _milestones(Milestone):
    return Milestone.objects.filter(project=OuterRef("pk")).order_by().values("project")


def _sum_weight(Milestone, **lookups) -> Coalesce:
    rows = _milestones(Milestone).filter(**lookups).annotate(total=Sum("weight")).values("total")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0), output_field=IntegerField())


def annotate_schedule(queryset: QuerySet, *, on: datetime.date | None = None) -> QuerySet:
    """Annotate ``queryset`` of projects with the schedule at ``on`` (default: today)."""
    Milestone = _milestone_model(queryset)  # noqa: N806 (a model class)

    on = on or timezone.localdate()
    day = Value(on, output_field=DateField())
    late_before = on - datetime.timedelta(days=settings.PROJECT_MILESTONE_LATE_DAYS)
    behind_points = float(settings.PROJECT_BEHIND_POINTS)

    next_date = _milestones(Milestone).filter(planned_date__gt=on).annotate(d=Min("planned_date")).values("d")
    previous_date = (
        _milestones(Milestone).filter(planned_date__lte=on).annotate(d=Max("planned_date")).values("d")
    )
    # All milestones sharing the next planned date form the next step of the schedule.
    next_weight = (
        Milestone.objects.filter(
            project=OuterRef("pk"),
            planned_date=Subquery(
                Milestone.objects.filter(project=OuterRef(OuterRef("pk")), planned_date__gt=on)
                .order_by()
                .values("project")
                .annotate(d=Min("planned_date"))
                .values("d")
            ),
        )
        .order_by()
        .values("project")
        .annotate(total=Sum("weight"))
        .values("total")
    )
    late = (
        _milestones(Milestone)
        .filter(Q(done_date__isnull=True) | Q(done_date__gt=on), planned_date__lt=late_before)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        sched_planned_weight=_sum_weight(Milestone, planned_date__lte=on),
        sched_done_weight=_sum_weight(Milestone, done_date__lte=on),
        sched_next_date=Subquery(next_date, output_field=DateField()),
        sched_previous_date=Coalesce(Subquery(previous_date, output_field=DateField()), F("planned_start")),
        sched_next_weight=Coalesce(Subquery(next_weight, output_field=IntegerField()), Value(0)),
        sched_has_milestones=Exists(Milestone.objects.filter(project=OuterRef("pk"))),
        expected_pct=Case(
            When(sched_next_date__isnull=True, then=Cast("sched_planned_weight", FloatField())),
            When(sched_previous_date__gte=on, then=Cast("sched_planned_weight", FloatField())),
            default=Cast("sched_planned_weight", FloatField())
            + Cast("sched_next_weight", FloatField())
            * DaysBetween(day, F("sched_previous_date"))
            / DaysBetween(F("sched_next_date"), F("sched_previous_date")),
            output_field=FloatField(),
        ),
        actual_pct=Case(
            When(
                Q(sched_has_milestones=False, status=ProjectStatus.COMPLETED),
                then=Value(100.0),
            ),
            default=Cast("sched_done_weight", FloatField()),
            output_field=FloatField(),
        ),
        variance=F("actual_pct") - F("expected_pct"),
        late_milestones=Coalesce(Subquery(late, output_field=IntegerField()), Value(0)),
        is_behind=Case(
            When(
                Q(actual_pct__lt=F("expected_pct") - Value(behind_points)) | Q(late_milestones__gt=0),
                then=True,
            ),
            default=False,
            output_field=BooleanField(),
        ),
    )


def schedule_in_python(
    *,
    milestones: list[tuple[datetime.date, int, datetime.date | None]],
    planned_start: datetime.date,
    on: datetime.date,
    completed: bool = False,
    behind_points: float | None = None,
    late_days: int | None = None,
) -> dict:
    """The same rule in plain Python over ``(planned_date, weight, done_date)`` tuples: the reference the
    database annotation is tested against, and what the demo data uses to pick its proportions."""
    behind_points = settings.PROJECT_BEHIND_POINTS if behind_points is None else behind_points
    late_days = settings.PROJECT_MILESTONE_LATE_DAYS if late_days is None else late_days
    planned = sum(w for d, w, _ in milestones if d <= on)
    past = [d for d, _, _ in milestones if d <= on]
    future = [d for d, _, _ in milestones if d > on]
    previous = max(past) if past else planned_start
    expected = float(planned)
    if future and previous < on:
        nxt = min(future)
        next_weight = sum(w for d, w, _ in milestones if d == nxt)
        expected += next_weight * (on - previous).days / (nxt - previous).days
    actual = float(sum(w for _, w, done in milestones if done is not None and done <= on))
    if completed and not milestones:
        actual = 100.0
    late = sum(
        1
        for d, _, done in milestones
        if (done is None or done > on) and d < on - datetime.timedelta(days=late_days)
    )
    return {
        "expected_pct": expected,
        "actual_pct": actual,
        "variance": actual - expected,
        "late_milestones": late,
        "is_behind": actual < expected - behind_points or late > 0,
    }
