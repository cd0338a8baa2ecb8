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
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Town, Unit
from jiangyan.exceptions import ApplicationError

from . import spreadsheets as sheets
from .choices import ProjectStatus
from .models import Domain, Indicator, IndicatorUpdate, Milestone, Program, Project, TargetGroup

CODE_RE = re.compile(r"^(?=.*\d)[A-Za-z0-9-]{1,20}$")  # the API's lookup (``[A-Za-z0-9-]+``), with a digit
VALUE_LIMIT = Decimal(10) ** 12
MAX_TEXT = {"title": 120, "responsible_leader": 50, "summary": 5000}
STAGE_SECONDS = 60 * 60


class ImportRejected(ApplicationError):
    """An import with bad rows: nothing was written; ``row_errors`` names each bad row and why."""

    def __init__(self, row_errors: list[str]):
        super().__init__(
            _("导入失败：共 %(n)d 处错误，未写入任何数据。") % {"n": len(row_errors)},
            code="import_rejected",
            fields={"file": row_errors},
        )
        self.row_errors = row_errors


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
        """One line for the history: what the import did to this project."""
        parts = []
        if self.action == "create":
            parts.append(_("新建"))
        elif self.changes:
            parts.append(_("修改：%(fields)s") % {"fields": "、".join(c.field for c in self.changes)})
        for kind, items in ((_("节点"), self.milestones), (_("指标"), self.indicators)):
            counts = defaultdict(int)
            for item in items:
                counts[item.action] += 1
            done = [
                f"{label} {counts[action]}"
                for action, label in (("create", _("新增")), ("update", _("修改")), ("delete", _("删除")))
                if counts[action]
            ]
            if done:
                parts.append(f"{kind}{'、'.join(done)}")
        return "；".join(parts)


@dataclass
class ImportPlan:
    projects: list[ProjectPlan]
    untouched: int  # projects of the registry the sheet does not list: they stay as they are

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
        canonical = [
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


# --- reading the rows ----------------------------------------------------------------------------------


class _Errors(list):
    def add(self, row: sheets.Row, problem: str) -> None:
        self.append(f"{row.where()}：{problem}")


def _lookup(queryset, *name_fields: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for obj in queryset:
        for name_field in name_fields:
            key = getattr(obj, name_field, "")
            if key:
                table.setdefault(key, obj)
    return table


class _Reader:
    """Reads the cells of one row into checked values, collecting every problem in ``errors``."""

    def __init__(self, errors: _Errors, *, creating: bool):
        self.errors, self.creating = errors, creating

    def text(self, row, column: str, *, required=False, max_length=0):
        if not row.has(column):
            if required and self.creating:
                self.errors.add(row, _("“%(column)s”不能为空。") % {"column": column})
            return KEEP
        value = sheets.text(row.get(column))
        if sheets.has_control_characters(value):
            self.errors.add(row, _("“%(column)s”含有无法保存的控制字符。") % {"column": column})
            return None
        if required and not value:
            self.errors.add(row, _("“%(column)s”不能为空。") % {"column": column})
            return None
        if max_length and len(value) > max_length:
            self.errors.add(row, _("“%(column)s”超过 %(n)d 个字。") % {"column": column, "n": max_length})
            return None
        return value

    def one(self, row, column: str, table: dict):
        value = self.text(row, column, required=True)
        if value is KEEP or value is None:
            return value
        if value not in table:
            self.errors.add(row, _("%(column)s“%(value)s”不存在。") % {"column": column, "value": value})
            return None
        return table[value]

    def many(self, row, column: str, table: dict):
        if not row.has(column):
            return KEEP
        found = []
        for name in sheets.split_list(row.get(column)):
            if name not in table:
                self.errors.add(row, _("%(column)s“%(value)s”不存在。") % {"column": column, "value": name})
            elif table[name] not in found:
                found.append(table[name])
        return found

    def date(self, row, column: str, *, required=True):
        if not row.has(column):
            if required and self.creating:
                self.errors.add(row, _("“%(column)s”不能为空。") % {"column": column})
            return KEEP
        raw = row.get(column)
        if raw is None or sheets.text(raw) == "":
            if required:
                self.errors.add(row, _("“%(column)s”不能为空。") % {"column": column})
                return None
            return KEEP
        try:
            return sheets.parse_date(raw)
        except ValueError:
            self.errors.add(
                row,
                _("“%(column)s”不是有效日期（应为 2021-05-01 的格式）：%(value)s。")
                % {"column": column, "value": sheets.text(raw)[:40]},
            )
            return None

    def choice(self, row, column: str, table: dict[str, Any]):
        """A value from ``table`` (label → value); an empty cell or a missing column keeps the value."""
        if not row.has(column) or sheets.text(row.get(column)) == "":
            return KEEP
        label = sheets.text(row.get(column))
        if label not in table:
            self.errors.add(
                row,
                _("“%(column)s”应为 %(choices)s 之一：%(value)s。")
                % {"column": column, "choices": "、".join(table), "value": label[:40]},
            )
            return None
        return table[label]

    def number(self, row, column: str, *, positive: bool, required: bool):
        if not row.has(column) or sheets.text(row.get(column)) == "":
            if required:
                self.errors.add(row, _("%(column)s不能为空。") % {"column": column})
                return None
            return KEEP
        raw = row.get(column)
        try:
            value = sheets.parse_decimal(raw)
        except ValueError:
            self.errors.add(row, _("%(column)s应为数字。") % {"column": column})
            return None
        if value < 0 or (positive and value == 0) or value >= VALUE_LIMIT:
            self.errors.add(
                row, _("%(column)s“%(value)s”超出范围。") % {"column": column, "value": sheets.text(raw)[:40]}
            )
            return None
        if value != value.quantize(Decimal("0.01")):
            self.errors.add(row, _("%(column)s最多保留两位小数。") % {"column": column})
            return None
        return value


# --- planning ------------------------------------------------------------------------------------------


def _existing(codes: list[str]) -> dict[str, Project]:
    indicators = Indicator.objects.annotate(
        reported=Exists(IndicatorUpdate.objects.filter(indicator=OuterRef("pk")))
    ).order_by("order", "id")
    return {
        p.code: p
        for p in Project.objects.filter(code__in=codes)
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


def plan_import(book: sheets.Workbook3) -> ImportPlan:
    """Check every row of ``book`` and plan the import; ImportRejected names every bad row."""
    if not book.projects:
        raise ImportRejected([_("“项目”工作表没有数据行。")])
    errors = _Errors()
    tables = {
        "program": _lookup(Program.objects.all(), "name"),
        "domain": _lookup(Domain.objects.all(), "name"),
        "groups": _lookup(TargetGroup.objects.all(), "name"),
        "unit": _lookup(Unit.objects.all(), "name", "short_name"),
        "towns": _lookup(Town.objects.all(), "name"),
    }
    tables["units"] = tables["unit"]
    statuses = sheets.status_by_label()
    publics = {sheets.YES: True, sheets.NO: False}
    existing = _existing([sheets.text(r.get("编号")) for r in book.projects])

    plans: dict[str, ProjectPlan] = {}
    for row in book.projects:
        plan = _plan_project(row, errors, plans, existing, tables, statuses, publics)
        if plan is not None:
            plans[plan.code] = plan

    milestone_rows = _rows_by_project(book.milestones, plans, errors)
    indicator_rows = _rows_by_project(book.indicators, plans, errors)
    today = timezone.localdate()
    for code, plan in plans.items():
        if code in milestone_rows:
            _plan_milestones(plan, milestone_rows[code], errors, today)
        if code in indicator_rows:
            _plan_indicators(plan, indicator_rows[code], errors)
        if plan.action == "unchanged" and (plan.changes or plan.item_changes):
            plan.action = "update"
    if errors:
        raise ImportRejected(list(errors))
    listed = set(plans)
    untouched = Project.objects.exclude(code__in=listed).count()
    return ImportPlan(projects=list(plans.values()), untouched=untouched)


def _plan_project(row, errors, plans, existing, tables, statuses, publics) -> ProjectPlan | None:
    before = len(errors)
    code = sheets.text(row.get("编号"))
    if not code:
        errors.add(row, _("“编号”不能为空。"))
        return None
    if not CODE_RE.match(code):
        errors.add(
            row,
            _("编号“%(code)s”无效：应为不超过 20 位的字母、数字和连字符，且含数字（如 JY2021-001）。")
            % {"code": code[:40]},
        )
        return None
    if code in plans:
        errors.add(
            row,
            _("编号“%(code)s”与第 %(number)d 行重复。") % {"code": code, "number": plans[code].row.number},
        )
        return None
    project = existing.get(code)
    read = _Reader(errors, creating=project is None)
    sheet_values: dict[str, Any] = {}
    for column, name, kind in PROJECT_FIELDS:
        if kind == "text":
            value = read.text(row, column, required=name == "title", max_length=MAX_TEXT[name])
        elif kind in ("program", "domain", "unit"):
            value = read.one(row, column, tables[kind])
        elif kind in ("groups", "units", "towns"):
            value = read.many(row, column, tables[kind])
        elif kind == "date":
            value = read.date(row, column)
        elif kind == "public":
            value = read.choice(row, column, publics)
        else:
            value = read.choice(row, column, statuses)
        sheet_values[name] = value
    title = sheet_values["title"] if isinstance(sheet_values["title"], str) else getattr(project, "title", "")
    plan = ProjectPlan(row=row, code=code, title=title, project=project)
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
        start, end = plan.values["planned_start"], plan.values["planned_end"]
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
        start = plan.values.get("planned_start", project.planned_start)
        end = plan.values.get("planned_end", project.planned_end)
        if plan.changes:
            plan.action = "update"
    if start and end and end < start:
        errors.add(row, _("计划完成日期早于计划开始日期。"))
    return plan


def _rows_by_project(rows, plans, errors) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        code = sheets.text(row.get("项目编号"))
        if not code:
            errors.add(row, _("“项目编号”不能为空。"))
        elif code not in plans:
            errors.add(row, _("项目编号“%(code)s”不在“项目”表中。") % {"code": code[:40]})
        else:
            grouped[code].append(row)
    return grouped


def _plan_milestones(plan: ProjectPlan, rows: list, errors: _Errors, today: datetime.date) -> None:
    current = {m.name: m for m in plan.project.milestones.all()} if plan.project else {}
    seen: dict[str, sheets.Row] = {}
    row_has_done: dict[str, bool] = {}
    weights, valid = [], True
    for order, row in enumerate(rows):
        before = len(errors)
        read = _Reader(errors, creating=True)
        name = read.text(row, "节点名称", required=True, max_length=100)
        planned = read.date(row, "计划完成日期")
        done = read.date(row, "实际完成日期", required=False)
        evidence = read.text(row, "完成佐证", max_length=2000)
        try:
            weight = sheets.parse_weight(row.get("权重"))
            weights.append(weight)
        except ValueError:
            errors.add(row, _("权重应为 0 到 100 的整数。"))
            weight = None
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


def _plan_indicators(plan: ProjectPlan, rows: list, errors: _Errors) -> None:
    current = {i.name: i for i in plan.project.indicators.all()} if plan.project else {}
    seen: dict[str, sheets.Row] = {}
    for order, row in enumerate(rows):
        before = len(errors)
        read = _Reader(errors, creating=True)
        name = read.text(row, "指标名称", required=True, max_length=80)
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
        values = {"target_value": target}
        if unit is not KEEP:
            values["unit"] = unit
        if value is not KEEP:
            values["current_value"] = value
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
