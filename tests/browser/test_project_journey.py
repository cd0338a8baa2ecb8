"""Project registry journeys on a phone-sized screen: a resident finds a project in the showcase and a
lead-unit liaison reports progress on it."""

import pytest

from jiangyan.roles import Role
from projects.models import Project
from tests.browser.conftest import sign_in
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_unit_liaison_posts_a_progress_statement_from_a_phone(phone_page):
    unit = UnitFactory(name="区教育局")
    UserFactory(username="liaison", roles=[Role.UNIT_STAFF], unit=unit)
    project = project_with_milestones(title="梦想小屋改造", code="JY2021-155", lead_unit=unit)
    sign_in(phone_page, "liaison", PASSWORD)
    phone_page.goto("/projects/workspace/")
    phone_page.click("text=梦想小屋改造")
    if "/manage/" not in phone_page.url:
        phone_page.goto(f"/projects/{project.code}/manage/")
    phone_page.fill("#statement textarea[name=text]", "本周完成 20 户梦想小屋改造。")
    phone_page.click("#statement button[type=submit]")
    phone_page.wait_for_load_state()
    assert Project.objects.get(pk=project.pk).statements.filter(text__contains="20 户").exists()
    phone_page.goto(f"/projects/{project.code}/")
    assert phone_page.locator("text=本周完成 20 户梦想小屋改造。").count() >= 1
