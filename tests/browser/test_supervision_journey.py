"""The supervision loop on a phone (390×844): a supervisor opens the dashboard, reads the draft ten-day
bulletin, approves and publishes it; an anonymous visitor then reads it at /bulletins/."""

import datetime

import pytest

from jiangyan.core.periods import last_complete
from jiangyan.core.roles import Role
from supervision import services
from supervision.choices import ReportKind, ReportStatus
from supervision.models import Report
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UnitFactory, UserFactory
from tests.supervision.conftest import behind_by


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_publishes_a_bulletin_from_a_phone_and_a_visitor_reads_it(
    phone_page, browser, live_server
):
    UserFactory(username="leader", roles=[Role.SUPERVISOR])
    xun = last_complete("tenday", datetime.date.today())
    project = behind_by(20, on=xun.end, unit=UnitFactory(name="区民政局"), title="敬老院提档升级")
    (bulletin,) = services.report_catch_up(kind=ReportKind.TENDAY)

    sign_in(phone_page, "leader", PASSWORD)
    phone_page.goto("/dashboard/")
    assert phone_page.locator("h1").inner_text().startswith("督查看板")  # · the campaign year shown
    phone_page.wait_for_selector(".chart canvas")  # ECharts drew from the aggregated JSON
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard scrolls sideways on a phone ({width}px)"
    phone_page.click("text=历次旬通报")
    phone_page.click(f"text={bulletin.title}")
    assert phone_page.locator(f"text={project.code}").count() >= 1
    phone_page.click("button:has-text('审核通过')")
    phone_page.wait_for_selector("text=报告已审核。")
    phone_page.click("button:has-text('向社会公布')")
    phone_page.wait_for_selector("text=通报已向社会公布。")
    assert Report.objects.get(pk=bulletin.pk).status == ReportStatus.PUBLISHED

    visitor = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, base_url=live_server.url
    )
    page = visitor.new_page()
    page.goto("/bulletins/")
    page.click(f"text={bulletin.title}")
    page.wait_for_url(f"**/bulletins/{bulletin.pk}/")
    assert page.locator("text=领办单位排名").count() == 1
    assert page.locator(f"text={project.title}").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    visitor.close()
