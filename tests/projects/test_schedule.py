"""The schedule-variance rule, checked on the database annotation with hand-computed cases."""

import datetime
import random

import pytest

from projects.choices import ProjectStatus
from projects.models import Project
from projects.schedule import schedule_in_python

from .factories import MilestoneFactory, ProjectFactory

D = datetime.date(2021, 7, 1)
pytestmark = pytest.mark.django_db


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2021, month, day)


def make(milestones, *, start=None, end=None, status=ProjectStatus.IN_PROGRESS) -> Project:
    start, end = start or d(5, 1), end or d(12, 31)
    project = ProjectFactory(planned_start=start, planned_end=end, status=status)
    for planned, weight, done in milestones:
        MilestoneFactory(project=project, planned_date=planned, weight=weight, done_date=done)
    return project


def schedule(project: Project, on: datetime.date = D) -> Project:
    return Project.objects.with_schedule(on=on).get(pk=project.pk)


def test_no_milestones_means_nothing_expected_nothing_done_and_not_behind():
    p = schedule(make([]))
    assert (p.expected_pct, p.actual_pct, p.variance, p.late_milestones, p.is_behind) == (0, 0, 0, 0, False)


def test_completed_project_without_milestones_counts_as_fully_done():
    p = schedule(make([], status=ProjectStatus.COMPLETED))
    assert (p.expected_pct, p.actual_pct, p.is_behind) == (0, 100, False)


def test_all_milestones_done_is_100_percent_on_schedule():
    p = schedule(make([(d(5, 1), 40, d(4, 28)), (d(6, 15), 60, d(6, 10))]))
    assert (p.expected_pct, p.actual_pct, p.variance, p.is_behind) == (100, 100, 0, False)


def test_unequal_weights_interpolate_linearly_towards_the_next_milestone():
    # 20 planned and done by 05-31; the next milestone (weight 50) is due 07-31: 31 of 61 days elapsed.
    p = schedule(make([(d(5, 31), 20, d(5, 30)), (d(7, 31), 50, None), (d(9, 30), 30, None)]))
    assert p.expected_pct == pytest.approx(20 + 50 * 31 / 61)  # 45.41
    assert p.actual_pct == 20
    assert p.variance == pytest.approx(20 - (20 + 50 * 31 / 61))
    assert p.late_milestones == 0
    assert p.is_behind  # 20 < 45.41 − 10


def test_before_the_first_milestone_interpolates_from_the_planned_start():
    # 15 of 30 days from the start (05-01) to the first milestone (05-31, weight 20): expected 10.
    p = schedule(make([(d(5, 31), 20, None), (d(9, 30), 80, None)]), on=d(5, 16))
    assert p.expected_pct == pytest.approx(10)
    assert p.actual_pct == 0
    assert not p.is_behind  # exactly 10 points behind is not more than the threshold


def test_a_milestone_8_days_late_makes_the_project_behind_even_with_a_small_point_gap():
    p = schedule(make([(d(6, 23), 5, None), (d(12, 31), 95, None)]))
    assert p.expected_pct == pytest.approx(5 + 95 * 8 / 191)  # 8.98: the point gap alone is not enough
    assert p.late_milestones == 1
    assert p.is_behind


def test_a_milestone_7_days_late_is_not_yet_behind():
    p = schedule(make([(d(6, 24), 5, None), (d(12, 31), 95, None)]))
    assert p.expected_pct == pytest.approx(5 + 95 * 7 / 190)
    assert p.late_milestones == 0
    assert not p.is_behind


def test_a_future_project_expects_nothing_yet():
    p = schedule(
        make([(d(10, 1), 50, None), (d(12, 1), 50, None)], start=d(9, 1), status=ProjectStatus.NOT_STARTED)
    )
    assert (p.expected_pct, p.actual_pct, p.late_milestones, p.is_behind) == (0, 0, 0, False)


def test_milestones_due_on_the_same_day_are_one_step():
    p = schedule(make([(d(6, 1), 40, d(6, 1)), (d(8, 1), 30, None), (d(8, 1), 30, None)]))
    assert p.expected_pct == pytest.approx(40 + 60 * 30 / 61)


def test_a_past_date_ignores_what_was_done_after_it():
    project = make([(d(6, 1), 50, d(6, 20)), (d(8, 1), 50, None)])
    p = schedule(project, on=d(6, 10))
    assert p.actual_pct == 0
    assert p.expected_pct == pytest.approx(50 + 50 * 9 / 61)
    assert p.late_milestones == 1 and p.is_behind
    assert not schedule(project, on=d(6, 21)).late_milestones


def test_thresholds_are_settings(settings):
    project = make([(d(5, 31), 20, d(5, 30)), (d(7, 31), 50, None), (d(9, 30), 30, None)])
    settings.PROJECT_BEHIND_POINTS = 30
    assert not schedule(project).is_behind
    late = make([(d(6, 23), 5, None), (d(12, 31), 95, None)])
    settings.PROJECT_MILESTONE_LATE_DAYS = 10
    assert not schedule(late).is_behind


def test_behind_filter_and_ordering_work_on_the_annotation():
    on_time = make([(d(5, 31), 50, d(5, 31)), (d(12, 31), 50, None)])
    late = make([(d(6, 1), 50, None), (d(12, 31), 50, None)])
    behind = Project.objects.with_schedule(on=D).filter(is_behind=True)
    assert list(behind.values_list("pk", flat=True)) == [late.pk]
    ordered = Project.objects.with_schedule(on=D).order_by("variance").values_list("pk", flat=True)
    assert list(ordered) == [late.pk, on_time.pk]


def test_database_annotation_equals_the_python_reference_on_random_projects():
    rng = random.Random(7)
    projects = []
    for _ in range(40):
        start = d(1, 1) + datetime.timedelta(days=rng.randint(0, 200))
        project = ProjectFactory(planned_start=start, planned_end=start + datetime.timedelta(days=400))
        rows = []
        for _ in range(rng.randint(0, 5)):
            planned = start + datetime.timedelta(days=rng.randint(-10, 300))
            done = planned + datetime.timedelta(days=rng.randint(-20, 20)) if rng.random() < 0.5 else None
            weight = rng.choice([5, 10, 20, 25, 40])
            MilestoneFactory(project=project, planned_date=planned, weight=weight, done_date=done)
            rows.append((planned, weight, done))
        projects.append((project, rows))
    for on in (d(3, 1), D, d(11, 15)):
        annotated = {p.pk: p for p in Project.objects.with_schedule(on=on)}
        for project, rows in projects:
            expected = schedule_in_python(milestones=rows, planned_start=project.planned_start, on=on)
            got = annotated[project.pk]
            assert got.expected_pct == pytest.approx(expected["expected_pct"]), (project.pk, rows, on)
            assert got.actual_pct == pytest.approx(expected["actual_pct"])
            assert got.late_milestones == expected["late_milestones"]
            assert got.is_behind == expected["is_behind"]
