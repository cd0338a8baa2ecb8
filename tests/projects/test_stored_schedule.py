"""Today's schedule figures are stored (cheap to read, filter and count) and always agree with the rule
derived from the milestones: refreshed by the services in their transaction and for every project by the
daily task; a row not refreshed today is derived instead of trusted."""

import datetime
import random

import pytest
import time_machine
from django.utils import timezone

from jiangyan.core.roles import Role
from projects import services
from projects.choices import ProjectStatus
from projects.models import Project, ScheduleSnapshot
from projects.schedule import STORED, annotate_schedule, keep_snapshots, store_schedule
from projects.tasks import refresh_schedules, snapshot_dates
from tests.factories import UserFactory

from .factories import MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db
FIGURES = list(STORED)


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def figures(queryset) -> dict[int, tuple]:
    return {p.pk: tuple(getattr(p, name) for name in FIGURES) for p in queryset}


def random_registry(n: int = 30) -> None:
    rng = random.Random(7)
    today = timezone.localdate()
    for _ in range(n):
        project = ProjectFactory(
            planned_start=today - datetime.timedelta(days=rng.randint(10, 200)),
            status=rng.choice(
                [ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.NOT_STARTED]
            ),
        )
        weights = rng.choice([[100], [50, 50], [20, 30, 50], [10, 20, 30, 40]])
        for weight in weights:
            planned = today + datetime.timedelta(days=rng.randint(-120, 120))
            done = planned + datetime.timedelta(days=rng.randint(-5, 20)) if rng.random() < 0.5 else None
            if done is not None and done > today:
                done = today
            MilestoneFactory(project=project, weight=weight, planned_date=planned, done_date=done)


def test_stored_figures_agree_with_the_derived_rule():
    random_registry()
    assert store_schedule(Project.objects.all()) == 30
    derived = figures(annotate_schedule(Project.objects.all()))
    current = figures(Project.objects.with_schedule())
    stored = {p.pk: tuple(getattr(p, STORED[name]) for name in FIGURES) for p in Project.objects.all()}
    assert current == derived
    assert stored == derived
    assert any(row[4] for row in derived.values()) and not all(row[4] for row in derived.values())


def test_lists_read_the_stored_figures_when_they_are_from_today():
    project = ProjectFactory()
    MilestoneFactory(
        project=project, weight=100, planned_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    store_schedule(Project.objects.filter(pk=project.pk))
    assert Project.objects.with_schedule().get(pk=project.pk).is_behind is True
    # Proof that the stored column is what is read: change it behind the rule's back.
    Project.objects.filter(pk=project.pk).update(schedule_behind=False, schedule_actual=42.0)
    read = Project.objects.with_schedule().get(pk=project.pk)
    assert (read.is_behind, read.actual_pct) == (False, 42.0)
    assert Project.objects.with_schedule().filter(is_behind=False, pk=project.pk).exists()


def test_figures_stored_on_another_day_are_not_trusted():
    project = ProjectFactory()
    MilestoneFactory(
        project=project, weight=100, planned_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    store_schedule(
        Project.objects.filter(pk=project.pk), on=timezone.localdate() - datetime.timedelta(days=60)
    )
    read = Project.objects.with_schedule().get(pk=project.pk)
    assert read.is_behind is True and read.expected_pct == 100.0  # derived for today, not the stale copy


def test_completing_a_milestone_stores_the_new_figures_in_the_same_transaction(unit):
    staff = UserFactory(roles=[Role.UNIT_STAFF], unit=unit)
    project = ProjectFactory(lead_unit=unit)
    today = timezone.localdate()
    first = MilestoneFactory(project=project, weight=40, planned_date=today - datetime.timedelta(days=20))
    MilestoneFactory(project=project, weight=60, planned_date=today + datetime.timedelta(days=200))
    services.milestone_complete(actor=staff, milestone=first, done_date=today, evidence="验收单")
    stored = Project.objects.get(pk=project.pk)
    assert stored.schedule_date == today
    assert (stored.schedule_actual, stored.schedule_behind) == (40.0, False)
    derived = annotate_schedule(Project.objects.filter(pk=project.pk)).get()
    assert stored.schedule_expected == pytest.approx(derived.expected_pct)


def test_the_daily_task_moves_the_expected_percentage_with_the_date():
    project = ProjectFactory(planned_start=datetime.date(2021, 5, 1), planned_end=datetime.date(2021, 12, 31))
    MilestoneFactory(project=project, weight=100, planned_date=datetime.date(2021, 9, 1))
    with time_machine.travel(datetime.datetime(2021, 6, 1, 0, 5, tzinfo=timezone.get_current_timezone())):
        refresh_schedules()
        june = Project.objects.get(pk=project.pk).schedule_expected
    with time_machine.travel(datetime.datetime(2021, 8, 1, 0, 5, tzinfo=timezone.get_current_timezone())):
        refresh_schedules()
        august = Project.objects.get(pk=project.pk)
        assert august.schedule_date == datetime.date(2021, 8, 1)
        assert Project.objects.with_schedule().get(pk=project.pk).expected_pct == august.schedule_expected
    assert 0 < june < august.schedule_expected < 100


def test_snapshots_of_past_dates_agree_with_the_rule_and_are_what_is_read():
    random_registry()
    day = days_ago(9)
    keep_snapshots(Project.objects.all(), dates=[day])
    derived = figures(annotate_schedule(Project.objects.all(), on=day))
    assert figures(Project.objects.with_schedule(on=day)) == derived
    # Proof that the snapshot is what is read: change one behind the rule's back.
    first = Project.objects.order_by("pk").first()
    ScheduleSnapshot.objects.filter(project=first, on=day).update(actual_pct=42.0)
    assert Project.objects.with_schedule(on=day).get(pk=first.pk).actual_pct == 42.0
    # A project without a snapshot of that day: the whole list is derived, never half-stored.
    ScheduleSnapshot.objects.filter(project=first, on=day).delete()
    assert figures(Project.objects.with_schedule(on=day)) == derived


def test_a_milestone_done_late_changes_the_stored_past_at_once(unit):
    staff = UserFactory(roles=[Role.UNIT_STAFF], unit=unit)
    project = ProjectFactory(lead_unit=unit)
    milestone = MilestoneFactory(project=project, weight=100, planned_date=days_ago(20))
    keep_snapshots(Project.objects.all(), dates=[days_ago(5)])
    assert Project.objects.with_schedule(on=days_ago(5)).get().actual_pct == 0.0
    services.milestone_complete(actor=staff, milestone=milestone, done_date=days_ago(10), evidence="验收单")
    assert ScheduleSnapshot.objects.get(project=project, on=days_ago(5)).actual_pct == 100.0
    assert Project.objects.with_schedule(on=days_ago(5)).get().actual_pct == 100.0


def test_the_daily_task_keeps_the_snapshots_of_the_last_periods_only():
    random_registry(5)
    ScheduleSnapshot.objects.create(
        project=Project.objects.first(),
        on=days_ago(400),
        expected_pct=0,
        actual_pct=0,
        variance=0,
        late_milestones=0,
        is_behind=False,
    )
    refresh_schedules()
    dates = set(ScheduleSnapshot.objects.values_list("on", flat=True))
    assert dates == set(snapshot_dates(timezone.localdate()))
    assert ScheduleSnapshot.objects.count() == 5 * len(dates)
