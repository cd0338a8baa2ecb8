import datetime
import zoneinfo

import pytest

from projects.choices import ProjectStatus
from tests.factories import UnitFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 8) -> datetime.datetime:
    """A moment in Asia/Shanghai (what ``time_machine.travel`` is given)."""
    return datetime.datetime(year, month, day, hour, tzinfo=TZ)


def behind_by(points: int, *, on: datetime.date, unit=None, public: bool = True, **fields):
    """A project in progress exactly ``points`` percentage points behind at ``on``: one milestone of weight
    100 planned 100 days after its start, nothing done, started ``points`` days before ``on`` (so its
    expected progress at ``on`` is ``points`` %). ``points=0``: on schedule."""
    start = on - datetime.timedelta(days=points)
    project = ProjectFactory(
        planned_start=start,
        planned_end=start + datetime.timedelta(days=200),
        lead_unit=unit or UnitFactory(),
        is_public=public,
        **fields,
    )
    MilestoneFactory(project=project, planned_date=start + datetime.timedelta(days=100), weight=100)
    return project


def completed_on(day: datetime.date, **fields):
    """A completed project whose only milestone was done on ``day``."""
    project = ProjectFactory(
        planned_start=day - datetime.timedelta(days=90),
        planned_end=day + datetime.timedelta(days=10),
        status=ProjectStatus.COMPLETED,
        **fields,
    )
    MilestoneFactory(project=project, planned_date=day, weight=100, done_date=day)
    return project


@pytest.fixture
def supervisor_user(supervisor):
    return supervisor
