"""What the project pages show a visitor: figures that agree with the showcase, plain numbers, states that
say what happened (issue: found on a phone)."""

import datetime

import pytest
from django.utils import timezone

from jiangyan.core.roles import Role
from tests.factories import UserFactory
from tests.projects.factories import (
    DomainFactory,
    IndicatorFactory,
    MilestoneFactory,
    ProgramFactory,
    ProjectFactory,
    TargetGroupFactory,
)

pytestmark = pytest.mark.django_db


def _figures(client, url="/"):
    return client.get(url).context["project_figures"]


def test_home_page_counts_the_projects_the_showcase_lists(client):
    silver = TargetGroupFactory(name="老年")
    ProjectFactory.create_batch(3, target_groups=[silver])
    ProjectFactory(status="completed")
    ProjectFactory(is_public=False, target_groups=[silver])
    ProjectFactory(is_public=False, status="completed")
    figures = _figures(client)
    showcase = client.get("/projects/").context["page_obj"].paginator.count
    assert figures["total"] == showcase == 4
    assert (figures["completed"], figures["silver"]) == (1, 3)


def test_supervisor_home_counts_every_project_as_their_showcase_does(client_as):
    ProjectFactory()
    ProjectFactory(is_public=False)
    client = client_as(Role.SUPERVISOR)
    assert _figures(client)["total"] == client.get("/projects/").context["page_obj"].paginator.count == 2


def test_keyword_finds_projects_of_a_domain_or_program_by_its_name(client):
    ProjectFactory(title="老年助餐点", domain=DomainFactory(name="养老"))
    ProjectFactory(
        title="社区书屋", domain=DomainFactory(name="教育"), program=ProgramFactory(name="提质增效")
    )
    assert [p.title for p in client.get("/projects/?q=养老").context["projects"]] == ["老年助餐点"]
    assert [p.title for p in client.get("/projects/?q=提质增效").context["projects"]] == ["社区书屋"]


def test_project_page_names_program_and_key_task_without_repeating_them(client):
    project = ProjectFactory()
    page = client.get(project.get_absolute_url()).content.decode()
    assert "利民惠民（惠民）" not in page
    assert "重点任务" in page


def test_a_milestone_done_late_reads_done_late_and_an_undone_past_one_overdue(client):
    today = timezone.localdate()
    project = ProjectFactory()
    MilestoneFactory(project=project, planned_date=today - datetime.timedelta(days=20), done_date=today)
    MilestoneFactory(project=project, planned_date=today - datetime.timedelta(days=20))
    MilestoneFactory(project=project, planned_date=today, done_date=today)
    page = client.get(project.get_absolute_url()).content.decode()
    assert f"逾期完成 {today:%Y-%m-%d}" in page
    assert f"已完成 {today:%Y-%m-%d}" in page
    assert "已逾期" in page


def test_indicator_field_shows_the_target_as_people_write_it(client_as, unit):
    project = ProjectFactory(lead_unit=unit)
    IndicatorFactory(project=project, name="新建幼儿园", unit="所", target_value="90.00")
    client = client_as(UserFactory(roles=[Role.UNIT_STAFF], unit=unit))
    page = client.get(f"/projects/{project.code}/manage/").content.decode()
    assert "新建幼儿园（目标 90 所）" in page
    assert "90.00" not in page
