import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jiangyan.helpers.xlsx import (
    MAX_WIDTH,
    append,
    content_disposition,
    line_count,
    print_ready,
    put,
    row_height,
    rows_file,
    text_width,
    to_bytes,
    xlsx_response,
)

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


# --- laid out for print ---------------------------------------------------------------------------------


def test_a_cjk_character_counts_two_columns_and_long_text_takes_more_lines():
    assert text_width("JY2021-001") == 10 and text_width("一单一表") == 8 and text_width("A4纸") == 4
    assert line_count("短", 10) == 1
    assert line_count("一" * 40, 22) == 4  # 80 units in 20 usable a line
    assert line_count("第一行\n第二行", 50) == 2
    assert line_count("supercalifragilistic word", 12) >= 3  # a word longer than a line breaks anywhere


def _sheet(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "清单"
    for row in rows:
        append(sheet, row)
    return workbook, sheet


def test_a_sheet_is_laid_out_for_a4_with_its_header_on_every_page():
    summary = "为全区155户“事实孤儿”家庭的孩子改造温馨的学习生活空间，" * 4
    header = ["编号", "项目名称", "项目简介", "计划完成"]
    workbook, sheet = _sheet([header, ["JY2021-001", "梦想小屋", summary, datetime.date(2021, 12, 31)]])
    print_ready(sheet, title="实事项目清单")
    read = load_workbook(io.BytesIO(to_bytes(workbook))).active
    widths = {c: read.column_dimensions[c].width for c in "ABCD"}
    assert widths["A"] >= text_width("JY2021-001") and widths["B"] >= text_width("梦想小屋")
    assert widths["C"] == MAX_WIDTH and widths["D"] >= len("2021-12-31")
    assert read["C2"].alignment.wrap_text and read["D2"].number_format == "yyyy-mm-dd"
    lines = line_count(summary, widths["C"])
    assert lines > 1 and read.row_dimensions[2].height >= row_height(lines) > read.row_dimensions[1].height
    assert read.print_title_rows == "$1:$1" and read.freeze_panes == "A2"
    setup = read.page_setup
    assert (int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (9, 1, 0)  # 9: A4
    assert read.sheet_properties.pageSetUpPr.fitToPage and read.print_options.gridLines
    assert "实事项目清单" in read.oddHeader.center.text and "&P" in read.oddFooter.center.text


def test_a_wide_table_is_landscape_and_a_narrow_one_portrait():
    _wb, narrow = _sheet([["项目", "值"], ["实事项目", 236]])
    print_ready(narrow, title="t")
    _wb, wide = _sheet([[f"第{n}列" for n in range(14)], ["较长的一段文字内容" * 2] * 14])
    print_ready(wide, title="t")
    assert narrow.page_setup.orientation == "portrait" and wide.page_setup.orientation == "landscape"


def test_a_streamed_sheet_sizes_its_columns_on_its_first_rows_and_every_row_on_its_text():
    moment = timezone.make_aware(datetime.datetime(2021, 6, 1, 23, 30))  # Jiangyan time
    long = "群众反映小区路灯不亮，晚上出行不便，希望尽快维修。" * 5
    rows = [[moment, "区民政局", "短"], [moment, "区民政局", long]] + [[moment, "x", "y"]] * 3
    with rows_file(["时间", "单位", "内容"], iter(rows), title="操作记录", heading="平台操作记录") as spool:
        read = load_workbook(spool).active
    assert read["A2"].value == datetime.datetime(2021, 6, 1, 23, 30)
    assert read["A2"].number_format == "yyyy-mm-dd hh:mm" and read.column_dimensions["A"].width >= 16
    assert read["C3"].alignment.wrap_text and not read["C2"].alignment.wrap_text
    assert read.row_dimensions[3].height >= row_height(line_count(long, read.column_dimensions["C"].width))
    assert read.row_dimensions[2].height == row_height(1)
    assert read.print_title_rows == "$1:$1" and "平台操作记录" in read.oddHeader.center.text
