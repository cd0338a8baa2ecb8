"""The rules of the project-list import (DESIGN §2.1), for ``services.projects_import_preview`` and
``services.projects_import``. Nothing here writes the registry.

The office keeps one workbook and uploads it again every month. :func:`plan_import` reads it, checks every
row, and plans what the import does, field by field:

- a project whose code is in the registry is **updated** (only what differs), any other is **created**;
  a project of the registry that the sheet does not list stays as it is — nothing is deleted silently;
- milestones and indicators are matched by name within their project. When the sheet lists a project's
  milestones (or indicators) it lists all of them: one missing from the sheet is removed, and the preview
  says so — a milestone already done, or an indicator with reported values, is never removed (a row
  error instead);
- the progress the lead units report in the portal is not undone by an old sheet: an empty 实际完成日期,
  完成佐证 or 当前值 keeps what the registry has; an empty 是否公开 or 状态 too. A column the sheet lacks
  keeps the registry's value for every row (a sheet of 编号 and 状态 only changes statuses).

What a cell names is found loosely, and said whenever it is not taken as spelt (``ImportBook.readings``, in
the preview): a unit by its name, short name, an alias (``UnitAlias``) or without the district's name in
front; a town by name, without 镇 / 街道, by a community, or 全区 for all; a program, domain or target group
by name or by the one name inside the text; statuses and yes/no by the office's synonyms (``ImportSynonym``);
codes whatever their case and width. A name nothing matches is a row error with the nearest name. Errors
are listed by sheet (in the workbook's order), then row.

The plan's ``digest`` covers every change; confirming checks it again inside the transaction, so what is
written is what the office saw in the preview. The uploaded file waits between preview and confirmation
in the cache, keyed to the user and the file's SHA-256 (:func:`stage_upload`)."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Community, Town
from accounts.selectors import UnitNames, unit_names
from jiangyan.core.exceptions import ApplicationError
from jiangyan.helpers import clock
from jiangyan.helpers.text import closest, fold
from jiangyan.helpers.wording import Wording, in_site_language, list_of

from . import spreadsheets as sheets
from .choices import ProjectStatus
from .models import (
    Domain,
    ImportSynonym,
    Indicator,
    IndicatorUpdate,
    Milestone,
    Program,
    Project,
    TargetGroup,
)

CODE_RE = re.compile(r"^(?=.*\d)[A-Za-z0-9-]{1,20}$")  # the API's lookup (``[A-Za-z0-9-]+``), with a digit
VALUE_LIMIT = Decimal(10) ** 12
MAX_TEXT = {"title": 120, "responsible_leader": 50, "summary": 5000}
STAGE_SECONDS = 60 * 60


class ImportRejected(ApplicationError):
    """An import with bad rows: nothing was written; ``row_errors`` names each bad row and why (by sheet,
    then row), ``book`` is what the reading found (sheets, columns not used, rows skipped), when it got
    that far."""

    def __init__(self, row_errors: list[str], *, book: sheets.ImportBook | None = None):
        super().__init__(
            _("导入失败：共 %(n)d 处错误，未写入任何数据。") % {"n": len(row_errors)},
            code="import_rejected",
            fields={"file": row_errors},
        )
        self.row_errors = row_errors
        self.book = book


# --- the plan ------------------------------------------------------------------------------------------


@dataclass
class Change:
    """One field that changes: the sheet's column name, the registry's value and the sheet's, as text."""

    field: str
    before: str
    after: str


@dataclass
class ItemPlan:
    """What happens to one milestone or indicator: ``create``, ``update``, ``delete`` or ``same``; ``note``
    names a record of the registry the sheet leaves empty and the import keeps."""

    kind: str  # "milestone" or "indicator"
    name: str
    action: str
    changes: list[Change] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    obj: Milestone | Indicator | None = None
    note: str = ""


@dataclass
class ProjectPlan:
    """What happens to one project of the sheet: ``create``, ``update`` or ``unchanged``."""

    row: sheets.Row
    code: str
    title: str
    action: str = "unchanged"
    project: Project | None = None
    values: dict[str, Any] = field(default_factory=dict)  # model fields to set (all of them to create)
    relations: dict[str, list] = field(default_factory=dict)  # many-to-many fields to set
    drop_communities: list[Community] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    milestones: list[ItemPlan] = field(default_factory=list)
    indicators: list[ItemPlan] = field(default_factory=list)

    @property
    def item_changes(self) -> list[ItemPlan]:
        return [i for i in self.milestones + self.indicators if i.action != "same"]

    @property
    def kept(self) -> list[ItemPlan]:
        return [i for i in self.milestones + self.indicators if i.note]

    def summary(self) -> str:
        """One line for the history: what the import did to this project, in the site's language (the
        audit pages read it in the reader's, ``jiangyan.helpers.wording``)."""
        parts = []
        if self.action == "create":
            parts.append(in_site_language(CREATED_NOTE))
        elif self.changes:
            parts.append(CHANGED_NOTE(fields=list_of(c.field for c in self.changes)))
        for kind, items in (("milestone", self.milestones), ("indicator", self.indicators)):
            counts = defaultdict(int)
            for item in items:
                counts[item.action] += 1
            parts += [ITEM_NOTES[kind, action](n=counts[action]) for action in ITEM_ACTIONS if counts[action]]
        return "；".join(parts)


# What an import writes into a project's history (the parts of ``ProjectPlan.summary``).
CREATED_NOTE = gettext_lazy("新建")
CHANGED_NOTE = Wording(gettext_noop("修改：%(fields)s"), lists=("fields",))
ITEM_ACTIONS = ("create", "update", "delete")
ITEM_NOTES = {
    ("milestone", "create"): Wording(gettext_noop("节点新增 %(n)s")),
    ("milestone", "update"): Wording(gettext_noop("节点修改 %(n)s")),
    ("milestone", "delete"): Wording(gettext_noop("节点删除 %(n)s")),
    ("indicator", "create"): Wording(gettext_noop("指标新增 %(n)s")),
    ("indicator", "update"): Wording(gettext_noop("指标修改 %(n)s")),
    ("indicator", "delete"): Wording(gettext_noop("指标删除 %(n)s")),
}


@dataclass
class ImportPlan:
    """What an import does to each project of the workbook, and how the workbook was read (``book``)."""

    projects: list[ProjectPlan]
    untouched: int  # projects of the year the sheet does not list: they stay as they are
    book: sheets.ImportBook | None = None
    year: int | None = None  # the campaign year imported into
    opens_year: bool = False  # that year is not open yet: confirming opens it and makes it current

    def _with(self, action: str) -> list[ProjectPlan]:
        return [p for p in self.projects if p.action == action]

    @property
    def created(self) -> list[ProjectPlan]:
        return self._with("create")

    @property
    def updated(self) -> list[ProjectPlan]:
        return self._with("update")

    @property
    def unchanged(self) -> list[ProjectPlan]:
        return self._with("unchanged")

    @property
    def has_changes(self) -> bool:
        return any(p.action != "unchanged" for p in self.projects)

    @property
    def digest(self) -> str:
        """A fingerprint of every change: the same sheet against the same registry gives the same one."""
        canonical: list = [self.year, self.opens_year]
        canonical += [
            [
                p.code,
                p.action,
                [[c.field, c.before, c.after] for c in p.changes],
                [[i.name, i.action, [[c.field, c.before, c.after] for c in i.changes]] for i in p.milestones],
                [[i.name, i.action, [[c.field, c.before, c.after] for c in i.changes]] for i in p.indicators],
            ]
            for p in self.projects
        ]
        return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def event_fields(plan: ProjectPlan) -> dict[str, Any]:
    """``before``, ``after`` and ``note`` of the ``project.import`` event of ``plan``'s project: a new
    project is recorded by its code (the row itself holds the rest), a changed one field by field, each
    milestone and indicator change under its name."""
    if plan.action == "create":
        return {"before": None, "after": {"code": plan.code, "action": "create"}, "note": plan.summary()}
    items = {
        f"{'节点' if item.kind == 'milestone' else '指标'}“{item.name}”": {
            "action": item.action,
            **{c.field: [c.before, c.after] for c in item.changes},
        }
        for item in plan.item_changes
    }
    return {
        "before": {c.field: c.before for c in plan.changes},
        "after": {
            "code": plan.code,
            "action": plan.action,
            **{c.field: c.after for c in plan.changes},
            **items,
        },
        "note": plan.summary(),
    }


# --- how values read in the preview --------------------------------------------------------------------

KEEP = object()  # "the sheet says nothing here": keep the registry's value


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return sheets.YES if value else sheets.NO
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list | tuple):
        return sheets.LIST_SEPARATOR.join(str(v) for v in value) or "—"
    return str(value)


def _changed(before, after) -> bool:
    if isinstance(before, list | tuple) or isinstance(after, list | tuple):
        return {getattr(v, "pk", v) for v in before or []} != {getattr(v, "pk", v) for v in after or []}
    return before != after


# --- finding what a cell names ---------------------------------------------------------------------------

PROGRAM_NOISE = re.compile(r"^[(]?[一二三四五六七八九十\d]+[)]?[、.,]?|\(.*?\)|工程$")
ALL_TOWNS = {
    fold(w)
    for w in ("全区", "全区范围", "全区各镇（街道）", "各镇（街道）", "全区各镇街", "各镇街", "全区各镇",
              "各镇", "全区各镇区", "各镇区", "全区各乡镇（街道）", "各乡镇（街道）")
}  # fmt: skip
# 各镇（街道）, 各村（社区）, 相关部门 among cooperating units: places and "the others", no unit
NOT_A_UNIT = re.compile(r"^(?:全区)?(?:各|相关|有关)")
CODE_YEAR = re.compile(r"(20\d{2})")


class Names:
    """A lookup table's names, found loosely (``jiangyan.helpers.text.fold``): the name itself, then — when
    just one name fits — a name inside the text or the text inside a name (老年人 is 老年, 低收入家庭 is
    低收入); ``strip`` takes numbering and 工程 off a program's spelling (一、利民惠民工程 is 利民惠民)."""

    def __init__(self, objects, *, strip: re.Pattern | None = None):
        self.strip = strip
        self.by_key = {}
        for obj in objects:
            self.by_key.setdefault(self._key(obj.name), obj)

    def _key(self, written) -> str:
        key = fold(written)
        return self.strip.sub("", key) if self.strip else key

    def find(self, written):
        """(object, exact) or None."""
        key = self._key(written)
        if not key:
            return None
        if key in self.by_key:
            obj = self.by_key[key]
            return obj, sheets.text(written) == obj.name
        if len(key) >= 2:
            inside = {o.pk: o for k, o in self.by_key.items() if k in key or key in k}
            if len(inside) == 1:
                return next(iter(inside.values())), False
        return None

    def suggest(self, written):
        found = closest(self._key(written), self.by_key)
        return self.by_key[found] if found else None


class TownNames:
    """Towns by name, by name without 镇 / 街道 (溱潼), by a community's name (its town), and 全区 (all)."""

    def __init__(self, towns, communities):
        self.towns = list(towns)
        self.by_key = {fold(t.name): t for t in self.towns}
        short: dict[str, list] = defaultdict(list)
        for t in self.towns:
            short[fold(t.name).removesuffix("街道").removesuffix("镇")].append(t)
        places: dict[str, list] = defaultdict(list)
        by_id = {t.pk: t for t in self.towns}
        for c in communities:
            places[fold(c.name)].append(by_id[c.town_id])
            places[fold(by_id[c.town_id].name + c.name)].append(by_id[c.town_id])
        self.short = {k: v[0] for k, v in short.items() if len(v) == 1 and len(k) >= 2}
        self.places = {k: v[0] for k, v in places.items() if len({t.pk for t in v}) == 1}

    def find(self, written) -> tuple[list, bool] | None:
        """(towns, exact) or None."""
        key = fold(written)
        if key in self.by_key:
            return [self.by_key[key]], True
        if key in ALL_TOWNS:
            return list(self.towns), False
        town = self.short.get(key) or self.places.get(key)
        return ([town], False) if town else None

    def is_place(self, written) -> bool:
        return self.find(written) is not None

    def suggest(self, written):
        found = closest(fold(written), self.by_key)
        return self.by_key[found] if found else None


@dataclass
class _Tables:
    programs: Names
    domains: Names
    groups: Names
    units: UnitNames
    towns: TownNames
    statuses: dict[str, str]  # folded spelling → status value
    publics: dict[str, bool]  # folded spelling → is_public
    this_year: int


def _tables(synonyms: list[tuple[str, str]], *, year: int | None = None) -> _Tables:
    labels = sheets.status_labels()
    statuses = {fold(label): value for value, label in labels.items()}
    publics = {fold(sheets.YES): True, fold(sheets.NO): False}
    for target, word in synonyms:
        space, _dot, key = target.partition(".")
        if space == "status" and key in labels:
            statuses.setdefault(fold(word), key)
        elif space == "public":
            publics.setdefault(fold(word), key == "yes")
    return _Tables(
        programs=Names(Program.objects.all(), strip=PROGRAM_NOISE),
        domains=Names(Domain.objects.all()),
        groups=Names(TargetGroup.objects.all()),
        units=unit_names(),
        towns=TownNames(Town.objects.all(), Community.objects.all()),
        statuses=statuses,
        publics=publics,
        this_year=year or clock.localdate().year,
    )


def read_book(upload) -> sheets.ImportBook:
    """Read an uploaded workbook with the office's synonyms (``ImportSynonym``); ImportRejected when it
    cannot be read."""
    try:
        return sheets.read_workbook(
            upload, synonyms=list(ImportSynonym.objects.values_list("target", "text"))
        )
    except sheets.SheetError as exc:
        raise ImportRejected([str(exc)], book=exc.book) from exc


def code_key(written) -> str:
    """A project code as compared: width and case do not count (ｊｙ２０２１－００１ is JY2021-001)."""
    return fold(written).upper()


def listed_projects(book: sheets.ImportBook):
    """The registry's projects the workbook lists, by code compared as ``code_key`` does."""
    codes = {code_key(r.get("编号")) for r in book.projects} - {""}
    return Project.objects.annotate(code_key=Upper("code")).filter(code_key__in=codes)


# --- reading the rows ----------------------------------------------------------------------------------


class _Errors:
    """The problems found, each at its sheet and row; ``sorted()`` lists them by sheet (as the workbook
    orders them), then row."""

    def __init__(self):
        self.items: list[tuple[tuple[int, int], int, str]] = []

    def add(self, row: sheets.Row, problem: str) -> None:
        self.items.append((row.position, len(self.items), f"{row.where()}：{problem}"))

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[str]:
        return [message for _position, _n, message in sorted(self.items)]


def _did_you_mean(message: str, suggestion) -> str:
    if suggestion is None:
        return message
    return message + _("是否为“%(name)s”？") % {"name": getattr(suggestion, "name", suggestion)}


def _shown(value) -> str:
    return sheets.squeeze_lines(value)[:60]


class _Reader:
    """Reads the cells of one row into checked values, collecting every problem in ``errors`` and every
    value read otherwise than it is spelt in ``book.readings``."""

    def __init__(self, errors: _Errors, book: sheets.ImportBook, tables: _Tables, *, creating: bool):
        self.errors, self.book, self.tables, self.creating = errors, book, tables, creating

    def year(self, row) -> int:
        """The year a date without one is in: the sheet's (its title or name), the code's, this year."""
        if row.year:
            return row.year
        code = CODE_YEAR.search(sheets.text(row.get("编号") or row.get("项目编号")))
        return int(code.group(1)) if code else self.tables.this_year

    def missing(self, row, column: str) -> None:
        self.errors.add(row, _("“%(column)s”不能为空。") % {"column": row.label(column)})

    def text(self, row, column: str, *, required=False, max_length=0, one_line=False):
        if not row.has(column):
            if required and self.creating:
                self.missing(row, column)
            return KEEP
        value = sheets.text(row.get(column))
        if one_line and value != (joined := sheets.one_line(value)):
            self.book.note(row, column, value, joined)
            value = joined
        if sheets.has_control_characters(value):
            self.errors.add(row, _("“%(column)s”含有无法保存的控制字符。") % {"column": row.label(column)})
            return None
        if required and not value:
            self.missing(row, column)
            return None
        if max_length and len(value) > max_length:
            self.errors.add(
                row, _("“%(column)s”超过 %(n)d 个字。") % {"column": row.label(column), "n": max_length}
            )
            return None
        return value

    def code(self, row, column: str):
        """A project code, compared without regard to width and case; None (an error) when there is none
        or it is not one."""
        written = sheets.text(row.get(column))
        if not written:
            self.missing(row, column)
            return None
        code = code_key(written)
        if not CODE_RE.match(code):
            self.errors.add(
                row,
                _("编号“%(code)s”无效：应为不超过 20 位的字母、数字和连字符，且含数字（如 JY2021-001）。")
                % {"code": written[:40]},
            )
            return None
        if code != written:
            self.book.note(row, column, written, code)
        return code

    def _unknown(self, row, column, value, suggestion) -> None:
        message = _("%(column)s“%(value)s”不存在。") % {"column": row.label(column), "value": _shown(value)}
        self.errors.add(row, _did_you_mean(message, suggestion))

    def one(self, row, column: str, names: Names, *, fallback=None):
        """One object of a lookup table; ``fallback`` (object, where it comes from) when the cell is empty."""
        value = self.text(row, column, required=fallback is None)
        if value in (KEEP, "", None) and fallback is not None:
            return fallback
        if value is KEEP or value is None:
            return value
        found = names.find(value)
        if found is None:
            self._unknown(row, column, value, names.suggest(value))
            return None
        obj, exact = found
        if not exact:
            self.book.note(row, column, value, obj.name)
        return obj

    def many(self, row, column: str, names: Names):
        if not row.has(column):
            return KEEP
        found = []
        for name in sheets.split_list(row.get(column)):
            match = names.find(name)
            if match is None:
                self._unknown(row, column, name, names.suggest(name))
                continue
            obj, exact = match
            if obj not in found:
                found.append(obj)
            if not exact:
                self.book.note(row, column, name, obj.name)
        return found

    def lead_unit(self, row, column: str):
        value = self.text(row, column, required=True)
        if value is KEEP or value is None:
            return value
        found = self.tables.units.find(value)
        several = [self.tables.units.find(n) for n in sheets.split_list(value)]
        if found is None and len(several) > 1 and all(several):
            self.errors.add(
                row,
                _("%(column)s只能填一个单位（其他单位请填在协办单位）：%(value)s。")
                % {"column": row.label(column), "value": _shown(value)},
            )
            return None
        if found is None:
            self._unknown(row, column, value, self.tables.units.suggest(value))
            return None
        if not found.exact:
            self.book.note(row, column, value, found.unit.name)
        return found.unit

    def units(self, row, column: str):
        """Cooperating units. A town or 各镇（街道） written among them is no unit: the preview says it is not
        imported."""
        if not row.has(column):
            return KEEP
        found = []
        for name in sheets.split_list(row.get(column)):
            match = self.tables.units.find(name)
            if match is None:
                if NOT_A_UNIT.match(fold(name)) or self.tables.towns.is_place(name):
                    self.book.note(row, column, name, _("（不是单位，未导入为协办单位）"))
                else:
                    self._unknown(row, column, name, self.tables.units.suggest(name))
                continue
            if not match.exact:
                self.book.note(row, column, name, match.unit.name)
            if match.unit not in found:
                found.append(match.unit)
        return found

    def towns(self, row, column: str):
        if not row.has(column):
            return KEEP
        found = []
        for name in sheets.split_list(row.get(column)):
            match = self.tables.towns.find(name)
            if match is None:
                self._unknown(row, column, name, self.tables.towns.suggest(name))
                continue
            towns, exact = match
            if not exact:
                shown = _("全部 %(n)d 个镇（街道）") % {"n": len(towns)} if len(towns) > 1 else towns[0].name
                self.book.note(row, column, name, shown)
            found += [t for t in towns if t not in found]
        return found

    def date(self, row, column: str, *, end: bool, required=True):
        if not row.has(column):
            if required and self.creating:
                self.missing(row, column)
            return KEEP
        raw = row.get(column)
        if raw is None or sheets.text(raw) == "":
            if required:
                self.missing(row, column)
                return None
            return KEEP
        try:
            value, spelt = sheets.read_date(raw, end=end, year=self.year(row))
        except ValueError:
            self.errors.add(
                row,
                _("“%(column)s”不是可识别的日期（可写 2021-05-01、2021年5月、5月底前 等）：%(value)s。")
                % {"column": row.label(column), "value": _shown(raw)},
            )
            return None
        if spelt:
            self.book.note(row, column, _cell_shown(raw), f"{value:%Y-%m-%d}")
        return value

    def period(self, row, column: str):
        """(start or KEEP, end) from a cell holding both; (None, None) with an error when it holds neither."""
        raw = row.get(column)
        if raw is None or sheets.text(raw) == "":
            return KEEP, KEEP
        try:
            start, end = sheets.read_period(raw, year=self.year(row))
        except ValueError:
            self.errors.add(
                row,
                _("“%(column)s”不是可识别的起止时间（可写 2021.3—2021.12、2021年4月至年底 等）：%(value)s。")
                % {"column": row.label(column), "value": _shown(raw)},
            )
            return None, None
        shown = (
            f"{end:%Y-%m-%d}"
            if start is None
            else _("%(start)s 至 %(end)s")
            % {
                "start": f"{start:%Y-%m-%d}",
                "end": f"{end:%Y-%m-%d}",
            }
        )
        self.book.note(row, column, _cell_shown(raw), shown)
        return (KEEP if start is None else start), end

    def choice(self, row, column: str, table: dict[str, Any], labels: dict[Any, str]):
        """A value from ``table`` (folded spelling → value); an empty cell or a missing column keeps it."""
        if not row.has(column) or sheets.text(row.get(column)) == "":
            return KEEP
        raw = row.get(column)
        written = sheets.text(raw)
        key = fold(written) if not isinstance(raw, bool) else fold(sheets.YES if raw else sheets.NO)
        if key not in table:
            self.errors.add(
                row,
                _("“%(column)s”应为 %(choices)s 之一：%(value)s。")
                % {
                    "column": row.label(column),
                    "choices": "、".join(labels.values()),
                    "value": _shown(written),
                },
            )
            return None
        value = table[key]
        if written != labels[value]:
            self.book.note(row, column, written, labels[value])
        return value

    def number(self, row, column: str, *, positive: bool, required: bool):
        """A ``sheets.Number`` (value as the cell shows it, unit written after it) or KEEP / None."""
        if not row.has(column) or sheets.text(row.get(column)) == "":
            if required:
                self.errors.add(row, _("%(column)s不能为空。") % {"column": row.label(column)})
                return None
            return KEEP
        raw = row.get(column)
        try:
            number = sheets.read_number(raw, percent=column in row.percent)
        except ValueError:
            self.errors.add(row, _("%(column)s应为数字。") % {"column": row.label(column)})
            return None
        value = number.value
        if value < 0 or (positive and value == 0) or value >= VALUE_LIMIT:
            self.errors.add(
                row,
                _("%(column)s“%(value)s”超出范围。") % {"column": row.label(column), "value": _shown(raw)},
            )
            return None
        if value != value.quantize(Decimal("0.01")):
            self.errors.add(row, _("%(column)s最多保留两位小数。") % {"column": row.label(column)})
            return None
        if number.spelt:
            self.book.note(row, column, _cell_shown(raw, percent=column in row.percent), _show(value))
        return number

    def weight(self, row, column: str):
        raw = row.get(column)
        try:
            weight = sheets.parse_weight(raw, percent=column in row.percent)
        except ValueError:
            self.errors.add(row, _("权重应为 0 到 100 的整数。"))
            return None
        if isinstance(raw, str) and raw.strip() != str(weight) or column in row.percent:
            self.book.note(row, column, _cell_shown(raw, percent=column in row.percent), weight)
        return weight


def _cell_shown(raw, *, percent: bool = False) -> str:
    """A cell's value as a note quotes it: a number formatted as a percentage with what the cell shows."""
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if percent and isinstance(raw, int | float):
        return _("%(value)s（单元格显示 %(shown)s%%）") % {
            "value": _show(sheets.parse_decimal(raw)),
            "shown": _show(sheets.parse_decimal(repr(round(float(raw) * 100, 6)))),
        }
    if isinstance(raw, float):
        return repr(round(raw, 6))
    return _shown(raw)


# --- planning ------------------------------------------------------------------------------------------


def _existing(codes: list[str]) -> dict[str, Project]:
    indicators = Indicator.objects.annotate(
        reported=Exists(IndicatorUpdate.objects.filter(indicator=OuterRef("pk")))
    ).order_by("order", "id")
    return {
        p.code.upper(): p
        for p in Project.objects.annotate(code_key=Upper("code"))
        .filter(code_key__in=codes)
        .select_related("program", "domain", "lead_unit")
        .prefetch_related(
            "target_groups",
            "cooperating_units",
            "towns",
            Prefetch("communities", queryset=Community.objects.select_related("town")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("order", "planned_date", "id")),
            Prefetch("indicators", queryset=indicators),
        )
    }


PROJECT_FIELDS = [
    # column, model field, kind
    ("项目名称", "title", "text"),
    ("项目简介", "summary", "text"),
    ("工程", "program", "program"),
    ("领域", "domain", "domain"),
    ("服务对象", "target_groups", "groups"),
    ("领办单位", "lead_unit", "unit"),
    ("协办单位", "cooperating_units", "units"),
    ("责任领导", "responsible_leader", "text"),
    ("实施镇街", "towns", "towns"),
    ("计划开始", "planned_start", "date"),
    ("计划完成", "planned_end", "date"),
    ("是否公开", "is_public", "public"),
    ("状态", "status", "status"),
]
RELATIONS = ("target_groups", "cooperating_units", "towns")
DEFAULTS = {"summary": "", "responsible_leader": "", "is_public": True, "status": ProjectStatus.NOT_STARTED}
ONE_LINE = ("title", "responsible_leader")


def code_year(code: str) -> int | None:
    """The year a project code names (``JY2025-012`` → 2025), or None."""
    found = CODE_YEAR.search(code or "")
    return int(found.group(1)) if found else None


def listed_year(book: sheets.ImportBook) -> int | None:
    """The year most of the list's codes name (``JY2021-…``), or None."""
    counts: dict[int, int] = defaultdict(int)
    for row in book.projects:
        year = code_year(code_key(row.get("编号")))
        if year is not None:
            counts[year] += 1
    return max(counts, key=lambda y: (counts[y], y)) if counts else None


def plan_import(book: sheets.ImportBook, *, year: int | None = None, opens_year: bool = False) -> ImportPlan:
    """Check every row of ``book`` and plan its import into campaign year ``year`` (new projects join it;
    a listed project of another year, or a code naming another year, is a row error); ImportRejected
    names every bad row, by sheet and row, and carries what the reading found (``book``)."""
    if not book.projects:
        raise ImportRejected([_("项目表中没有数据行。")], book=book)
    errors = _Errors()
    tables = _tables(list(ImportSynonym.objects.values_list("target", "text")), year=year)
    existing = _existing([code_key(r.get("编号")) for r in book.projects])

    plans: dict[str, ProjectPlan] = {}
    programs_noted: set = set()
    for row in book.projects:
        plan = _plan_project(row, errors, plans, existing, tables, book, programs_noted, year)
        if plan is not None:
            plans[plan.code.upper()] = plan

    milestone_rows = _rows_by_project(book.milestones, plans, errors, book, tables)
    indicator_rows = _rows_by_project(book.indicators, plans, errors, book, tables)
    today = clock.localdate()
    for code, plan in plans.items():
        if code in milestone_rows:
            _plan_milestones(plan, milestone_rows[code], errors, today, book, tables)
        if code in indicator_rows:
            _plan_indicators(plan, indicator_rows[code], errors, book, tables)
        if plan.action == "unchanged" and (plan.changes or plan.item_changes):
            plan.action = "update"
    if errors:
        raise ImportRejected(errors.sorted(), book=book)
    listed = {p.code.upper() for p in plans.values()}
    untouched = (
        Project.objects.in_year(year).annotate(code_key=Upper("code")).exclude(code_key__in=listed).count()
    )
    return ImportPlan(
        projects=list(plans.values()), untouched=untouched, book=book, year=year, opens_year=opens_year
    )


def _program(row, read: _Reader, tables: _Tables, book, noted: set):
    """The row's 工程: its own cell, else the 一、… heading above it, else its sheet's name."""
    for source, written, where in (
        ("heading", row.heading, row.heading_row),
        ("sheet", row.sheet, 0),
    ):
        found = tables.programs.find(written) if written else None
        if found is None:
            continue
        program = found[0]
        if not row.has("工程") or sheets.text(row.get("工程")) == "":
            if (row.sheet, where) not in noted:
                noted.add((row.sheet, where))
                origin = (
                    _("分组标题“%(text)s”") % {"text": written}
                    if source == "heading"
                    else _("工作表名“%(text)s”") % {"text": written}
                )
                book.readings.append(
                    sheets.Reading(
                        row.sheet,
                        where or row.number,
                        row.label("工程"),
                        origin,
                        _("%(program)s（其下各行）") % {"program": program.name},
                        row.order,
                    )
                )
        return read.one(row, "工程", tables.programs, fallback=program)
    return read.one(row, "工程", tables.programs)


def _year_errors(row, errors, code: str, project: Project | None, year: int | None) -> None:
    """A project of another year's list is not changed by this year's import, and a new code that names
    a year names the one imported into (``JY2026-…`` in the 2026 list)."""
    if year is None:
        return
    if project is not None and project.year_id != year:
        errors.add(
            row,
            _("编号“%(code)s”是 %(other)d 年度的项目，不能在 %(year)d 年度的清单中修改。")
            % {"code": code, "other": project.year_id, "year": year},
        )
    elif project is None and code_year(code) not in (None, year):
        errors.add(
            row,
            _("编号“%(code)s”的年份与导入的 %(year)d 年度不符（应为 JY%(year)d-…）。")
            % {"code": code, "year": year},
        )


def _plan_project(row, errors, plans, existing, tables, book, programs_noted, year) -> ProjectPlan | None:
    before = len(errors)
    creating_read = _Reader(errors, book, tables, creating=True)
    code = creating_read.code(row, "编号")
    if code is None:
        return None
    if code in plans:
        other = plans[code].row
        where = (
            _("第 %(number)d 行") % {"number": other.number} if other.sheet == row.sheet else other.where()
        )
        errors.add(row, _("编号“%(code)s”与%(where)s重复。") % {"code": code, "where": where})
        return None
    project = existing.get(code)
    _year_errors(row, errors, code, project, year)
    read = _Reader(errors, book, tables, creating=project is None)
    sheet_values: dict[str, Any] = {}
    for column, name, kind in PROJECT_FIELDS:
        if kind == "text":
            value = read.text(
                row, column, required=name == "title", max_length=MAX_TEXT[name], one_line=name in ONE_LINE
            )
        elif kind == "program":
            value = _program(row, read, tables, book, programs_noted)
        elif kind == "domain":
            value = read.one(row, column, tables.domains)
        elif kind == "groups":
            value = read.many(row, column, tables.groups)
        elif kind == "unit":
            value = read.lead_unit(row, column)
        elif kind == "units":
            value = read.units(row, column)
        elif kind == "towns":
            value = read.towns(row, column)
        elif kind == "date":
            # A new project needs both dates, from their columns or a 起止时间 one; a list without any
            # start column starts its projects with their year (below).
            required = row.has(column) or (name == "planned_end" and not row.has(sheets.PERIOD))
            value = read.date(row, column, end=name == "planned_end", required=required)
        elif kind == "public":
            value = read.choice(row, column, tables.publics, {True: sheets.YES, False: sheets.NO})
        else:
            value = read.choice(row, column, tables.statuses, sheets.status_labels())
        sheet_values[name] = value
    if row.has(sheets.PERIOD) and not (row.has("计划开始") and row.has("计划完成")):
        start, end = read.period(row, sheets.PERIOD)
        for name, value in (("planned_start", start), ("planned_end", end)):
            if sheet_values[name] is KEEP and value is not KEEP:
                sheet_values[name] = value
    if project is None and sheet_values["planned_start"] is KEEP:
        # Offices' lists often give only the completion (完成时限): a new project starts with its year.
        end = sheet_values["planned_end"]
        year = end.year if isinstance(end, datetime.date) else read.year(row)
        sheet_values["planned_start"] = datetime.date(year, 1, 1)
        book.note(
            row, "计划开始", _("（表中未填）"), _("%(date)s（所在年度的第一天）") % {"date": f"{year}-01-01"}
        )
    if project is None and sheet_values["planned_end"] is KEEP:
        read.missing(row, "计划完成")
    start, end = (
        getattr(project, name) if sheet_values[name] is KEEP and project else sheet_values[name]
        for name in ("planned_start", "planned_end")
    )
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        errors.add(row, _("计划完成日期早于计划开始日期。"))
    title = sheet_values["title"] if isinstance(sheet_values["title"], str) else getattr(project, "title", "")
    plan = ProjectPlan(row=row, code=project.code if project else code, title=title, project=project)
    if len(errors) > before:
        return plan  # its milestone and indicator rows are still checked, against this code

    labels = sheets.status_labels()
    if project is None:
        plan.action = "create"
        for column, name, _kind in PROJECT_FIELDS:
            value = sheet_values[name]
            if value is KEEP:
                value = [] if name in RELATIONS else DEFAULTS.get(name)
            if name in RELATIONS:
                plan.relations[name] = value
            else:
                plan.values[name] = value
            shown = labels.get(value, value) if name == "status" else value
            if value not in (None, "", []):
                plan.changes.append(Change(column, "", _show(shown)))
    else:
        for column, name, _kind in PROJECT_FIELDS:
            value = sheet_values[name]
            if value is KEEP:
                continue
            current = list(getattr(project, name).all()) if name in RELATIONS else getattr(project, name)
            if not _changed(current, value):
                continue
            if name in RELATIONS:
                plan.relations[name] = value
            else:
                plan.values[name] = value
            if name == "status":
                current, value = labels.get(current, current), labels.get(value, value)
            plan.changes.append(Change(column, _show(current), _show(value)))
        if "towns" in plan.relations:
            towns = {t.pk for t in plan.relations["towns"]}
            plan.drop_communities = [c for c in project.communities.all() if c.town_id not in towns]
            if plan.drop_communities:
                plan.changes.append(
                    Change(
                        _("实施社区（村）"),
                        _show([str(c) for c in project.communities.all()]),
                        _show([str(c) for c in project.communities.all() if c.town_id in towns]),
                    )
                )
        if plan.changes:
            plan.action = "update"
    return plan


def _rows_by_project(rows, plans, errors, book, tables) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    read = _Reader(errors, book, tables, creating=True)
    for row in rows:
        code = read.code(row, "项目编号")
        if code is None:
            continue
        if code not in plans:
            errors.add(row, _("项目编号“%(code)s”不在项目表中。") % {"code": code[:40]})
        else:
            grouped[code].append(row)
    return grouped


def _plan_milestones(plan: ProjectPlan, rows: list, errors: _Errors, today, book, tables) -> None:
    current = {m.name: m for m in plan.project.milestones.all()} if plan.project else {}
    seen: dict[str, sheets.Row] = {}
    row_has_done: dict[str, bool] = {}
    weights, valid = [], True
    for order, row in enumerate(rows):
        before = len(errors)
        read = _Reader(errors, book, tables, creating=True)
        name = read.text(row, "节点名称", required=True, max_length=100, one_line=True)
        planned = read.date(row, "计划完成日期", end=True)
        done = read.date(row, "实际完成日期", end=True, required=False)
        evidence = read.text(row, "完成佐证", max_length=2000)
        weight = read.weight(row, "权重")
        if weight is not None:
            weights.append(weight)
        if isinstance(done, datetime.date) and done > today:
            errors.add(row, _("实际完成日期晚于今天。"))
        if isinstance(name, str) and name:
            if name in seen:
                errors.add(
                    row,
                    _("节点“%(name)s”与第 %(number)d 行重复。") % {"name": name, "number": seen[name].number},
                )
            seen[name] = row
        if len(errors) > before:
            valid = False
            continue
        values = {"planned_date": planned, "weight": weight}
        row_has_done[name] = done is not KEEP
        if done is not KEEP:
            values["done_date"] = done
        if evidence not in (KEEP, ""):
            values["evidence"] = evidence
        plan.milestones.append(_item_plan("milestone", name, values, current.get(name), order))
    if valid and sum(weights) != 100:
        errors.add(
            plan.row,
            _("项目“%(code)s”的节点权重合计为 %(total)d，应为 100。")
            % {"code": plan.code, "total": sum(weights)},
        )
    planned = {item.name: item for item in plan.milestones}
    for name, milestone in current.items():
        if name in seen:
            item = planned.get(name)
            if item is not None and milestone.done_date and not row_has_done[name]:
                item.note = _("已于 %(date)s 完成，表中未填完成日期，保留系统记录") % {
                    "date": f"{milestone.done_date:%Y-%m-%d}"
                }
            continue
        if milestone.done_date:
            errors.add(
                plan.row,
                _("节点“%(name)s”已完成，不能通过导入删除（表中没有该节点）。") % {"name": name},
            )
            continue
        plan.milestones.append(ItemPlan("milestone", name, "delete", obj=milestone))


def _plan_indicators(plan: ProjectPlan, rows: list, errors: _Errors, book, tables) -> None:
    current = {i.name: i for i in plan.project.indicators.all()} if plan.project else {}
    seen: dict[str, sheets.Row] = {}
    for order, row in enumerate(rows):
        before = len(errors)
        read = _Reader(errors, book, tables, creating=True)
        name = read.text(row, "指标名称", required=True, max_length=80, one_line=True)
        unit = read.text(row, "计量单位", max_length=20)
        target = read.number(row, "目标值", positive=True, required=True)
        value = read.number(row, "当前值", positive=False, required=False)
        if isinstance(name, str) and name:
            if name in seen:
                errors.add(
                    row,
                    _("指标“%(name)s”与第 %(number)d 行重复。") % {"name": name, "number": seen[name].number},
                )
            seen[name] = row
        if len(errors) > before:
            continue
        written_unit = next((n.unit for n in (target, value) if isinstance(n, sheets.Number) and n.unit), "")
        if unit in (KEEP, "") and written_unit:
            # 85所, 95%: the unit written with the number, when the sheet gives none of its own
            book.note(row, "计量单位", _("（表中未填）"), written_unit)
            unit = written_unit
        values = {"target_value": target.value}
        if unit is not KEEP:
            values["unit"] = unit
        if value is not KEEP:
            values["current_value"] = value.value
        elif name not in current:
            values["current_value"] = Decimal(0)
        plan.indicators.append(_item_plan("indicator", name, values, current.get(name), order))
    for name, indicator in current.items():
        if name in seen:
            continue
        if indicator.reported:
            errors.add(
                plan.row,
                _("指标“%(name)s”已有填报记录，不能通过导入删除（表中没有该指标）。") % {"name": name},
            )
            continue
        plan.indicators.append(ItemPlan("indicator", name, "delete", obj=indicator))


MILESTONE_LABELS = {
    "planned_date": "计划完成日期",
    "weight": "权重",
    "done_date": "实际完成日期",
    "evidence": "完成佐证",
}
INDICATOR_LABELS = {"unit": "计量单位", "target_value": "目标值", "current_value": "当前值"}


def _item_plan(kind: str, name: str, values: dict, obj, order: int) -> ItemPlan:
    """Create ``name`` with ``values``, or change the fields of ``obj`` that differ (its position stays:
    a milestone is shown by date, and a new order alone is no change worth confirming)."""
    labels = MILESTONE_LABELS if kind == "milestone" else INDICATOR_LABELS
    if obj is None:
        changes = [
            Change(labels[k], "", _show(v)) for k, v in values.items() if k in labels and v not in (None, "")
        ]
        return ItemPlan(kind, name, "create", values={**values, "order": order}, changes=changes)
    updates = {key: value for key, value in values.items() if getattr(obj, key) != value}
    changes = [Change(labels[k], _show(getattr(obj, k)), _show(v)) for k, v in updates.items()]
    action = "update" if updates else "same"
    return ItemPlan(kind, name, action, changes=changes, values=updates, obj=obj)


# --- the upload between preview and confirmation --------------------------------------------------------

TOKEN_RE = re.compile(r"^[0-9a-f]{64}$")


def _stage_key(user, token: str) -> str:
    return f"projects:import:{user.pk}:{token}"


def stage_upload(*, user, content: bytes) -> str:
    """Keep an uploaded workbook until the office confirms its preview; the token is its SHA-256, the key
    is the user's, so nobody else can confirm it and a different file cannot take its place."""
    token = hashlib.sha256(content).hexdigest()
    cache.set(_stage_key(user, token), content, STAGE_SECONDS)
    return token


def staged_upload(*, user, token: str) -> bytes | None:
    """The workbook ``user`` staged as ``token``, or None (expired, never staged, another user's)."""
    if not TOKEN_RE.match(token or ""):
        return None
    content = cache.get(_stage_key(user, token))
    if not isinstance(content, bytes) or hashlib.sha256(content).hexdigest() != token:
        return None
    return content


def discard_upload(*, user, token: str) -> None:
    if TOKEN_RE.match(token or ""):
        cache.delete(_stage_key(user, token))
