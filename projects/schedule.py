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
* ``is_behind`` = ``actual_pct < expected_pct − PROJECT_BEHIND_POINTS`` or ``late_milestones > 0``;
* ``completed_on`` = for a 已完成 project, the day its last milestone was done (its planned end without
  milestones); None otherwise.

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
    FilteredRelation,
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

from jiangyan.helpers import clock

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


def _completed_on(Milestone) -> Case:  # noqa: N803 (a model class)
    # The day a 已完成 project was completed: its last milestone's, or its planned end without any.
    last_done = _milestones(Milestone).annotate(d=Max("done_date")).values("d")
    return Case(
        When(
            status=ProjectStatus.COMPLETED,
            then=Coalesce(Subquery(last_done, output_field=DateField()), F("planned_end")),
        ),
        default=None,
        output_field=DateField(),
    )


def completed_on(queryset: QuerySet) -> Case:
    """The rule's ``completed_on`` alone (it does not depend on the date), for a queryset read without
    the schedule."""
    return _completed_on(_milestone_model(queryset))


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
        f"{p}completed_on": _completed_on(Milestone),
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
    intermediates, results = _expressions(queryset, on or clock.localdate())
    return queryset.alias(**intermediates).annotate(**results)


# The stored copy of today's figures: the columns of ``Project`` that hold each result, and their types.
STORED = {
    "expected_pct": "schedule_expected",
    "actual_pct": "schedule_actual",
    "variance": "schedule_variance",
    "late_milestones": "schedule_late",
    "is_behind": "schedule_behind",
    "completed_on": "schedule_completed_on",
}
_TYPES = {
    "expected_pct": FloatField,
    "actual_pct": FloatField,
    "variance": FloatField,
    "late_milestones": IntegerField,
    "is_behind": BooleanField,
    "completed_on": DateField,
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
    today = today or clock.localdate()
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


def _snapshot_model(queryset: QuerySet):
    return queryset.model.schedule_snapshots.rel.related_model


def annotate_past_schedule(queryset: QuerySet, *, on: datetime.date) -> QuerySet:
    """The five figures at a past date ``on``: read from the stored snapshots (``ScheduleSnapshot``) when
    every row of ``queryset`` has one for ``on`` — one join — and otherwise derived from the milestones
    (:func:`annotate_schedule`)."""
    Snapshot = _snapshot_model(queryset)  # noqa: N806 (a model class)
    without = ~Exists(Snapshot.objects.filter(project=OuterRef("pk"), on=on))
    if queryset.order_by().filter(without).exists():
        return annotate_schedule(queryset, on=on)
    snapshot = FilteredRelation("schedule_snapshots", condition=Q(schedule_snapshots__on=on))
    return queryset.annotate(snapshot_at=snapshot).annotate(
        **{name: F(f"snapshot_at__{name}") for name in STORED}
    )


def _derived_sql(queryset: QuerySet, on: datetime.date) -> tuple[str, tuple] | None:
    derived = annotate_schedule(queryset.order_by(), on=on).annotate(stored_pk=F("pk"))
    try:
        return derived.values("stored_pk", *STORED).query.sql_with_params()
    except EmptyResultSet:
        return None


def store_snapshots(queryset: QuerySet, *, on: datetime.date) -> None:
    """Derive the figures of the projects in ``queryset`` at ``on`` and store them as their snapshots of
    that date (insert or replace: one statement)."""
    derived = _derived_sql(queryset, on)
    if derived is None:
        return
    sql, params = derived
    quote = connection.ops.quote_name
    table = quote(_snapshot_model(queryset)._meta.db_table)
    names = ", ".join(quote(name) for name in STORED)
    replaced = ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in STORED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (project_id, {quote('on')}, {names}) "  # noqa: S608 (our own tables)
            f"SELECT d.stored_pk, %s, {', '.join(f'd.{name}' for name in STORED)} FROM ({sql}) AS d "
            # SQLite needs a WHERE to tell this SELECT's end from the upsert clause.
            f"WHERE true ON CONFLICT (project_id, {quote('on')}) DO UPDATE SET {replaced}",
            [on, *params],
        )


def keep_snapshots(queryset: QuerySet, *, dates: list[datetime.date]) -> None:
    """Snapshots of the projects in ``queryset`` at exactly ``dates``: those of other dates removed, the
    dates without any stored (the daily task, the demo seeder; :func:`store_schedule` keeps the dates that
    have them up to date)."""
    Snapshot = _snapshot_model(queryset)  # noqa: N806 (a model class)
    Snapshot.objects.exclude(on__in=dates).delete()
    present = set(Snapshot.objects.filter(on__in=dates).values_list("on", flat=True).distinct())
    for day in sorted(set(dates) - present):
        store_snapshots(queryset, on=day)


def store_schedule(queryset: QuerySet, *, on: datetime.date | None = None) -> int:
    """Derive today's figures of the projects in ``queryset`` and store them (with ``schedule_date``), and
    their snapshots of the past dates that are kept (a milestone done late changes the past too).
    Services call it in the transaction that changes milestones or status; a daily task calls it for
    every project, as the expected % moves with the date. One ``UPDATE … FROM`` the derived rows (23,600
    projects at 100× in one statement); returns the number of projects stored."""
    on = on or clock.localdate()
    derived = _derived_sql(queryset, on)
    if derived is None:
        return 0
    sql, params = derived
    quote = connection.ops.quote_name
    table = quote(queryset.model._meta.db_table)
    pk = quote(queryset.model._meta.pk.column)
    assignments = ", ".join(f"{quote(column)} = d.{name}" for name, column in STORED.items())
    with connection.cursor() as cursor:
        # The derived table names its columns after the annotations.
        cursor.execute(
            f"UPDATE {table} SET {assignments}, schedule_date = %s FROM ({sql}) AS d "  # noqa: S608
            f"WHERE {table}.{pk} = d.stored_pk",
            [on, *params],
        )
        stored = cursor.rowcount
    kept = _snapshot_model(queryset).objects.filter(on__lt=on).values_list("on", flat=True).distinct()
    for day in kept.order_by("on"):
        store_snapshots(queryset, on=day)
    return stored


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
