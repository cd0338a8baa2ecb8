"""Spreadsheets of the registry (openpyxl): the import template, reading an import, exporting a list and
the one-page ledger (一单一表) of a project.

The workbook has three sheets — 项目, 节点, 指标 — read by their header names, so the export of any list
(which adds read-only schedule columns) can be imported again."""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

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
REQUIRED_PROJECT = {"编号", "项目名称", "工程", "领域", "领办单位", "计划开始", "计划完成"}
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
STATUS_BY_LABEL = {str(label): value for value, label in ProjectStatus.choices}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B5121B")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_ROWS = 20000


@dataclass
class Row:
    """A data row of a sheet: its 1-based row number and its cells by header name."""

    sheet: str
    number: int
    cells: dict

    def where(self) -> str:
        return f"「{self.sheet}」第 {self.number} 行"


@dataclass
class Workbook3:
    projects: list[Row] = field(default_factory=list)
    milestones: list[Row] = field(default_factory=list)
    indicators: list[Row] = field(default_factory=list)


class SheetError(Exception):
    """The file is not a workbook of the expected shape."""


def _style_header(ws, columns: list[str], widths: dict[str, int] | None = None) -> None:
    ws.append(columns)
    for index, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(index)].width = (widths or {}).get(
            name, max(10, len(name) * 2 + 4)
        )
    ws.freeze_panes = "A2"


def _new_workbook(*, schedule: bool = False) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = PROJECT_SHEET
    _style_header(
        ws, PROJECT_COLUMNS + (SCHEDULE_COLUMNS if schedule else []), {"项目名称": 36, "项目简介": 40}
    )
    _style_header(wb.create_sheet(MILESTONE_SHEET), MILESTONE_COLUMNS, {"节点名称": 30, "完成佐证": 30})
    _style_header(wb.create_sheet(INDICATOR_SHEET), INDICATOR_COLUMNS, {"指标名称": 30})
    return wb


def _to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_workbook(*, programs: list[str], domains: list[str], groups: list[str]) -> bytes:
    """The import template: three sheets with headers, one example project and a 说明 sheet."""
    wb = _new_workbook()
    ws = wb[PROJECT_SHEET]
    ws.append(
        [
            "JY2021-001",
            "梦想小屋改造",
            "为困难家庭学生改造学习生活空间",
            programs[0] if programs else "",
            domains[0] if domains else "",
            "、".join(groups[:1]),
            "区教育局",
            "区妇女联合会",
            "张局长",
            "罗塘街道",
            datetime.date(2021, 5, 1),
            datetime.date(2021, 12, 31),
            "是",
            "推进中",
        ]
    )
    status_list = DataValidation(
        type="list", formula1='"' + ",".join(STATUS_BY_LABEL) + '"', allow_blank=True
    )
    public_list = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(status_list)
    ws.add_data_validation(public_list)
    status_list.add("N2:N2000")
    public_list.add("M2:M2000")
    wb[MILESTONE_SHEET].append(["JY2021-001", "摸排对象、制定方案", datetime.date(2021, 6, 1), 20, None, ""])
    wb[MILESTONE_SHEET].append(["JY2021-001", "完成改造", datetime.date(2021, 10, 31), 60, None, ""])
    wb[MILESTONE_SHEET].append(["JY2021-001", "验收回访", datetime.date(2021, 12, 20), 20, None, ""])
    wb[INDICATOR_SHEET].append(["JY2021-001", "改造梦想小屋", "户", 155, 0])
    notes = wb.create_sheet("说明")
    for line in (
        "一、“项目”表每行一个项目，编号唯一；日期格式 2021-05-01；是否公开填“是”或“否”。",
        "二、工程填：" + "、".join(programs),
        "三、领域填：" + "、".join(domains),
        "四、服务对象可填多个，用顿号分隔：" + "、".join(groups),
        "五、领办单位、协办单位、实施镇街须与系统中的名称一致，多个用顿号分隔。",
        "六、“节点”表每行一个节点；同一项目各节点权重合计须为 100。",
        "七、“指标”表每行一个目标指标；目标值须大于 0。",
        "八、导入时全部行校验通过才会写入；任何一行有误，整表不写入，并逐行列出错误。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    for ws in wb.worksheets[:3]:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
    return _to_bytes(wb)


def read_workbook(upload) -> Workbook3:
    """Read the three sheets of an uploaded workbook into rows by header name."""
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise SheetError("无法读取该文件，请上传由模板填写的 .xlsx 文件。") from exc
    if PROJECT_SHEET not in wb.sheetnames:
        raise SheetError(f"文件中没有“{PROJECT_SHEET}”工作表，请使用导入模板。")
    result = Workbook3()
    for sheet, target, columns in (
        (PROJECT_SHEET, result.projects, PROJECT_COLUMNS),
        (MILESTONE_SHEET, result.milestones, MILESTONE_COLUMNS),
        (INDICATOR_SHEET, result.indicators, INDICATOR_COLUMNS),
    ):
        if sheet not in wb.sheetnames:
            continue
        rows = wb[sheet].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        missing = [c for c in columns[:2] if c not in header]
        if missing:
            raise SheetError(f"“{sheet}”工作表缺少表头：{'、'.join(missing)}。")
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS:
                raise SheetError(f"“{sheet}”工作表超过 {MAX_ROWS} 行。")
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            cells = {name: values[i] if i < len(values) else None for i, name in enumerate(header) if name}
            target.append(Row(sheet=sheet, number=number, cells=cells))
    wb.close()
    return result


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def split_list(value) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text(value)) if part]


def parse_date(value) -> datetime.date:
    """A cell as a date: an Excel date or text like 2021-05-01, 2021/5/1, 2021.5.1; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text(value))
    if not match:
        raise ValueError
    return datetime.date(*(int(g) for g in match.groups()))


def parse_decimal(value) -> Decimal:
    try:
        number = Decimal(text(value).replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite():
        raise ValueError
    return number


def _fmt_number(value) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def export_workbook(projects) -> bytes:
    """A list of projects (annotated ``with_schedule`` and prefetched) as the three importable sheets."""
    wb = _new_workbook(schedule=True)
    ws, wm, wi = wb[PROJECT_SHEET], wb[MILESTONE_SHEET], wb[INDICATOR_SHEET]
    for p in projects:
        ws.append(
            [
                p.code,
                p.title,
                p.summary,
                p.program.name,
                p.domain.name,
                "、".join(g.name for g in p.target_groups.all()),
                p.lead_unit.name,
                "、".join(u.name for u in p.cooperating_units.all()),
                p.responsible_leader,
                "、".join(t.name for t in p.towns.all()),
                p.planned_start,
                p.planned_end,
                "是" if p.is_public else "否",
                p.get_status_display(),
                round(p.expected_pct, 1),
                round(p.actual_pct, 1),
                round(p.variance, 1),
                "是" if p.is_behind else "否",
            ]
        )
        for m in p.milestones.all():
            wm.append([p.code, m.name, m.planned_date, m.weight, m.done_date, m.evidence])
        for i in p.indicators.all():
            wi.append([p.code, i.name, i.unit, _fmt_number(i.target_value), _fmt_number(i.current_value)])
    for sheet in (ws, wm):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
    return _to_bytes(wb)


def ledger_workbook(*, project, milestones, indicators, statements, averages: dict) -> bytes:
    """The one-page ledger (一单一表) of ``project`` (annotated ``with_schedule``), fitted to one A4 page."""
    wb = Workbook()
    ws = wb.active
    ws.title = "一单一表"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for col, width in zip("ABCDEF", (16, 22, 14, 14, 14, 22), strict=True):
        ws.column_dimensions[col].width = width
    ws.merge_cells("A1:F1")
    ws["A1"] = f"姜堰区“我为群众办实事”重点项目一单一表  {project.code}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    facts = [
        ("项目名称", project.title),
        ("工程 / 重点任务", f"{project.program.name} / {project.program.key_task.name}"),
        ("领域", project.domain.name),
        ("服务对象", "、".join(g.name for g in project.target_groups.all())),
        ("领办单位", project.lead_unit.name),
        ("协办单位", "、".join(u.name for u in project.cooperating_units.all())),
        ("责任领导", project.responsible_leader),
        ("实施地点", "、".join(t.name for t in project.towns.all())),
        ("计划周期", f"{project.planned_start:%Y-%m-%d} 至 {project.planned_end:%Y-%m-%d}"),
        ("状态", project.get_status_display()),
        (
            "序时进度 / 实际进度",
            f"{project.expected_pct:.1f}% / {project.actual_pct:.1f}%"
            + ("（滞后）" if project.is_behind else ""),
        ),
        ("评价均分", "；".join(f"{k} {v:.2f}" for k, v in averages.items()) or "暂无"),
        ("项目简介", project.summary),
    ]
    row = 2
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=6)
        ws.cell(row=row, column=2, value=value).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1

    def table(title: str, header: list[str], rows: list[list]) -> None:
        nonlocal row
        row += 1
        ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)
        row += 1
        for col, name in enumerate(header, start=1):
            cell = ws.cell(row=row, column=col, value=name)
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        for values in rows:
            row += 1
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row=row, column=col, value=value)
                cell.border = BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
        row += 1

    table(
        "目标指标",
        ["指标", "计量单位", "目标值", "当前值", "完成率"],
        [
            [i.name, i.unit, _fmt_number(i.target_value), _fmt_number(i.current_value), f"{i.percent}%"]
            for i in indicators
        ],
    )
    table(
        "序时节点",
        ["节点", "计划完成", "权重", "实际完成", "完成佐证"],
        [[m.name, m.planned_date, m.weight, m.done_date or "未完成", m.evidence] for m in milestones],
    )
    table(
        "最近进展",
        ["起始", "截止", "进展情况"],
        [[s.period_start, s.period_end, s.text[:200]] for s in statements],
    )
    ws.cell(row=row + 1, column=1, value=f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}")
    return _to_bytes(wb)
