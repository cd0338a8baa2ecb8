"""Spreadsheet downloads, written one way everywhere.

* People's text is written as text, never as a formula: a survey answer or a milestone's evidence that
  begins with ``=``, ``+``, ``-`` or ``@`` is stored as a string cell with Excel's quote prefix, so it is
  neither evaluated on opening nor turned into a formula when somebody edits the cell — and it reads back
  unchanged (an export imports back as it was).
* Every sheet prints (:func:`print_ready` for a sheet built in memory, :func:`rows_file` for one streamed
  row by row): columns as wide as their content (a CJK character counts double) up to a limit, longer text
  wrapped in rows made tall enough to show it — LibreOffice and Excel do not grow a row that openpyxl wrote,
  so the height is computed here —, the header rows repeated on every page, A4, fitted to the page width
  (landscape when the table is wide), gridlines, and a page header and footer with the title and
  "page n of m". Times are local (Asia/Shanghai) datetime cells shown as ``2021-06-01 08:30``.
* A download carries a Chinese file name that browsers keep (RFC 6266 ``filename*``, with an ASCII
  fallback).
"""

import datetime
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from copy import copy
from decimal import Decimal
from itertools import chain, islice
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# --- how wide text is, in Excel's column units (the width of a digit of the default font) ---------------
# East Asian wide and full-width characters take two units (Unicode's East_Asian_Width W and F).
_WIDE_CHARS = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
)
WIDE = re.compile(f"[{_WIDE_CHARS}]")
# What a line may break between: each wide character, a run of spaces, a run of anything else (a word).
TOKENS = re.compile(f"[{_WIDE_CHARS}]|\\s+|[^\\s{_WIDE_CHARS}]+")
LATIN_WORDS = re.compile(f"[^\\s{_WIDE_CHARS}]+")
MAX_WORD = 20  # a column of a wide table keeps its longest word on one line, up to this

MIN_WIDTH = 6  # a column is never narrower than this
MAX_WIDTH = 50  # nor wider: longer text wraps
NUMBER_MIN_WIDTH = 8  # a number column stays wide enough for numbers longer than those it was sized on
HEADER_WIDTH = 8  # a header wider than this wraps rather than widening a column of short values
SHRINK_FLOOR = 8  # a text column of a very wide table is narrowed down to this, no further
PADDING = 2  # units of a column its text does not use (cell margins, and a wide glyph a little over 2)
SAMPLE_ROWS = 500  # rows a streamed sheet's columns are sized on

# --- how tall a line is: LibreOffice lays out a CJK line of an 11 pt cell in ~15.7 pt (Noto Sans CJK),
# Excel in ~14.3 pt (DengXian); 1.45 × the font size, plus the cell's margins, covers both.
LINE_FACTOR = 1.45
ROW_PADDING = 2.0
DEFAULT_FONT_SIZE = 11

# --- the page: A4, 12 mm left and right; the header and footer sit in the top and bottom margins ---------
A4_MM = (210, 297)
SIDE_MARGIN_IN = 0.47
PAGE_MARGINS = {"left": SIDE_MARGIN_IN, "right": SIDE_MARGIN_IN, "top": 0.75, "bottom": 0.7}
HEADER_MARGIN_IN = 0.3
MIN_SCALE = 0.65  # a table wider than a landscape page at 65 % gets its text columns narrowed

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_BORDER = Border(bottom=Side(style="thin", color="666666"))
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def as_text(cell):
    """Make ``cell`` hold its string as text (not a formula). Returns the cell."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def cell_value(value):
    """A value as a cell can hold it: an aware datetime becomes local (Asia/Shanghai) wall time, since a
    spreadsheet has no time zones."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def date_format(value) -> str:
    """The number format this module gives a date or a date-time (``""`` for anything else)."""
    if isinstance(value, datetime.datetime):
        return DATETIME_FORMAT
    return DATE_FORMAT if isinstance(value, datetime.date) else ""


def _make_cell(ws, value, make=Cell):
    cell = make(ws, value=cell_value(value))
    if number_format := date_format(cell.value):
        cell.number_format = number_format
    return as_text(cell)


def append(ws, values: Iterable) -> None:
    """``ws.append(values)`` with every string written as text (normal and write-only sheets) and dates as
    dates. The cells are made before they are appended: reading back ``ws[ws.max_row]`` would scan every
    cell of the sheet on each row, so a long export would take quadratic time."""
    make = WriteOnlyCell if isinstance(ws, WriteOnlyWorksheet) else Cell
    ws.append([_make_cell(ws, v, make) if isinstance(v, str | datetime.date) else v for v in values])


def put(ws, *, row: int, column: int, value):
    """``ws.cell(row=, column=, value=)`` with a string written as text. Returns the cell."""
    cell = ws.cell(row=row, column=column, value=cell_value(value))
    if number_format := date_format(cell.value):
        cell.number_format = number_format
    return as_text(cell)


# --- measuring --------------------------------------------------------------------------------------------


def text_width(text: str) -> int:
    """The width of ``text`` on one line, in column units: a CJK character counts two."""
    return len(text) if text.isascii() else len(text) + len(WIDE.findall(text))


def shown(value, number_format: str = "") -> str:
    """``value`` as the cell shows it (dates in the formats this module writes)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d}" if "h" not in number_format else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def line_count(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (words kept whole where they
    fit on a line; a CJK line breaks between any two characters)."""
    usable = max(1.0, width - PADDING)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for token in TOKENS.findall(paragraph):
            size = text_width(token)
            if used + size <= usable or token.isspace():
                used += size
                continue
            if used:
                lines += 1
            while size > usable:  # a word longer than a line breaks anywhere
                lines += 1
                size -= usable
            used = size
    return lines


def row_height(lines: int, font_size: float | None = None) -> float:
    """The height in points of a row whose tallest cell takes ``lines`` lines of ``font_size`` points."""
    return round(max(1, lines) * LINE_FACTOR * (font_size or DEFAULT_FONT_SIZE) + ROW_PADDING, 1)


def _needs_wrap(text: str, width: float) -> bool:
    return "\n" in text or text_width(text) > width - PADDING


def _natural(text: str) -> int:
    return max((text_width(line) for line in text.split("\n")), default=0)


class Columns:
    """What the cells of each column need, measured over the cells a sheet is sized on: the widest line
    (``natural``) and, for text, how wide its long cells typically are (``demand``: the 90th percentile),
    which is what a column narrowed to fit the page is sized on — a column of long texts keeps more of its
    width than one of short names, so a row's cells wrap to about the same number of lines."""

    def __init__(self):
        self.natural: dict[int, float] = {}
        self.text: dict[int, list[int]] = {}  # widths of the text cells of each column holding text
        self.words: dict[int, int] = {}  # the longest word (a code, a date typed as text) of each
        self.numbers: set[int] = set()

    def measure(self, column: int, value, number_format: str = "", *, header: bool = False) -> None:
        if value is None or value == "":
            return
        width = _natural(shown(value, number_format))
        if header:
            width = min(width, HEADER_WIDTH)  # a longer header wraps
        elif isinstance(value, str):
            self.text.setdefault(column, []).append(text_width(value))
            word = max((len(w) for w in LATIN_WORDS.findall(value)), default=0)
            self.words[column] = max(self.words.get(column, 0), min(word, MAX_WORD))
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            self.numbers.add(column)
        self.natural[column] = max(self.natural.get(column, 0), width)

    def demand(self, column: int) -> float:
        widths = sorted(self.text[column])
        return widths[min(len(widths) - 1, int(len(widths) * 0.9))]

    def widths(self, count: int, fixed: dict[int, float] | None = None) -> dict[int, float]:
        """Widths of columns 1…``count``: natural + padding within the limits, ``fixed`` ones as given. When
        that is wider than a landscape page at ``MIN_SCALE``, the text columns share what is left so that
        their typical long cells take the same number of lines (never less than ``SHRINK_FLOOR``, nor than
        their longest word: a code does not break)."""
        fixed = fixed or {}
        widths = {}
        for column in range(1, count + 1):
            if column in fixed:
                widths[column] = fixed[column]
                continue
            width = self.natural.get(column, 0) + PADDING
            if column in self.numbers:
                width = max(width, NUMBER_MIN_WIDTH)
            widths[column] = min(MAX_WIDTH, max(MIN_WIDTH, width))
        budget = _printable_mm(landscape=True) / MIN_SCALE
        if _table_mm(widths.values()) <= budget:
            return widths
        flexible = [c for c in widths if c in self.text and c not in fixed]
        if not flexible:
            return widths

        floors = {c: min(widths[c], max(SHRINK_FLOOR, self.words.get(c, 0) + PADDING)) for c in flexible}
        demands = {c: self.demand(c) for c in flexible}

        def narrowed(lines: float) -> dict[int, float]:
            return {c: max(floors[c], min(widths[c], demands[c] / lines + PADDING)) for c in flexible}

        low, high = 1.0, 1000.0  # lines of the typical long cell: find the fewest that fit the page
        for _step in range(40):
            middle = (low + high) / 2
            if _table_mm({**widths, **narrowed(middle)}.values()) > budget:
                low = middle
            else:
                high = middle
        return {c: round(w, 1) for c, w in {**widths, **narrowed(high)}.items()}


def _column_mm(width: float) -> float:
    """A width in characters as printed millimetres: Excel gives a character 7 px at 96 dpi (and a column
    5 px of margin), LibreOffice nearly 8 — the wider is assumed. It matters: LibreOffice's "fit to one page
    wide" does not shrink a single column wider than the page, it cuts it."""
    return (8 * width + 5) * 25.4 / 96


def _table_mm(widths: Iterable[float]) -> float:
    return sum(_column_mm(w) for w in widths)


def _printable_mm(*, landscape: bool) -> float:
    paper = A4_MM[1] if landscape else A4_MM[0]
    return paper - 2 * SIDE_MARGIN_IN * 25.4


# --- the page ---------------------------------------------------------------------------------------------


def _page_setup(
    ws, *, title: str, header_rows: int, widths: dict[int, float], pages_down: int = 0, gridlines: bool = True
) -> None:
    """A4, fitted to the page width (and ``pages_down`` pages down; 0: as many as it takes), landscape when
    the columns are wider than a portrait page, the header rows on every page, gridlines (a form with its
    own borders has none), the title above and "page n of m" below."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    wide = _table_mm(widths.values()) > _printable_mm(landscape=False)
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if wide else Worksheet.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_down
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**PAGE_MARGINS, header=HEADER_MARGIN_IN, footer=HEADER_MARGIN_IN)
    ws.print_options.gridLines = gridlines
    ws.print_options.horizontalCentered = not wide
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"
        ws.freeze_panes = f"A{header_rows + 1}"
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddHeader.center.size = 10
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")
    ws.oddFooter.center.size = 9
    ws.oddFooter.right.text = f"{timezone.localtime():%Y-%m-%d %H:%M}"
    ws.oddFooter.right.size = 9


def _set_widths(ws, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = round(width, 1)


def print_ready(
    ws,
    *,
    title: str,
    header_rows: int = 1,
    widths: dict[int, float] | None = None,
    pages_down: int = 0,
    gridlines: bool = True,
) -> None:
    """Lay out a sheet built in memory for print: column widths from the content (``widths`` fixes some,
    by column number), every text wider than its column wrapped and every row as tall as its tallest cell,
    then the page (:func:`_page_setup`; ``pages_down=1`` for a form that must stay on one page). A cell
    merged across columns is given the width of the merge and does not widen its first column (so a title
    row spans the table). Call it once the sheet is written."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for merged in ws.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.min_col, merged.max_col)
        covered |= {
            (r, c)
            for r in range(merged.min_row, merged.max_row + 1)
            for c in range(merged.min_col, merged.max_col + 1)
        } - {(merged.min_row, merged.min_col)}
    rows: dict[int, list] = {}
    for (row, column), cell in ws._cells.items():  # the written cells only (iter_rows makes every one)
        if cell.value is not None and (row, column) not in covered:
            rows.setdefault(row, []).append(cell)
    columns = Columns()
    for number, cells in rows.items():
        for cell in cells:
            first, last = spans.get((number, cell.column), (cell.column, cell.column))
            if first == last:
                columns.measure(cell.column, cell.value, cell.number_format, header=number <= header_rows)
    final = columns.widths(ws.max_column, widths)
    _set_widths(ws, final)
    aligned = _Aligned()
    for number in range(1, ws.max_row + 1):
        lines, size, wrapped = 1, DEFAULT_FONT_SIZE, []
        for cell in rows.get(number, ()):
            first, last = spans.get((number, cell.column), (cell.column, cell.column))
            width = sum(final.get(c, MIN_WIDTH) for c in range(first, last + 1))
            cell_lines = 1
            if isinstance(cell.value, str) and _needs_wrap(cell.value, width):
                wrapped.append(cell)
                cell_lines = line_count(cell.value, width)
            cell_size = cell.font.sz or DEFAULT_FONT_SIZE
            if row_height(cell_lines, cell_size) > row_height(lines, size):
                lines, size = cell_lines, cell_size
        ws.row_dimensions[number].height = max(row_height(lines, size), ws.row_dimensions[number].height or 0)
        for cell in wrapped:
            aligned.set(cell, wrap=True)
        if lines > 1:
            for cell in rows.get(number, ()):
                aligned.set(cell, wrap=bool(cell.alignment.wrap_text))
    _page_setup(
        ws, title=title, header_rows=header_rows, widths=final, pages_down=pages_down, gridlines=gridlines
    )


class _Aligned:
    """Sets a cell's alignment to wrap and/or top, keeping the rest of its style; each combination of a
    style and a change is made once and copied (registering a new alignment on every cell of a long list
    would be most of the export's time)."""

    def __init__(self):
        self.made: dict[tuple, object] = {}

    def set(self, cell, *, wrap: bool) -> None:
        key = (tuple(cell._style), wrap)
        if key not in self.made:
            old = cell.alignment
            cell.alignment = Alignment(
                horizontal=old.horizontal, vertical=old.vertical or "top", wrap_text=wrap, indent=old.indent
            )
            self.made[key] = copy(cell._style)
        else:
            cell._style = copy(self.made[key])


def style_header(ws, row: int = 1) -> None:
    """The look of a table's header row (bold on grey, a rule below); the caller's own styles stay."""
    for cell in ws[row]:
        if cell.value is not None:
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center")


def table_sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Iterable]):
    """A sheet of ``rows`` under a styled ``header`` (not yet laid out: call :func:`print_ready`)."""
    sheet = workbook.create_sheet(title[:31])
    append(sheet, header)
    style_header(sheet)
    for row in rows:
        append(sheet, row)
    return sheet


# --- whole files and responses ------------------------------------------------------------------------------


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="JY2021-001-.xlsx"; filename*=UTF-8''JY2021-001-%E4%B8%80…`` (RFC 6266/5987)."""
    fallback = "".join(c if c.isascii() and c not in '"\\' and c.isprintable() else "_" for c in filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(content: bytes | Workbook, filename: str) -> HttpResponse:
    """The download of a workbook (bytes or an openpyxl ``Workbook``) as ``filename``."""
    if isinstance(content, Workbook):
        content = to_bytes(content)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def rows_file(header: Sequence[str], rows: Iterable[Sequence], *, title: str, heading: str = "") -> IO[bytes]:
    """A one-sheet workbook written row by row (write-only mode) and spooled to a temporary file, so memory
    stays flat for 100,000 rows, laid out for print like :func:`print_ready`: the columns are sized on the
    header and the first ``SAMPLE_ROWS`` rows (a longer text further down wraps), each row's height is
    computed as it is written. ``title`` names the sheet, ``heading`` (default: ``title``) heads every
    printed page. The file is at its start; the response that sends it closes it."""
    rows = iter(rows)
    sample = [[cell_value(v) for v in row] for row in islice(rows, SAMPLE_ROWS)]
    columns = Columns()
    for number, values in enumerate(header, start=1):
        columns.measure(number, values, header=True)
    for values in sample:
        for number, value in enumerate(values, start=1):
            fmt = date_format(value)
            columns.measure(number, value, fmt)
    widths = columns.widths(len(header))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    _set_widths(sheet, widths)
    _page_setup(sheet, title=heading or title, header_rows=1, widths=widths)
    header_cells = []
    for text in header:
        cell = _make_cell(sheet, text, WriteOnlyCell)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header_cells.append(cell)
    header_lines = max(line_count(str(t), widths[i]) for i, t in enumerate(header, start=1))
    _append_row(sheet, 1, header_cells, row_height(header_lines))
    styles = _Styles(sheet)
    for number, values in enumerate(chain(sample, rows), start=2):
        values = [cell_value(v) for v in values]
        wrapped, lines = set(), 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and _needs_wrap(value, widths.get(column, MIN_WIDTH)):
                wrapped.add(column)
                lines = max(lines, line_count(value, widths.get(column, MIN_WIDTH)))
        top = lines > 1
        cells = [styles.cell(value, wrap=c in wrapped, top=top) for c, value in enumerate(values, start=1)]
        _append_row(sheet, number, cells, row_height(lines))
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


class _Styles:
    """Cells of a streamed sheet with their style (date format, wrap, top alignment) set from a style made
    once per combination: registering a style on each of a million cells would triple the export's time."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.made: dict[tuple, object] = {}

    def cell(self, value, *, wrap: bool, top: bool):
        number_format = date_format(value)
        wrap = wrap and isinstance(value, str)
        key = (number_format, wrap, top and value is not None)
        if not any(key) and not (isinstance(value, str) and value.startswith(FORMULA_STARTS)):
            return value  # the sheet makes a plain cell itself (a string that is no formula stays text)
        cell = WriteOnlyCell(self.sheet)
        if any(key):
            if key not in self.made:
                model = WriteOnlyCell(self.sheet)
                if number_format:
                    model.number_format = number_format
                if key[2]:
                    model.alignment = WRAP_TOP if wrap else TOP
                self.made[key] = model._style
            cell._style = copy(self.made[key])
        cell.value = value  # after the style: a date keeps the format it was given
        return as_text(cell)


def _append_row(sheet, number: int, cells: list, height: float) -> None:
    """Append a row of a write-only sheet with its height (read by the writer as the row is written, then
    forgotten, so 100,000 rows hold no dimensions in memory)."""
    sheet.row_dimensions[number].height = height
    sheet.append(cells)
    del sheet.row_dimensions[number]


def xlsx_file_response(file: IO[bytes], filename: str) -> FileResponse:
    """The download of a spooled workbook (:func:`rows_file`) as ``filename``."""
    response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response
