"""Spreadsheets of the surveys app (openpyxl): the import template, reading an import of responses, and
writing the exports (responses, coded suggestions).

This module knows how a sheet expresses things — column headers, option texts separated by "；", channel
labels, dates typed by hand. Whether a row is acceptable (phone, community, required answers, duplicates)
is the service's business (``services.responses_import``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from jiangyan.helpers import xlsx

from .choices import RATING_MAX, RATING_MIN, Channel, QuestionKind
from .models import Question

XLSX_CONTENT_TYPE = xlsx.XLSX_CONTENT_TYPE
IMPORT_FIXED_COLUMNS = ("提交时间", "手机号", "镇（街道）", "社区（村）", "渠道")
IMPORT_REQUIRED_COLUMNS = ("手机号", "社区（村）")
IMPORT_MAX_ROWS = 50_000
MULTI_SEPARATOR = re.compile(r"[;；,，、|\n]+")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d")
CHANNEL_BY_LABEL = {str(label): value for value, label in Channel.choices} | {v: v for v in Channel.values}


class SheetError(Exception):
    """The file is not a workbook of the expected shape (``message`` says why, ``detail`` for the field)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail or message


def import_header(question: Question) -> str:
    """The column of ``question`` in the import template and the responses export."""
    return f"{question.order}. {question.text}"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_time(value: Any) -> dt.datetime:
    """A submission time from a cell (a date, a datetime or text in one of ``TIME_FORMATS``); now when
    empty. ValueError when it cannot be read."""
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(12))
    else:
        text = str(value).strip()
        for pattern in TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def cell_answer(question: Question, value: Any, options_by_text: dict[str, int]) -> Any:
    """A cell as the value ``services.build_answers`` expects (option texts → option ids); None when empty.
    ValueError naming an option that does not exist."""
    text = cell_text(value)
    if not text:
        return None
    if question.kind == QuestionKind.SINGLE:
        if text not in options_by_text:
            raise ValueError(_("选项“%(option)s”不存在") % {"option": text})
        return options_by_text[text]
    if question.kind == QuestionKind.MULTIPLE:
        chosen = [t.strip() for t in MULTI_SEPARATOR.split(text) if t.strip()]
        missing = [t for t in chosen if t not in options_by_text]
        if missing:
            raise ValueError(_("选项“%(option)s”不存在") % {"option": missing[0]})
        return [options_by_text[t] for t in chosen]
    return text


# --- reading an import ----------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One data row of an import as the sheet states it; ``errors`` are what could not be read."""

    number: int
    submitted_at: dt.datetime | None
    phone: str
    town: str
    community: str
    channel: str | None
    answers: dict[int, Any]
    errors: list[str] = field(default_factory=list)


def read_import(file: IO[bytes], questions: list[Question]) -> Iterator[ImportRow]:
    """Open an import of responses for ``questions`` (options prefetched). SheetError when the file is no
    workbook or its header lacks a required column; the rows are read lazily, and reading more than
    ``IMPORT_MAX_ROWS`` of them raises SheetError too."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetError(
            _("无法读取该文件，请上传 .xlsx 格式的问卷导入模板。"), _("文件格式不正确。")
        ) from exc

    columns = {name: i for i, name in enumerate(header) if name}
    missing = [name for name in IMPORT_REQUIRED_COLUMNS if name not in columns]
    question_columns: dict[int, int] = {}
    for question in questions:
        for name in (import_header(question), question.text):
            if name in columns:
                question_columns[question.pk] = columns[name]
                break
        else:
            if question.required:
                missing.append(import_header(question))
    if missing:
        raise SheetError(_("表头缺少列：%(columns)s") % {"columns": "、".join(missing)})
    return _import_rows(rows, columns, question_columns, questions)


def _import_rows(
    rows: Iterable[tuple],
    columns: dict[str, int],
    question_columns: dict[int, int],
    questions: list[Question],
) -> Iterator[ImportRow]:
    by_id = {q.pk: q for q in questions}
    options = {q.pk: {o.text: o.pk for o in q.options.all()} for q in questions}

    def cell(row: tuple, index: int | None) -> Any:
        return row[index] if index is not None and index < len(row) else None

    for number, row in enumerate(rows, start=2):
        if number - 1 > IMPORT_MAX_ROWS:
            raise SheetError(_("一次最多导入 %(n)d 行。") % {"n": IMPORT_MAX_ROWS})
        if all(cell_text(v) == "" for v in row):
            continue
        errors: list[str] = []
        try:
            submitted_at = parse_time(cell(row, columns.get("提交时间")))
        except ValueError:
            errors.append(_("提交时间格式不正确（应为 2021-05-20 10:30）"))
            submitted_at = None
        label = cell_text(cell(row, columns.get("渠道")))
        channel = CHANNEL_BY_LABEL.get(label) if label else Channel.IMPORT
        if channel is None:
            errors.append(_("渠道“%(channel)s”无效") % {"channel": label})
        answers: dict[int, Any] = {}
        for question_id, index in question_columns.items():
            try:
                value = cell_answer(by_id[question_id], cell(row, index), options[question_id])
            except ValueError as exc:
                errors.append(f"{import_header(by_id[question_id])}：{exc}")
                continue
            if value is not None:
                answers[question_id] = value
        yield ImportRow(
            number=number,
            submitted_at=submitted_at,
            phone=cell_text(cell(row, columns.get("手机号"))),
            town=cell_text(cell(row, columns.get("镇（街道）"))),
            community=cell_text(cell(row, columns.get("社区（村）"))),
            channel=channel,
            answers=answers,
            errors=errors,
        )


# --- writing --------------------------------------------------------------------------------------------


def import_template(questions: list[Question]) -> bytes:
    """The import template of a survey: a sheet with the header, and a sheet explaining each question."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "答卷"
    xlsx.append(sheet, [*IMPORT_FIXED_COLUMNS, *[import_header(q) for q in questions]])
    notes = workbook.create_sheet("填写说明")
    xlsx.append(notes, ["题目", "题型", "必答", "可选答案（多选用；分隔）"])
    for question in questions:
        options = "；".join(o.text for o in question.options.all())
        rating = f"{RATING_MIN}–{RATING_MAX}" if question.kind == QuestionKind.RATING else ""
        xlsx.append(
            notes,
            [
                import_header(question),
                str(question.get_kind_display()),
                "是" if question.required else "否",
                options or rating,
            ],
        )
    xlsx.style_header(sheet)
    xlsx.style_header(notes)
    xlsx.print_ready(sheet, title="导入模板 · 答卷")
    xlsx.print_ready(notes, title="导入模板 · 填写说明")
    return xlsx.to_bytes(workbook)


def rows_file(header: list[str], rows: Iterable[list], *, title: str, heading: str = "") -> IO[bytes]:
    """A one-sheet workbook of ``rows`` spooled to a temporary file (``jiangyan.helpers.xlsx.rows_file``: flat
    memory, people's answers and suggestions written as text, never as formulas, laid out for print)."""
    return xlsx.rows_file(header, rows, title=title, heading=heading)
