"""The import preview on a phone: an office list with everything a clerk's file has (title rows, merged
cells, abbreviations, 合计 and 注 rows) previews without sideways scrolling, each table a card per row, in
the standard and the large-text mode."""

import pytest

from tests.browser.conftest import shoot, sign_in
from tests.browser.measure import axe_violations
from tests.factories import PASSWORD, UserFactory
from tests.projects.office_files import MASTER, registry_before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("display", ["", "large"])
def test_the_preview_of_an_office_list_reads_on_a_phone(open_page, tmp_path, display):
    registry_before()
    UserFactory(username="office", roles=["admin"], is_staff=True)
    sheet = tmp_path / "区办清单.xlsx"
    sheet.write_bytes(MASTER.content())
    page = open_page(display=display)
    sign_in(page, "office", PASSWORD)
    page.goto("/projects/import/")
    page.set_input_files("input[type=file]", str(sheet))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("main button:has-text('确认导入')").count() == 1
    reading = page.locator(".import-reading")
    assert "未使用的列" in reading.inner_text() and "序号、备注" in reading.inner_text()
    readings = reading.locator(".import-readings li")
    assert readings.count() > 20 and "团区委 → 共青团姜堰区委" in readings.nth(1).inner_text()
    assert readings.first.bounding_box()["width"] > 300
    changes = page.locator("table.stack.import-changes tbody tr")  # JY2021-001, field by field
    assert changes.count() >= 4
    assert changes.first.bounding_box()["width"] > 300  # a card across the screen, not a squeezed row
    assert changes.first.locator("td[data-label]").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not axe_violations(page)
    shoot(page, f"office-import-preview{'-large' if display else ''}")
