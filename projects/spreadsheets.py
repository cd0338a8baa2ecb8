"""Spreadsheets of the registry (openpyxl): the import template, reading an import, exporting a list and
the one-page ledger (一单一表) of a project.

The template and the export have three sheets — 项目, 节点, 指标 — read by their header names, so the export
of any list (which adds read-only schedule columns) imports again, as "no changes". The import also reads
the lists the district's offices keep (see "reading an import" below). The file speaks the source
language (Chinese) whatever the user's: headers, statuses and lookup names are the stored Chinese values,
so a workbook exported in the English UI imports like any other. Every cell is written through
``jiangyan.helpers.xlsx`` (people's text as text, never as a formula)."""

import calendar
import datetime
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from jiangyan.helpers import xlsx
from jiangyan.helpers.numbers import round_half_up, score
from jiangyan.helpers.text import fold, squeeze

from .choices import IMPORT_COLUMNS, ImportTarget, ProjectStatus

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
YES, NO = "是", "否"
LIST_SEPARATOR = "、"
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B5121B")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_ROWS = 20000
MAX_COLUMNS = 40  # what a sheet is read up to: a forged dimension of XFD columns costs nothing
# A 10 MB upload that unpacks to more is not a project list (20,000 rows of 14 columns are 17 MB). The import
# loads a workbook whole (merged cells and number formats need it), at some 20 times its unpacked size.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
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
    """Every sheet of a registry workbook laid out for print (``jiangyan.helpers.xlsx.print_ready``)."""
    for sheet in wb.worksheets:
        table = sheet.title in (PROJECT_SHEET, MILESTONE_SHEET, INDICATOR_SHEET)
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


# --- reading an import ------------------------------------------------------------------------------------
#
# Lists as the district's offices keep them: the header is found among the first rows (title and subtitle
# rows above it), over two rows when a group heading stands above its columns (计划时间 over 开始 / 完成);
# headers are matched loosely (``jiangyan.helpers.text.fold``) against the template's columns and the office's
# synonyms (``ImportSynonym``); merged cells are filled down; each sheet is a project, milestone or
# indicator sheet by its header (one sheet per 工程 is fine); blank, 合计 and 注 rows are skipped and 一、…
# rows are kept as the heading of the rows below. Nothing is dropped without a word: ``ImportBook.sheets``
# names every sheet not read, every column not used and every row skipped, and ``readings`` every value
# read otherwise than it is spelt.

PROJECTS, MILESTONES, INDICATORS = "projects", "milestones", "indicators"
SPACE_KINDS = {"project": PROJECTS, "milestone": MILESTONES, "indicator": INDICATORS}
PERIOD = IMPORT_COLUMNS[ImportTarget.PROJECT_PERIOD]  # start and end in one cell
CODE_COLUMNS = {PROJECTS: "编号", MILESTONES: "项目编号", INDICATORS: "项目编号"}
NAME_COLUMNS = {MILESTONES: "节点名称", INDICATORS: "指标名称"}  # a project sheet needs any one more column
HEADER_ROWS = 12  # the header is looked for in the first rows
DITTO = {"同上", "同前", "〃", '"', "”", "''"}
CODE_SHAPE = re.compile(r"[a-z0-9-]*\d[a-z0-9-]*")  # folded
NUMBERING = re.compile(r"^[(]?(?:[一二三四五六七八九十]+|\d{1,3})[)]?[、.,]?$")  # folded
TOTAL_ROW = re.compile(r"^\D{0,6}(?:合计|总计|小计|共计)")
NOTE_ROW = re.compile(r"^(?:(?:注|附注|备注|说明)[:\d(]|填表|填报|制表|审核|联系人|联系电话|单位负责人)")
YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


class SheetError(Exception):
    """The file is not a workbook the import can read (the message says why); ``book`` is what was read
    of it, when the reading got as far as its sheets."""

    def __init__(self, message: str, *, book: "ImportBook | None" = None):
        super().__init__(message)
        self.book = book


@dataclass
class Row:
    """A data row of a sheet: its 1-based row number and its cells by the import's column names (only the
    columns the sheet has: ``has(column)`` tells a missing column from an empty cell). ``labels`` are the
    sheet's own headers of those columns, ``percent`` the columns whose cell is formatted as a percentage,
    ``heading`` the 一、… row above it and ``year`` the year its sheet's title or name gives."""

    sheet: str
    number: int
    cells: dict
    labels: dict = field(default_factory=dict)
    percent: frozenset = frozenset()
    heading: str = ""
    heading_row: int = 0
    year: int | None = None
    order: int = 0  # of its sheet in the workbook

    def where(self) -> str:
        return _("「%(sheet)s」第 %(number)d 行") % {"sheet": self.sheet, "number": self.number}

    def has(self, column: str) -> bool:
        return column in self.cells

    def get(self, column: str):
        return self.cells.get(column)

    def label(self, column: str) -> str:
        """The column as the sheet heads it (牵头单位), for messages the clerk recognises."""
        return self.labels.get(column, column)

    @property
    def position(self) -> tuple[int, int]:
        return (self.order, self.number)


SKIPPED_LABELS = {
    "blank": gettext_lazy("空行"),
    "total": gettext_lazy("合计行"),
    "note": gettext_lazy("注释行"),
    "heading": gettext_lazy("分组标题行"),
    "numbered": gettext_lazy("只有未使用的列有内容"),
}


@dataclass
class Skipped:
    """Rows of a sheet that hold no project: ``kind`` is blank, total (合计), note (注), heading (一、…) or
    numbered (content only in unused columns, like a 序号 of an empty row)."""

    kind: str
    rows: list[int]
    text: str = ""

    @property
    def label(self) -> str:
        return str(SKIPPED_LABELS[self.kind])

    @property
    def where(self) -> str:
        return spans(self.rows)


@dataclass
class SheetRead:
    """How one sheet was read: as which kind (None: not read, ``reason`` says why), its header rows, the
    columns used (the import's name → the sheet's header), the headers not used, the rows skipped and the
    merged cells filled down (header, first row, last row)."""

    name: str
    order: int
    kind: str | None = None
    header: tuple[int, int] = (0, 0)
    columns: dict[str, str] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    merged: list[tuple[str, int, int]] = field(default_factory=list)
    year: int | None = None
    rows: int = 0
    reason: str = ""

    @property
    def renamed(self) -> list[tuple[str, str]]:
        """(header as written, column it is read as) where the two differ."""
        return [(label, column) for column, label in self.columns.items() if label != column]

    def skip(self, kind: str, number: int, text: str = "") -> None:
        last = self.skipped[-1] if self.skipped else None
        if last and last.kind == kind and kind in ("blank", "numbered") and last.rows[-1] == number - 1:
            last.rows.append(number)
        else:
            self.skipped.append(Skipped(kind, [number], text[:60]))


@dataclass
class Reading:
    """A value read otherwise than it is spelt: ``original`` in the cell → ``read`` (as the import takes
    it), in ``column`` (the sheet's header) of a row."""

    sheet: str
    number: int
    column: str
    original: str
    read: str
    order: int = 0

    @property
    def position(self) -> tuple[int, int]:
        return (self.order, self.number)


@dataclass
class ImportBook:
    """The rows of an uploaded workbook by kind, how each sheet was read, and the values read otherwise
    than spelt (``readings``: the reading's own, like 同上, and the import's)."""

    projects: list[Row] = field(default_factory=list)
    milestones: list[Row] = field(default_factory=list)
    indicators: list[Row] = field(default_factory=list)
    sheets: list[SheetRead] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The first year the workbook's titles or sheet names give."""
        return next((s.year for s in self.sheets if s.year), None)

    def note(self, row: Row, column: str, original, read) -> None:
        """Record that ``column`` of ``row``, spelt ``original``, is read as ``read``."""
        self.readings.append(
            Reading(row.sheet, row.number, row.label(column), squeeze_lines(original), str(read), row.order)
        )

    def sorted_readings(self) -> list[Reading]:
        return sorted(self.readings, key=lambda r: r.position)


def spans(numbers: list[int]) -> str:
    """Row numbers as 第 3、5–7 行."""
    numbers = sorted(numbers)
    parts, start, prev = [], numbers[0], numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = n
    return _("第 %(rows)s 行") % {"rows": "、".join(parts)}


def squeeze_lines(value) -> str:
    """A cell as shown in a note: its text, line breaks as spaces."""
    return " ".join(text(value).split())


class HeaderWords:
    """The headers a sheet of each kind may have, folded: the template's own and the office's synonyms
    (``(target, text)`` pairs of ``ImportSynonym``). A template header always means its own column."""

    def __init__(self, synonyms=()):
        self.words: dict[str, dict[str, str]] = {kind: {} for kind in SPACE_KINDS.values()}
        for target, word in synonyms:
            kind = SPACE_KINDS.get(target.partition(".")[0])
            if kind and target in IMPORT_COLUMNS:
                self.words[kind].setdefault(fold(word), IMPORT_COLUMNS[target])
        for target, column in IMPORT_COLUMNS.items():
            self.words[SPACE_KINDS[target.partition(".")[0]]][fold(column)] = column

    def column(self, kind: str, spellings) -> str | None:
        """The column a header spelt any of ``spellings`` is (the first that matches), tried also without a
        bracketed remark (权重（%） is 权重; 资金（万元） stays unknown) or a required-field star."""
        words = self.words[kind]
        for spelling in spellings:
            key = fold(spelling).strip("*:")
            bare = re.sub(r"\(.*?\)", "", key)
            for candidate in (key, bare):
                if candidate and candidate in words:
                    return words[candidate]
        return None


def _check_archive(upload) -> None:
    """Refuse an archive that unpacks to far more than a project list could (a zip bomb)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(
            _("无法读取该文件：它不是 .xlsx 工作簿。旧版 .xls 文件请先在 Excel 或 WPS 中另存为 .xlsx。")
        ) from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError(_("文件内容过大，不像项目清单，请检查后再上传。"))


def read_workbook(upload, *, synonyms=()) -> ImportBook:
    """Read every sheet of an uploaded workbook (see the notes above); SheetError when it cannot be read or
    no sheet of it is a project sheet."""
    _check_archive(upload)
    try:
        # Not read_only: merged cells and number formats (percent) are known only to a full load.
        wb = load_workbook(upload, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise SheetError(_("无法读取该文件，请上传 .xlsx 格式的项目清单。")) from exc
    words = HeaderWords(synonyms)
    book = ImportBook()
    try:
        for order, ws in enumerate(wb.worksheets):
            _read_sheet(_Grid(ws), order, words, book)
    finally:
        wb.close()
    if not any(s.kind == PROJECTS for s in book.sheets):
        raise SheetError(
            _("文件中没有项目表：各工作表的前 %(n)d 行中都没有“编号”和“项目名称”这样的表头。")
            % {"n": HEADER_ROWS},
            book=book,
        )
    year = book.year
    for row in book.projects + book.milestones + book.indicators:
        row.year = row.year or year
    return book


class _Grid:
    """One worksheet's values (rows × up to ``MAX_COLUMNS``), which numeric cells are formatted as a
    percentage, and its merged ranges (0-based first row, first column, last row, last column)."""

    def __init__(self, ws):
        self.name = ws.title
        self.values, self.percent = [], []
        # Up to the sheet's last column: openpyxl makes a cell for every position it is asked for.
        columns = min(ws.max_column, MAX_COLUMNS)
        for number, cells in enumerate(ws.iter_rows(max_col=columns), start=1):
            values = [c.value for c in cells]
            if number > MAX_ROWS + HEADER_ROWS:
                if any(v is not None for v in values):  # rows only formatted, far down, are no rows
                    raise SheetError(
                        _("“%(sheet)s”工作表超过 %(n)d 行。") % {"sheet": ws.title, "n": MAX_ROWS}
                    )
                continue
            self.values.append(values)
            self.percent.append(
                [
                    isinstance(v, int | float) and "%" in (c.number_format or "")
                    for v, c in zip(values, cells, strict=True)
                ]
            )
        while self.values and all(v is None for v in self.values[-1]):
            self.values.pop()
            self.percent.pop()
        self.width = max((len(v) for v in self.values), default=0)
        for row in self.values:
            row.extend([None] * (self.width - len(row)))
        for row in self.percent:
            row.extend([False] * (self.width - len(row)))
        self.merges = [
            (
                r.min_row - 1,
                r.min_col - 1,
                min(r.max_row, len(self.values)) - 1,
                min(r.max_col, self.width) - 1,
            )
            for r in ws.merged_cells.ranges
            if r.min_row <= len(self.values) and r.min_col <= self.width
        ]
        # Each cell of a merged range near the top → the range's top-left cell (headers are read there).
        self.top = {}
        for r1, c1, r2, c2 in self.merges:
            for r in range(r1, min(r2, HEADER_ROWS + 1) + 1):
                for c in range(c1, c2 + 1):
                    self.top[(r, c)] = (r1, c1)

        self.texts = [[squeeze(text(v)) if v is not None else "" for v in row] for row in self.values]

    def text(self, r: int, c: int) -> str:
        return self.texts[r][c]

    def own_text(self, r: int, c: int) -> str:
        """The text of cell (r, c) when it is its own cell or a merged range's top-left, else ''."""
        return self.text(r, c) if self.top.get((r, c), (r, c)) == (r, c) else ""


def _header_at(grid: _Grid, index: int, words: HeaderWords):
    """Row ``index`` (0-based) read as a header: (kind, columns {column: (label, col)}, unused [(label,
    column or None)], headed columns, last header row), or None. Over two rows when a group heading merged
    across columns stands above sub-headers (and the row below has text only under such headings or under
    empty cells)."""
    texts = [grid.own_text(index, c) for c in range(grid.width)]
    if len({t for t in texts if t}) < 2:
        return None  # a title, a subtitle, a blank row
    groups = {c for r1, c1, r2, c2 in grid.merges if r1 == index == r2 and c2 > c1 for c in range(c1, c2 + 1)}
    below = index + 1 < len(grid.values) and [grid.own_text(index + 1, c) for c in range(grid.width)]
    two_rows = bool(
        groups
        and below
        and any(below[c] for c in groups)
        and all(c in groups or not texts[c] for c in range(grid.width) if below[c])
    )
    headers = []  # (col, label, spellings)
    for c in range(grid.width):
        top = grid.top.get((index, c), (index, c))
        if top[0] != index:
            continue  # under a merged cell from a row above
        parent = grid.text(*top)
        child = below[c] if two_rows else ""
        if child:
            # 计划时间 / 开始 is 计划开始, 责任单位 / 牵头单位 is 牵头单位, 时间 / 开始 is 开始时间
            spellings = (child, parent + child, child + parent, re.sub("(时间|日期)$", "", parent) + child)
            headers.append((c, f"{parent}/{child}" if parent else child, spellings))
        elif parent and top[1] == c:
            headers.append((c, parent, (parent,)))
    best = None
    for kind in (MILESTONES, INDICATORS, PROJECTS):
        columns, unused = {}, []
        for c, label, spellings in headers:
            column = words.column(kind, spellings)
            if column is None or column in columns:
                unused.append((label, column))
            else:
                columns[column] = (label, c)
        fits = CODE_COLUMNS[kind] in columns and (
            NAME_COLUMNS[kind] in columns if kind in NAME_COLUMNS else len(columns) >= 2
        )
        if fits and (best is None or len(columns) > len(best[1])):
            best = (kind, columns, unused, {c for c, _l, _s in headers}, index + two_rows)
    return best


def _read_sheet(grid: _Grid, order: int, words: HeaderWords, book: ImportBook) -> None:
    sheet = SheetRead(name=grid.name, order=order)
    book.sheets.append(sheet)
    if not any(grid.text(r, c) for r in range(len(grid.values)) for c in range(grid.width)):
        sheet.reason = _("空白工作表")
        return
    found, first = None, 0
    for index in range(min(HEADER_ROWS, len(grid.values))):
        candidate = _header_at(grid, index, words)
        if candidate and (found is None or len(candidate[1]) > len(found[1])):
            found, first = candidate, index
    if found is None:
        sheet.reason = _("前 %(n)d 行中没有可识别的表头（如“编号”“项目名称”）") % {"n": HEADER_ROWS}
        return
    kind, columns, unused, headed, last = found
    doubled = next(((label, column) for label, column in unused if column is not None), None)
    if doubled:
        raise SheetError(
            _("“%(sheet)s”工作表中“%(first)s”和“%(second)s”两列都读作“%(column)s”，请删去或改名其中一列。")
            % {
                "sheet": grid.name,
                "first": columns[doubled[1]][0],
                "second": doubled[0],
                "column": doubled[1],
            }
        )
    sheet.kind, sheet.header = kind, (first + 1, last + 1)
    sheet.columns = {column: label for column, (label, _c) in columns.items()}
    sheet.unused = [label for label, _column in unused]
    titles = " ".join(grid.text(r, c) for r in range(first) for c in range(grid.width))
    year = YEAR_IN_TEXT.search(titles) or YEAR_IN_TEXT.search(grid.name)
    sheet.year = int(year.group(1)) if year else None
    target = {PROJECTS: book.projects, MILESTONES: book.milestones, INDICATORS: book.indicators}[kind]
    target += _rows(grid, sheet, columns, headed, last + 1, book)


def _rows(
    grid: _Grid, sheet: SheetRead, columns: dict, headed: set, first: int, book: ImportBook
) -> list[Row]:
    """The data rows below the header; skipped rows, merged cells and 同上 noted on ``sheet`` and ``book``."""
    used = {c: column for column, (_label, c) in columns.items()}
    filled = {}  # (row, col) inside a merged range below its top → the top-left (row, col)
    for r1, c1, r2, _c2 in grid.merges:
        if r2 > r1 and r1 >= first:
            for r in range(r1 + 1, r2 + 1):
                filled[(r, c1)] = (r1, c1)
            if c1 in used:
                sheet.merged.append((sheet.columns[used[c1]], r1 + 1, r2 + 1))
    sheet.merged.sort(key=lambda m: (m[1], m[0]))
    code_col = columns[CODE_COLUMNS[sheet.kind]][1]
    rows, heading, heading_row, previous, headerless = [], "", 0, {}, set()
    last = max(
        (r for r in range(first, len(grid.values)) if any(grid.text(r, c) for c in range(grid.width))),
        default=first - 1,
    )  # blank rows after the last row of text are no rows of the list
    for index in range(first, last + 1):
        number = index + 1
        source = {c: filled.get((index, c), (index, c)) for c in range(grid.width)}
        texts = [(c, grid.text(*source[c])) for c in range(grid.width) if grid.text(*source[c])]
        if not texts:
            sheet.skip("blank", number)
            continue
        words = [t for _c, t in texts]
        if not CODE_SHAPE.fullmatch(fold(grid.text(*source[code_col]))):
            if any(TOTAL_ROW.match(fold(t)) for t in words[:3]):
                sheet.skip("total", number, " ".join(words))
                continue
            if NOTE_ROW.match(fold(words[0])):
                sheet.skip("note", number, words[0])
                continue
            if len({t for t in words if not NUMBERING.match(fold(t))}) == 1:
                heading, heading_row = "".join(words), number
                sheet.skip("heading", number, heading)
                continue
            if not any(c in used for c, _t in texts):
                sheet.skip("numbered", number, " ".join(words))
                continue
        headerless |= {c for c, _t in texts if c not in headed}
        cells, percent = {}, set()
        for c, column in used.items():
            r, cc = source[c]
            value = grid.values[r][cc]
            if squeeze(text(value)) in DITTO and column in previous:
                book.readings.append(
                    Reading(
                        sheet.name,
                        number,
                        sheet.columns[column],
                        text(value),
                        squeeze_lines(previous[column]),
                        sheet.order,
                    )
                )
                value = previous[column]
            elif grid.percent[r][cc]:
                percent.add(column)
            cells[column] = value
        previous = cells
        rows.append(
            Row(
                sheet=sheet.name,
                number=number,
                cells=cells,
                labels=sheet.columns,
                percent=frozenset(percent),
                heading=heading,
                heading_row=heading_row,
                year=sheet.year,
                order=sheet.order,
            )
        )
    sheet.rows = len(rows)
    sheet.unused += [
        _("第 %(column)s 列（无表头）") % {"column": get_column_letter(c + 1)} for c in sorted(headerless)
    ]
    return rows


# --- cell values ------------------------------------------------------------------------------------------


def text(value) -> str:
    """A cell as trimmed text (a whole number typed in a text column loses its ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def one_line(value: str) -> str:
    """Text of a one-line field without the line breaks that only wrapped it in its cell: gone between
    Chinese characters (改造\\n（罗塘街道） → 改造（罗塘街道）), a space between Latin words."""

    def join(match: re.Match) -> str:
        before, after = (
            match.string[match.start() - 1 : match.start()],
            match.string[match.end() : match.end() + 1],
        )
        return " " if before.isascii() and after.isascii() and before.isalnum() and after.isalnum() else ""

    return re.sub(r"[ \t\u3000]*[\r\n]+[ \t\u3000]*", join, value)


def has_control_characters(value: str) -> bool:
    return any((ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def split_list(value) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text(value)) if part]


# Dates. A month, a 旬 or a quarter alone is its last day for an end (计划完成 2021年12月 is 31 December) and
# its first for a start; 月底 and 年底 are the last day either way. A year left out is the year of the sheet.
DATE_PREFIX = re.compile(r"^(?:于|在|截至|截止到|截止|预计|计划|力争|争取|确保)")
DATE_SUFFIX = re.compile(r"(?:前|之前|以前|前后|左右|完成|完工|结束|为止|止)$")
CN_MONTH = re.compile(r"(十[一二]|[元一二三四五六七八九十])月")
CN_NUMBERS = {
    "元": 1,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
FULL_DATE = re.compile(r"(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?")
COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
MONTH = re.compile(r"(?:(\d{4})[-/.年](\d{1,2})|(\d{1,2})月)月?份?(底|末|初|上旬|中旬|下旬)?")
YEAR_PART = re.compile(
    r"(?:(\d{4})年?)?(年底|年末|底|年初|初|年内|内|全年|上半年|下半年|第?[一二三四1-4]季度)|(\d{4})年?"
)
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SERIALS = (36526, 73050)  # Excel's numbers of 2000-01-01 and 2099-12-31


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _cn_months(value: str) -> str:
    def digits(match: re.Match) -> str:
        word = match.group(1)
        number = 10 + CN_NUMBERS[word[1]] if len(word) == 2 else CN_NUMBERS[word]
        return f"{number}月"

    return CN_MONTH.sub(digits, value)


def _words_date(value: str, *, end: bool, year: int) -> datetime.date:
    """A date written in words or digits (folded); ValueError when it is none."""
    for pattern in (DATE_PREFIX, DATE_SUFFIX):
        while True:
            shorter = pattern.sub("", value)
            if shorter == value:
                break
            value = shorter
    if match := COMPACT_DATE.fullmatch(value) or FULL_DATE.fullmatch(value):
        y, m, d = match.groups()
        return datetime.date(int(y) if y else year, int(m), int(d))
    if match := MONTH.fullmatch(value):
        y, m1, m2, part = match.groups()
        y, m = (int(y) if y else year), int(m1 or m2)
        last = _month_end(y, m).day
        first_day, last_day = {
            None: (1, last),
            "份": (1, last),
            "底": (last, last),
            "末": (last, last),
            "初": (1, 10),
            "上旬": (1, 10),
            "中旬": (11, 20),
            "下旬": (21, last),
        }[part]
        return datetime.date(y, m, last_day if end else first_day)
    if match := YEAR_PART.fullmatch(value):
        y, part, alone = match.groups()
        y = int(y or alone or year)
        if part is None or part in ("年内", "内", "全年"):
            return datetime.date(y, 12, 31) if end else datetime.date(y, 1, 1)
        if part in ("年底", "年末", "底"):
            return datetime.date(y, 12, 31)
        if part in ("年初", "初"):
            return datetime.date(y, 1, 31) if end else datetime.date(y, 1, 1)
        if part == "上半年":
            return datetime.date(y, 6, 30) if end else datetime.date(y, 1, 1)
        if part == "下半年":
            return datetime.date(y, 12, 31) if end else datetime.date(y, 7, 1)
        quarter = QUARTERS[part.removeprefix("第")[0]]
        return _month_end(y, quarter * 3) if end else datetime.date(y, quarter * 3 - 2, 1)
    raise ValueError(value)


def read_date(value, *, end: bool, year: int) -> tuple[datetime.date, bool]:
    """A cell as a date between 2000 and 2100, and whether it was spelt otherwise than as a date (text other
    than 2021-05-01, a number). Reads date cells, Excel serials, 2021-3-31, 2021/3/31, 2021.3.31, 20210331,
    2021年3月31日, 2021年3月, 2021.3 (text or a number), 3月底前, 6月中旬, 十二月, 年底前, 上半年, 三季度 and
    full-width digits; ``end`` says which day a month or a quarter alone is. ValueError otherwise."""
    spelt = True
    if isinstance(value, datetime.datetime):
        value, spelt = value.date(), False
    elif isinstance(value, datetime.date):
        spelt = False
    elif isinstance(value, bool):
        raise ValueError(value)
    elif isinstance(value, int | float):
        number = round(value, 2)
        if SERIALS[0] <= number <= SERIALS[1] and float(number).is_integer():
            value = from_excel(int(number)).date()
        elif 2000 <= number < 2101 and not float(number).is_integer():
            y, _point, m = f"{number:.2f}".rstrip("0").partition(".")  # 2021.6 typed into a General cell
            value = _words_date(f"{y}.{m}", end=end, year=year)
        else:
            raise ValueError(value)
    else:
        raw = text(value)
        if ISO_DATE.fullmatch(raw):
            spelt = False
        folded = fold(raw)
        if folded.isdigit() and len(folded) == 5:
            value = from_excel(int(folded)).date()
        else:
            value = _words_date(_cn_months(folded), end=end, year=year)
    if not DATE_YEARS[0] <= value.year <= DATE_YEARS[1]:
        raise ValueError(value)
    return value, spelt


PERIOD_SEPARATORS = re.compile(r"至|到|~|～|—+|–|――")


def read_period(value, *, year: int) -> tuple[datetime.date | None, datetime.date]:
    """A cell giving start and end at once (2021.3—2021.12, 2021年4月-10月, 2021年5月至年底): the end's year,
    when left out, is the start's. One date alone is the end (年底前), with no start. ValueError otherwise."""
    if not isinstance(value, str):
        return None, read_date(value, end=True, year=year)[0]
    raw = unicodedata.normalize("NFKC", text(value))
    try:
        return None, read_date(raw, end=True, year=year)[0]
    except ValueError:
        pass
    parts = PERIOD_SEPARATORS.split(raw, maxsplit=1)
    splits = [(parts[0], parts[1])] if len(parts) == 2 else []
    splits += [(raw[:i], raw[i + 1 :]) for i, char in enumerate(raw) if char == "-"]
    for left, right in splits:
        try:
            start = read_date(left.strip(), end=False, year=year)[0]
            return start, read_date(right.strip(), end=True, year=start.year)[0]
        except ValueError:
            continue
    raise ValueError(value)


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


NUMBER_TEXT = re.compile(r"([+-]?\d+(?:\.\d+)?)(万)?(%|[^\d.%]{1,4})?")


@dataclass(frozen=True)
class Number:
    """A number read from a cell: its ``value``, a ``unit`` written after it (85所 → 所; % for a
    percentage) and whether it was spelt otherwise than as a plain number (``spelt``)."""

    value: Decimal
    unit: str = ""
    spelt: bool = False


def read_number(value, *, percent: bool = False) -> Number:
    """A cell as a number, as the sheet shows it: a cell formatted as a percentage (``percent``) holding 0.9
    is 90, text 90% or 90％ is 90, 3万 is 30000, 85所 is 85 (unit 所), full-width digits are digits.
    ValueError otherwise (``parse_decimal``'s limits hold)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = parse_decimal(value)
        if percent:
            return Number(parse_decimal(repr(round(float(value) * 100, 6))), "%", True)
        return Number(number)
    raw = text(value)
    folded = fold(raw).replace(",", "")
    match = NUMBER_TEXT.fullmatch(folded)
    if not match:
        return Number(parse_decimal(raw))  # raises, but only after the exponent check
    digits, ten_thousand, unit = match.groups()
    number = parse_decimal(digits)
    if ten_thousand:
        number *= 10000
    return Number(number, unit or "", spelt=folded != raw or bool(ten_thousand or unit))


def parse_weight(value, *, percent: bool = False) -> int:
    """A milestone weight: a whole number from 0 to 100 (20, 20%, a cell showing 20%); else ValueError."""
    number = read_number(value, percent=percent)
    if number.unit not in ("", "%"):
        raise ValueError
    if number.value != number.value.to_integral_value() or not 0 <= number.value <= 100:
        raise ValueError
    return int(number.value)


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
    the page (``jiangyan.helpers.numbers``)."""
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
