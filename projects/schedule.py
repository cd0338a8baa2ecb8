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
from django.core.exceptions import EmptyResultSet
from django.db import connection
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


def _expressions(queryset: QuerySet, on: datetime.date, prefix: str = "") -> tuple[dict, dict]:
    """The rule as expressions: ``(intermediates, results)``; the results are named ``<prefix>expected_pct``
    and so on, and refer to each other and to the intermediates by name."""
    Milestone = _milestone_model(queryset)  # noqa: N806 (a model class)
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
    p = prefix
    intermediates = {
        f"{p}sched_planned_weight": _sum_weight(Milestone, planned_date__lte=on),
        f"{p}sched_done_weight": _sum_weight(Milestone, done_date__lte=on),
        f"{p}sched_next_date": Subquery(next_date, output_field=DateField()),
        f"{p}sched_previous_date": Coalesce(
            Subquery(previous_date, output_field=DateField()), F("planned_start")
        ),
        f"{p}sched_next_weight": Coalesce(Subquery(next_weight, output_field=IntegerField()), Value(0)),
        f"{p}sched_has_milestones": Exists(Milestone.objects.filter(project=OuterRef("pk"))),
    }
    planned = Cast(f"{p}sched_planned_weight", FloatField())
    results = {
        f"{p}expected_pct": Case(
            When(**{f"{p}sched_next_date__isnull": True}, then=planned),
            When(**{f"{p}sched_previous_date__gte": on}, then=planned),
            default=planned
            + Cast(f"{p}sched_next_weight", FloatField())
            * DaysBetween(day, F(f"{p}sched_previous_date"))
            / DaysBetween(F(f"{p}sched_next_date"), F(f"{p}sched_previous_date")),
            output_field=FloatField(),
        ),
        f"{p}actual_pct": Case(
            When(
                Q(**{f"{p}sched_has_milestones": False}, status=ProjectStatus.COMPLETED),
                then=Value(100.0),
            ),
            default=Cast(f"{p}sched_done_weight", FloatField()),
            output_field=FloatField(),
        ),
        f"{p}variance": F(f"{p}actual_pct") - F(f"{p}expected_pct"),
        f"{p}late_milestones": Coalesce(Subquery(late, output_field=IntegerField()), Value(0)),
        f"{p}is_behind": Case(
            When(
                Q(**{f"{p}actual_pct__lt": F(f"{p}expected_pct") - Value(behind_points)})
                | Q(**{f"{p}late_milestones__gt": 0}),
                then=True,
            ),
            default=False,
            output_field=BooleanField(),
        ),
    }
    return intermediates, results


def annotate_schedule(queryset: QuerySet, *, on: datetime.date | None = None) -> QuerySet:
    """Annotate ``queryset`` of projects with the schedule at ``on`` (default: today), derived from the
    milestones. Reports use it for past dates."""
    intermediates, results = _expressions(queryset, on or timezone.localdate())
    return queryset.alias(**intermediates).annotate(**results)


# The stored copy of today's figures: the columns of ``Project`` that hold each result, and their types.
STORED = {
    "expected_pct": "schedule_expected",
    "actual_pct": "schedule_actual",
    "variance": "schedule_variance",
    "late_milestones": "schedule_late",
    "is_behind": "schedule_behind",
}
_TYPES = {
    "expected_pct": FloatField,
    "actual_pct": FloatField,
    "variance": FloatField,
    "late_milestones": IntegerField,
    "is_behind": BooleanField,
}


def stale_on(today: datetime.date) -> Q:
    """Projects whose stored figures are not today's (never stored, or stored another day)."""
    return Q(schedule_date__isnull=True) | Q(schedule_date__lt=today) | Q(schedule_date__gt=today)


def annotate_current_schedule(queryset: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """The same five figures for today, read from the stored columns — free to read, filter and count —
    wherever they were stored today (``schedule_date``); a row not refreshed today (a milestone written
    outside the services, the daily task not run yet) is derived as :func:`annotate_schedule` would.

    One indexed look-up first asks whether any row of ``queryset`` is stale. Usually none is (the services
    and the daily task store them), and the figures are then plain columns: building, compiling and
    running the derived rule's dozen correlated subqueries costs far more than the look-up, even when the
    database never evaluates them."""
    today = today or timezone.localdate()
    if not queryset.order_by().filter(stale_on(today)).exists():
        return queryset.annotate(**{name: F(column) for name, column in STORED.items()})
    intermediates, derived = _expressions(queryset, today, prefix="derived_")
    fresh = Q(schedule_date=today)
    return queryset.alias(**intermediates, **derived).annotate(
        **{
            name: Case(
                When(fresh, then=F(column)),
                default=F(f"derived_{name}"),
                output_field=_TYPES[name](),
            )
            for name, column in STORED.items()
        }
    )


def store_schedule(queryset: QuerySet, *, on: datetime.date | None = None) -> int:
    """Derive today's figures of the projects in ``queryset`` and store them (with ``schedule_date``).
    Services call it in the transaction that changes milestones or status; a daily task calls it for
    every project, as the expected % moves with the date. One ``UPDATE … FROM`` the derived rows (23,600
    projects at 100× in one statement); returns the number of projects stored."""
    on = on or timezone.localdate()
    model = queryset.model
    derived = (
        annotate_schedule(queryset.order_by(), on=on).annotate(stored_pk=F("pk")).values("stored_pk", *STORED)
    )
    try:
        sql, params = derived.query.sql_with_params()
    except EmptyResultSet:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    assignments = ", ".join(
        f"{connection.ops.quote_name(column)} = d.{name}" for name, column in STORED.items()
    )
    with connection.cursor() as cursor:
        # The derived table names its columns after the annotations.
        cursor.execute(
            f"UPDATE {table} SET {assignments}, schedule_date = %s FROM ({sql}) AS d "  # noqa: S608
            f"WHERE {table}.{pk} = d.stored_pk",
            [on, *params],
        )
        return cursor.rowcount


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
