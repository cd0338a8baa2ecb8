"""Spreadsheet downloads, written one way everywhere.

* People's text is written as text, never as a formula: a survey answer or a milestone's evidence that
  begins with ``=``, ``+``, ``-`` or ``@`` is stored as a string cell with Excel's quote prefix, so it is
  neither evaluated on opening nor turned into a formula when somebody edits the cell — and it reads back
  unchanged (an export imports back as it was).
* A download carries a Chinese file name that browsers keep (RFC 6266 ``filename*``, with an ASCII
  fallback).
"""

import io
import tempfile
from collections.abc import Iterable
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(cell):
    """Make ``cell`` hold its string as text (not a formula). Returns the cell."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def append(ws, values: Iterable) -> None:
    """``ws.append(values)`` with every string written as text (normal and write-only sheets). The cells are
    made before they are appended: reading back ``ws[ws.max_row]`` would scan every cell of the sheet on each
    row, so a long export would take quadratic time."""
    make = WriteOnlyCell if isinstance(ws, WriteOnlyWorksheet) else Cell
    ws.append([as_text(make(ws, value=v)) if isinstance(v, str) else v for v in values])


def put(ws, *, row: int, column: int, value):
    """``ws.cell(row=, column=, value=)`` with a string written as text. Returns the cell."""
    return as_text(ws.cell(row=row, column=column, value=value))


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


def rows_file(header: list[str], rows: Iterable[Iterable], *, title: str) -> IO[bytes]:
    """A one-sheet workbook written row by row (write-only mode, every string as text) and spooled to a
    temporary file, so memory stays flat for 100,000 rows. The file is at its start; the response that
    sends it closes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    append(sheet, header)
    for row in rows:
        append(sheet, row)
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


def xlsx_file_response(file: IO[bytes], filename: str) -> FileResponse:
    """The download of a spooled workbook (:func:`rows_file`) as ``filename``."""
    response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response
