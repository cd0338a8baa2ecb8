"""Spreadsheets of the registry (openpyxl): the import template, reading an import, exporting a list and
the one-page ledger (一单一表) of a project.

The workbook has three sheets — 项目, 节点, 指标 — read by their header names, so the export of any list
(which adds read-only schedule columns) imports again, as "no changes". The file speaks the source
language (Chinese) whatever the user's: headers, statuses and lookup names are the stored Chinese values,
so a workbook exported in the English UI imports like any other. Every cell is written through
``jiangyan.xlsx`` (people's text as text, never as a formula)."""

import datetime
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from jiangyan import xlsx
from jiangyan.numbers import round_half_up, score

from .choices import ProjectStatus

PROJECT_SHEET, MILESTONE_SHEET, INDICATOR_SHEET = "项目", "节点", "指标"
PROJECT_COLUMNS = [
    "编号",
    "项目名称",
    "项目简介",
    "工程",
    "领域",
    "服务对象",
    "领办单位",
    "协办单位",
    "责任领导",
    "实施镇街",
    "计划开始",
    "计划完成",
    "是否公开",
    "状态",
]
SCHEDULE_COLUMNS = ["序时进度(%)", "实际进度(%)", "偏差(百分点)", "是否滞后"]
MILESTONE_COLUMNS = ["项目编号", "节点名称", "计划完成日期", "权重", "实际完成日期", "完成佐证"]
INDICATOR_COLUMNS = ["项目编号", "指标名称", "计量单位", "目标值", "当前值"]
SHEETS = {
    PROJECT_SHEET: PROJECT_COLUMNS,
    MILESTONE_SHEET: MILESTONE_COLUMNS,
    INDICATOR_SHEET: INDICATOR_COLUMNS,
}
YES, NO = "是", "否"
LIST_SEPARATOR = "、"
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B5121B")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_ROWS = 20000
MAX_COLUMNS = 40  # what a sheet is read up to: a forged dimension of XFD columns costs nothing
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a 10 MB upload that unpacks to more is not a project list
# Numbers of the registry are below 10^12 with two decimals; a cell like 1e10000000 is refused before
# anything computes with it (an int() of it would keep a worker busy for minutes).
MAX_MAGNITUDE = 15
NOTES_WIDTH = 80  # the template's 说明: one column as wide as a portrait page
DATE_YEARS = (2000, 2100)


def status_labels() -> dict[str, str]:
    """``{value: 未启动 …}`` in the source language, whatever language is active."""
    with translation.override(None):
        return {value: str(label) for value, label in ProjectStatus.choices}


def status_by_label() -> dict[str, str]:
    return {label: value for value, label in status_labels().items()}


@dataclass
class Row:
    """A data row of a sheet: its 1-based row number and its cells by header name (only the columns the
    sheet has: ``has(column)`` tells a missing column from an empty cell)."""

    sheet: str
    number: int
    cells: dict

    def where(self) -> str:
        return _("「%(sheet)s」第 %(number)d 行") % {"sheet": self.sheet, "number": self.number}

    def has(self, column: str) -> bool:
        return column in self.cells

    def get(self, column: str):
        return self.cells.get(column)


@dataclass
class Workbook3:
    """The rows of the three sheets; ``present`` names the sheets the file has."""

    projects: list[Row] = field(default_factory=list)
    milestones: list[Row] = field(default_factory=list)
    indicators: list[Row] = field(default_factory=list)
    present: set[str] = field(default_factory=set)


class SheetError(Exception):
    """The file is not a workbook of the expected shape."""


def _style_header(ws, columns: list[str]) -> None:
    xlsx.append(ws, columns)
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _new_workbook(*, schedule: bool = False) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = PROJECT_SHEET
    _style_header(ws, PROJECT_COLUMNS + (SCHEDULE_COLUMNS if schedule else []))
    _style_header(wb.create_sheet(MILESTONE_SHEET), MILESTONE_COLUMNS)
    _style_header(wb.create_sheet(INDICATOR_SHEET), INDICATOR_COLUMNS)
    return wb


def _print_ready(wb: Workbook, title: str) -> None:
    """Every sheet of a registry workbook laid out for print (``jiangyan.xlsx.print_ready``)."""
    for sheet in wb.worksheets:
        table = sheet.title in SHEETS
        xlsx.print_ready(
            sheet,
            title=f"{title} · {sheet.title}",
            header_rows=1 if table else 0,
            widths=None if table else {1: NOTES_WIDTH},
        )


def _prefer(names: list[str], *wanted: str) -> str:
    """The first of ``wanted`` that exists in ``names``, else the first name (empty if none)."""
    return next((w for w in wanted if w in names), names[0] if names else "")


def template_workbook(
    *,
    programs: list[str],
    domains: list[str],
    groups: list[str],
    units: list[str],
    towns: list[str],
    example_code: str,
    year: int,
) -> bytes:
    """The import template: three sheets with headers, one example project and a 说明 sheet. The example
    uses a code free in the registry (``example_code``) and names that exist in it, so the untouched
    template imports cleanly."""
    with translation.override(None):
        labels = status_labels()
        wb = _new_workbook()
        ws = wb[PROJECT_SHEET]
        lead = _prefer(units, "共青团姜堰区委", "区教育局")
        xlsx.append(
            ws,
            [
                example_code,
                "“梦想小屋”改造（示例）",
                "为困境家庭青少年改造温馨的学习生活空间",
                _prefer(programs, "利民惠民"),
                _prefer(domains, "教育"),
                _prefer(groups, "青少年"),
                lead,
                "、".join(u for u in ("区民政局", "区妇女联合会") if u in units and u != lead),
                "张三",
                _prefer(towns, "罗塘街道"),
                datetime.date(year, 3, 1),
                datetime.date(year, 12, 31),
                YES,
                labels[ProjectStatus.NOT_STARTED],
            ],
        )
        status_list = DataValidation(
            type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=True
        )
        public_list = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        ws.add_data_validation(status_list)
        ws.add_data_validation(public_list)
        status_list.add("N2:N2000")
        public_list.add("M2:M2000")
        for name, day, weight in (
            ("摸排对象、制定方案", datetime.date(year, 4, 1), 20),
            ("完成改造", datetime.date(year, 10, 31), 60),
            ("验收回访", datetime.date(year, 12, 20), 20),
        ):
            xlsx.append(wb[MILESTONE_SHEET], [example_code, name, day, weight, None, ""])
        xlsx.append(wb[INDICATOR_SHEET], [example_code, "改造梦想小屋", "户", 155, 0])
        notes = wb.create_sheet("说明")
        for line in (
            "一、“项目”表每行一个项目。编号由字母、数字和连字符组成（如 JY2021-001）；"
            "表中编号已在项目库的项目将按表更新，其余新建；表中没有的项目保持不变，不会删除。",
            "二、工程填：" + "、".join(programs),
            "三、领域填：" + "、".join(domains),
            "四、服务对象可填多个，用顿号分隔：" + "、".join(groups),
            "五、领办单位、协办单位、实施镇街须与系统中的名称一致，多个用顿号分隔。",
            "六、日期格式 2021-05-01；是否公开填“是”或“否”；状态填 " + "、".join(labels.values()) + "。",
            "七、“节点”表每行一个节点，同一项目各节点权重合计须为 100；按节点名称对应已有节点。"
            "列出某项目的节点时，表中没有的该项目节点将被删除（预览中逐条列出；已完成的节点不能删除）。",
            "八、“指标”表每行一个目标指标，目标值须大于 0；按指标名称对应已有指标，规则同节点。",
            "九、实际完成日期、完成佐证、当前值留空表示沿用系统中的记录。",
            "十、上传后先预览将新建和修改的内容，确认后才写入；任何一行有误，整表不写入，并逐行列出错误。",
        ):
            xlsx.append(notes, [line])
        _print_ready(wb, "实事项目导入模板")
        return xlsx.to_bytes(wb)


def _check_archive(upload) -> None:
    """Refuse an archive that unpacks to far more than a project list could (a zip bomb)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(_("无法读取该文件，请上传由模板填写的 .xlsx 文件。")) from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError(_("文件内容过大，不像项目清单，请检查后再上传。"))


def read_workbook(upload) -> Workbook3:
    """Read the three sheets of an uploaded workbook into rows by header name."""
    _check_archive(upload)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise SheetError(_("无法读取该文件，请上传由模板填写的 .xlsx 文件。")) from exc
    try:
        if PROJECT_SHEET not in wb.sheetnames:
            raise SheetError(_("文件中没有“%(sheet)s”工作表，请使用导入模板。") % {"sheet": PROJECT_SHEET})
        result = Workbook3()
        for sheet, target in (
            (PROJECT_SHEET, result.projects),
            (MILESTONE_SHEET, result.milestones),
            (INDICATOR_SHEET, result.indicators),
        ):
            if sheet not in wb.sheetnames:
                continue
            result.present.add(sheet)
            _read_sheet(wb[sheet], sheet, SHEETS[sheet], target)
    finally:
        wb.close()
    return result


def _read_sheet(ws, sheet: str, columns: list[str], target: list[Row]) -> None:
    rows = ws.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    missing = [c for c in columns[:2] if c not in header]
    if missing:
        raise SheetError(
            _("“%(sheet)s”工作表缺少表头：%(columns)s。") % {"sheet": sheet, "columns": "、".join(missing)}
        )
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        raise SheetError(
            _("“%(sheet)s”工作表的表头重复：%(columns)s。")
            % {"sheet": sheet, "columns": "、".join(duplicated)}
        )
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise SheetError(_("“%(sheet)s”工作表超过 %(n)d 行。") % {"sheet": sheet, "n": MAX_ROWS})
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        cells = {
            name: values[i] if i < len(values) else None for i, name in enumerate(header) if name in columns
        }
        target.append(Row(sheet=sheet, number=number, cells=cells))


def text(value) -> str:
    """A cell as trimmed text (a whole number typed in a text column loses its ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def has_control_characters(value: str) -> bool:
    return any((ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def split_list(value) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text(value)) if part]


def parse_date(value) -> datetime.date:
    """A cell as a date: an Excel date or text like 2021-05-01, 2021/5/1, 2021.5.1 between 2000 and 2100;
    ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text(value))
        if not match:
            raise ValueError
        value = datetime.date(*(int(g) for g in match.groups()))
    if not DATE_YEARS[0] <= value.year <= DATE_YEARS[1]:
        raise ValueError
    return value


def parse_decimal(value) -> Decimal:
    """A cell as a finite number of at most ``MAX_MAGNITUDE`` digits before the point; ValueError otherwise.
    Checked on the decimal's exponent, before anything computes with the number."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        # Excel keeps binary floats: 0.1 + 0.2 is 0.30000000000000004. Six decimals are plenty here.
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
        raw = repr(round(value, 6))
    else:
        raw = text(value).replace(",", "")
    if len(raw) > 40:
        raise ValueError
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite() or (number and not -MAX_MAGNITUDE <= number.adjusted() <= MAX_MAGNITUDE):
        raise ValueError
    return number


def parse_weight(value) -> int:
    """A milestone weight: a whole number from 0 to 100; ValueError otherwise."""
    number = parse_decimal(value)
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValueError
    return int(number)


def _fmt_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _one_place(value) -> float | None:
    rounded = round_half_up(value, 1)
    return None if rounded is None else float(rounded)


def export_workbook(projects) -> bytes:
    """A list of projects (annotated ``with_schedule`` and prefetched) as the three importable sheets."""
    with translation.override(None):
        labels = status_labels()
        wb = _new_workbook(schedule=True)
        ws, wm, wi = wb[PROJECT_SHEET], wb[MILESTONE_SHEET], wb[INDICATOR_SHEET]
        for p in projects:
            xlsx.append(
                ws,
                [
                    p.code,
                    p.title,
                    p.summary,
                    p.program.name,
                    p.domain.name,
                    LIST_SEPARATOR.join(g.name for g in p.target_groups.all()),
                    p.lead_unit.name,
                    LIST_SEPARATOR.join(u.name for u in p.cooperating_units.all()),
                    p.responsible_leader,
                    LIST_SEPARATOR.join(t.name for t in p.towns.all()),
                    p.planned_start,
                    p.planned_end,
                    YES if p.is_public else NO,
                    labels[p.status],
                    _one_place(p.expected_pct),
                    _one_place(p.actual_pct),
                    _one_place(p.variance),
                    YES if p.is_behind else NO,
                ],
            )
            for m in p.milestones.all():
                xlsx.append(wm, [p.code, m.name, m.planned_date, m.weight, m.done_date, m.evidence])
            for i in p.indicators.all():
                xlsx.append(
                    wi, [p.code, i.name, i.unit, _fmt_number(i.target_value), _fmt_number(i.current_value)]
                )
        _print_ready(wb, "实事项目清单")
        return xlsx.to_bytes(wb)


LEDGER_WIDTHS = {1: 13, 2: 19, 3: 11, 4: 11, 5: 11, 6: 19}  # six columns on a portrait A4 page
LEDGER_STATEMENTS = 3  # the latest statements, as on the printed page


def ledger_workbook(*, project, milestones, indicators, statements, averages: dict) -> bytes:
    """The one-page ledger (一单一表) of ``project`` (annotated ``with_schedule``): a portrait A4 form,
    every text wrapped inside the page. A document for people, in their language; figures rounded as on
    the page (``jiangyan.numbers``)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("一单一表")
    last = len(LEDGER_WIDTHS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    title = xlsx.put(
        ws,
        row=1,
        column=1,
        value=_("姜堰区“我为群众办实事”重点项目一单一表  %(code)s") % {"code": project.code},
    )
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    progress = _("%(expected)s / %(actual)s") % {
        "expected": f"{round_half_up(project.expected_pct, 1)}%",
        "actual": f"{round_half_up(project.actual_pct, 1)}%",
    }
    facts = [
        (_("项目名称"), project.title),
        (_("工程 / 重点任务"), f"{project.program.name} / {project.program.key_task.name}"),
        (_("领域"), project.domain.name),
        (_("服务对象"), LIST_SEPARATOR.join(g.name for g in project.target_groups.all())),
        (_("领办单位"), project.lead_unit.name),
        (_("协办单位"), LIST_SEPARATOR.join(u.name for u in project.cooperating_units.all())),
        (_("责任领导"), project.responsible_leader),
        (_("实施地点"), LIST_SEPARATOR.join(t.name for t in project.towns.all())),
        (
            _("计划周期"),
            _("%(start)s 至 %(end)s")
            % {"start": f"{project.planned_start:%Y-%m-%d}", "end": f"{project.planned_end:%Y-%m-%d}"},
        ),
        (_("状态"), project.get_status_display()),
        (_("序时进度 / 实际进度"), progress + (_("（滞后）") if project.is_behind else "")),
        (_("评价均分"), "；".join(f"{k} {score(v)}" for k, v in averages.items()) or _("暂无")),
        (_("项目简介"), project.summary),
    ]
    row = 2
    for label, value in facts:
        cell = xlsx.put(ws, row=row, column=1, value=label)
        cell.font, cell.border = Font(bold=True), BORDER
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=last)
        xlsx.put(ws, row=row, column=2, value=value).border = BORDER
        row += 1

    def table(title: str, header: list[str], rows: list[list], spans: list[int]) -> None:
        """A titled table whose columns span ``spans`` sheet columns each (together the six)."""
        nonlocal row
        row += 1
        xlsx.put(ws, row=row, column=1, value=title).font = Font(bold=True, size=12)
        for values, is_header in [(header, True), *((r, False) for r in rows)]:
            row += 1
            column = 1
            for value, span in zip(values, spans, strict=True):
                if span > 1:
                    ws.merge_cells(
                        start_row=row, start_column=column, end_row=row, end_column=column + span - 1
                    )
                cell = xlsx.put(ws, row=row, column=column, value=value)
                cell.border = BORDER
                if is_header:
                    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
                column += span
        row += 1

    table(
        _("目标指标"),
        [_("指标"), _("计量单位"), _("目标值"), _("当前值"), _("完成率")],
        [
            [i.name, i.unit, _fmt_number(i.target_value), _fmt_number(i.current_value), f"{i.percent}%"]
            for i in indicators
        ],
        [2, 1, 1, 1, 1],
    )
    table(
        _("序时节点"),
        [_("节点"), _("计划完成"), _("权重"), _("实际完成"), _("完成佐证")],
        [[m.name, m.planned_date, m.weight, m.done_date or _("未完成"), m.evidence] for m in milestones],
        [2, 1, 1, 1, 1],
    )
    table(
        _("最近进展"),
        [_("起始"), _("截止"), _("进展情况")],
        [[s.period_start, s.period_end, s.text] for s in statements[:LEDGER_STATEMENTS]],
        [1, 1, 4],
    )
    xlsx.put(
        ws,
        row=row + 1,
        column=1,
        value=_("打印时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
    )
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=last)
    xlsx.print_ready(
        ws,
        title=_("%(code)s 一单一表") % {"code": project.code},
        header_rows=0,
        widths=LEDGER_WIDTHS,
        pages_down=1,  # 一单一表: one sheet of paper, however long the write-up
        gridlines=False,
    )
    return xlsx.to_bytes(wb)
