import io

import pytest
from openpyxl import Workbook, load_workbook

from jiangyan.xlsx import append, content_disposition, put, to_bytes, xlsx_response

DANGEROUS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]


@pytest.mark.parametrize("write_only", [False, True])
def test_text_that_looks_like_a_formula_is_written_as_text_and_reads_back_unchanged(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("t") if write_only else workbook.active
    append(sheet, [*DANGEROUS, 42, "普通文字"])
    if not write_only:
        put(sheet, row=2, column=1, value="=cmd|' /C calc'!A0")
    read = load_workbook(io.BytesIO(to_bytes(workbook)))
    cells = list(read.worksheets[0].iter_rows(values_only=False))[0]
    assert [c.value for c in cells] == [*DANGEROUS, 42, "普通文字"]
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    assert all(c.quotePrefix for c in cells[: len(DANGEROUS)])
    if not write_only:
        assert read.worksheets[0].cell(row=2, column=1).data_type == "s"


def test_download_name_is_kept_in_chinese_with_an_ascii_fallback():
    header = content_disposition("JY2021-001-一单一表.xlsx")
    assert header.startswith('attachment; filename="JY2021-001-____.xlsx"; ')
    assert "filename*=UTF-8''JY2021-001-%E4%B8%80%E5%8D%95%E4%B8%80%E8%A1%A8.xlsx" in header
    response = xlsx_response(Workbook(), "实事项目清单.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content))
