"""Journey 3 of the issue, in Chromium at 390×844: a resident finds a project in the showcase; unit staff post
a progress statement and mark a milestone done from their phone; the showcase shows the new percentage."""

import pytest
from django.utils import timezone

from jiangyan.core.roles import Role
from projects.models import Project
from tests.browser.conftest import shoot, sign_in
from tests.factories import PASSWORD, UnitFactory, UserFactory
from tests.projects.factories import project_with_milestones


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_filters_the_showcase_and_opens_a_project(phone_page):
    project_with_milestones(title="梦想小屋改造", code="JY2021-155")
    project_with_milestones(title="公益暑托班", code="JY2021-066")
    phone_page.goto("/projects/")
    phone_page.fill("input[name=q]", "梦想小屋")
    phone_page.locator("main form button[type=submit]").first.click()
    phone_page.wait_for_load_state()
    assert phone_page.locator("text=梦想小屋改造").count() >= 1
    assert phone_page.locator("text=公益暑托班").count() == 0
    phone_page.click("text=梦想小屋改造")
    phone_page.wait_for_url("**/projects/JY2021-155/")
    assert "梦想小屋改造" in phone_page.locator("h1").inner_text()
    shoot(phone_page, "project-page")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_unit_staff_report_progress_and_the_showcase_shows_the_new_percentage(phone_page):
    page = phone_page
    unit = UnitFactory(name="区教育局")
    UserFactory(username="liaison", roles=[Role.UNIT_STAFF], unit=unit)
    project = project_with_milestones(title="梦想小屋改造", code="JY2021-155", lead_unit=unit)
    second = project.milestones.order_by("planned_date")[1]

    page.goto("/projects/?q=梦想小屋")
    assert "实际 25%" in page.locator("main .project-row").inner_text()

    sign_in(page, "liaison", PASSWORD)
    page.goto("/projects/workspace/")
    shoot(page, "workspace")
    page.locator("table.workspace tr", has_text="梦想小屋改造").locator("a.btn").click()
    page.wait_for_url(f"**/projects/{project.code}/manage/")

    page.fill("#statement textarea[name=text]", "本周完成 20 户梦想小屋改造。")
    page.click("#statement button[type=submit]")
    page.wait_for_load_state()
    assert project.statements.filter(text__contains="20 户").exists()

    milestone = page.locator("#milestones li", has_text=second.name)
    milestone.locator("summary").click()
    milestone.locator("input[type=date]").fill(timezone.localdate().isoformat())
    milestone.locator("textarea").fill("第二批 40 户改造完成，验收表已归档。")
    shoot(page, "project-manage")
    milestone.locator("button[type=submit]").click()
    page.wait_for_load_state()
    second.refresh_from_db()
    assert second.done_date == timezone.localdate()

    page.context.clear_cookies()
    page.goto("/projects/?q=梦想小屋")
    assert "实际 50%" in page.locator("main .project-row").inner_text()
    page.goto(f"/projects/{project.code}/")
    assert "本周完成 20 户梦想小屋改造。" in page.locator("main").inner_text()
    assert Project.objects.with_schedule().get(pk=project.pk).actual_pct == 50
