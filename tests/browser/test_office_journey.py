"""Journey 5 of the issue, in Chromium at 390×844: the campaign office imports the project spreadsheet and
codes survey suggestions with the assistant.

The import page is being given a preview step (create / change before writing): ``_import`` clicks the
confirmation when the page shows one, so this journey holds before and after that change."""

import datetime

import pytest

from projects.models import Project
from surveys.models import Suggestion
from tests.browser.conftest import shoot, sign_in
from tests.factories import PASSWORD, TownFactory, UnitFactory, UserFactory
from tests.projects.factories import DomainFactory, ProgramFactory, TargetGroupFactory
from tests.projects.sheets import project_rows, workbook_bytes
from tests.surveys.factories import ProblemItemFactory, SuggestionFactory


def _import(page, path) -> None:
    page.goto("/projects/import/")
    page.set_input_files("input[type=file]", str(path))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    confirm = page.locator("[data-import-confirm], main form button:has-text('确认导入')")
    if confirm.count():  # the preview step: what will be created and changed, then confirm
        shoot(page, "office-import-preview")
        confirm.first.click()
        page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_imports_the_project_list_and_codes_suggestions_with_the_assistant(phone_page, tmp_path):
    page = phone_page
    UserFactory(username="office", roles=["admin"], is_staff=True)
    ProgramFactory(name="利民惠民")
    DomainFactory(name="养老")
    TargetGroupFactory(name="老年")
    TargetGroupFactory(name="低收入")
    unit, town = UnitFactory(name="区民政局"), TownFactory(name="罗塘街道")
    sheet = tmp_path / "projects.xlsx"
    rows = project_rows(3, unit=unit.name, town=town.name, start=datetime.date(2021, 4, 1))
    sheet.write_bytes(workbook_bytes(rows).getvalue())

    sign_in(page, "office", PASSWORD)
    _import(page, sheet)
    assert "导入完成：新建 3 个项目" in page.locator(".messages").inner_text()
    assert Project.objects.filter(code__startswith="JY2030-").count() == 3
    shoot(page, "office-after-import")

    lift = ProblemItemFactory(code="B-012", title="老旧小区加装电梯", keywords="加装电梯 爬楼梯 上下楼")
    ProblemItemFactory(code="B-020", title="小区路灯不亮", keywords="路灯 照明 晚上太黑")
    suggestion = SuggestionFactory(text="我家住六楼，老人每天爬楼梯太辛苦，希望给老小区装电梯")
    page.goto("/surveys/coding/")
    card = page.locator(f"#s{suggestion.pk}")
    first = card.locator(".candidates button").first
    assert "老旧小区加装电梯" in first.inner_text()
    shoot(page, "office-coding")
    first.click()
    page.wait_for_load_state()
    assert Suggestion.objects.get(pk=suggestion.pk).problem_item == lift
    assert page.locator(f"#s{suggestion.pk}").count() == 0  # coded: gone from the queue
