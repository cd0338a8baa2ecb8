"""Writes of the project registry. Each is one keyword-only function, the actor first, that checks the
actor's role and scope, locks what it changes, records an audit event and runs in one transaction."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Town, Unit, User
from jiangyan.audit import audit_record, audit_transition
from jiangyan.exceptions import ApplicationError, field_error
from jiangyan.roles import Role, require_role
from jiangyan.scoping import lock_editable

from . import spreadsheets as sheets
from .choices import ProjectStatus
from .models import (
    Domain,
    Evaluation,
    Indicator,
    IndicatorUpdate,
    Milestone,
    Program,
    ProgressStatement,
    Project,
    ProjectPhoto,
    TargetGroup,
    evaluator_role_of,
    month_of,
)
from .schedule import store_schedule


def _lock_project(*, actor: User, project: Project) -> Project:
    """``project`` locked for update if ``actor`` (unit staff) may maintain it; PermissionDenied otherwise."""
    require_role(actor, Role.UNIT_STAFF)
    return lock_editable(Project.objects, actor, pk=project.pk, message=_("只能维护本单位领办的项目。"))


def _set_status(*, actor: User, project: Project, status: str) -> None:
    """Move the (locked) ``project`` to ``status`` and record the ``project.status`` event; nothing when it
    is already there."""
    before = project.status
    if status == before:
        return
    project.status = status
    project.save(update_fields=["status", "updated_at"])
    store_schedule(Project.objects.filter(pk=project.pk))  # a completed project without milestones is 100 %
    audit_transition(
        actor=actor,
        verb="project.status",
        target=project,
        before=before,
        after=status,
        note=project.get_status_display(),
    )


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _apply_indicator_values(
    *,
    actor: User,
    project: Project,
    values: dict[int, Decimal],
    statement: ProgressStatement | None = None,
) -> list[IndicatorUpdate]:
    indicators = {
        i.pk: i for i in Indicator.objects.select_for_update().filter(project=project, pk__in=values)
    }
    if set(values) - set(indicators):
        raise field_error("indicators", _("指标不属于该项目。"))
    updates = []
    for pk, value in values.items():
        indicator = indicators[pk]
        if value is None or value < 0:
            raise ApplicationError(
                _("“%(name)s”的当前值不能为负数。") % {"name": indicator.name},
                fields={f"indicator_{pk}": [_("不能为负数。")]},
            )
        if value == indicator.current_value:
            continue
        updates.append(
            IndicatorUpdate(
                indicator=indicator,
                statement=statement,
                previous_value=indicator.current_value,
                value=value,
                author=actor,
            )
        )
        before = indicator.current_value
        indicator.current_value = value
        indicator.save(update_fields=["current_value"])
        audit_record(
            actor=actor,
            verb="project.indicator_update",
            target=project,
            before={"indicator": indicator.name, "value": _fmt(before)},
            after={"indicator": indicator.name, "value": _fmt(value)},
            note=f"{indicator.name}：{_fmt(before)} → {_fmt(value)}{indicator.unit}",
        )
    IndicatorUpdate.objects.bulk_create(updates)
    return updates


@transaction.atomic
def indicator_update(*, actor: User, project: Project, values: dict[int, Decimal]) -> list[IndicatorUpdate]:
    """Set the current value of some of ``project``'s indicators (``{indicator_id: value}``)."""
    project = _lock_project(actor=actor, project=project)
    return _apply_indicator_values(actor=actor, project=project, values=values)


def _add_photos(
    *, actor: User, project: Project, images: Iterable, caption: str = "", **links
) -> list[ProjectPhoto]:
    photos = [
        ProjectPhoto(project=project, image=image, caption=caption[:100], uploaded_by=actor, **links)
        for image in images
    ]
    for photo in photos:
        photo.save()
    return photos


@transaction.atomic
def statement_create(
    *,
    actor: User,
    project: Project,
    period_start: datetime.date,
    period_end: datetime.date,
    text: str,
    photos: Sequence = (),
    indicator_values: dict[int, Decimal] | None = None,
) -> ProgressStatement:
    """Post a progress statement (领办单位述) with its photos and indicator updates. The first statement of a
    project that has not started moves it to 推进中."""
    project = _lock_project(actor=actor, project=project)
    if period_end < period_start:
        raise field_error("period_end", _("截止日期不能早于起始日期。"))
    if period_end > timezone.localdate():
        raise ApplicationError(
            _("不能填报未来的进展。"), fields={"period_end": [_("截止日期不能晚于今天。")]}
        )
    if not text.strip():
        raise field_error("text", _("请填写进展情况。"))
    statement = ProgressStatement.objects.create(
        project=project, period_start=period_start, period_end=period_end, text=text.strip(), author=actor
    )
    if indicator_values:
        _apply_indicator_values(actor=actor, project=project, values=indicator_values, statement=statement)
    # Photos last: nothing after them can refuse the statement and leave their files behind.
    _add_photos(actor=actor, project=project, images=photos, caption=_("进展照片"), statement=statement)
    audit_record(
        actor=actor,
        verb="project.statement",
        target=project,
        after={"period": f"{period_start:%Y-%m-%d}—{period_end:%Y-%m-%d}", "photos": len(photos)},
        note=f"{period_start:%m-%d}—{period_end:%m-%d}",
    )
    if project.status == ProjectStatus.NOT_STARTED:
        _set_status(actor=actor, project=project, status=ProjectStatus.IN_PROGRESS)
    return statement


@transaction.atomic
def milestone_complete(
    *, actor: User, milestone: Milestone, done_date: datetime.date, evidence: str, photos: Sequence = ()
) -> Milestone:
    """Mark ``milestone`` done on ``done_date`` with its evidence. When every milestone is done, the
    project becomes 已完成; a project that had not started becomes 推进中."""
    project = _lock_project(actor=actor, project=milestone.project)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, project=project)
    if milestone.done_date is not None:
        raise field_error("done_date", _("该节点已完成。"), code="already_done")
    if done_date > timezone.localdate():
        raise field_error("done_date", _("完成日期不能晚于今天。"))
    if done_date < project.planned_start - datetime.timedelta(days=366):
        raise ApplicationError(
            _("完成日期不合理。"), fields={"done_date": [_("完成日期早于项目开始一年以上。")]}
        )
    if not evidence.strip() and not photos:
        raise field_error("evidence", _("请填写完成佐证或上传照片。"))
    milestone.done_date = done_date
    milestone.evidence = evidence.strip()
    milestone.save(update_fields=["done_date", "evidence"])
    _add_photos(actor=actor, project=project, images=photos, caption=milestone.name, milestone=milestone)
    audit_record(
        actor=actor,
        verb="project.milestone_done",
        target=project,
        before={"milestone": milestone.name, "done_date": None},
        after={"milestone": milestone.name, "done_date": done_date.isoformat()},
        note=f"{milestone.name}（{done_date:%Y-%m-%d}）",
    )
    if not project.milestones.filter(done_date__isnull=True).exists():
        _set_status(actor=actor, project=project, status=ProjectStatus.COMPLETED)
    elif project.status == ProjectStatus.NOT_STARTED:
        _set_status(actor=actor, project=project, status=ProjectStatus.IN_PROGRESS)
    store_schedule(Project.objects.filter(pk=project.pk))
    return milestone


@transaction.atomic
def photo_add(*, actor: User, project: Project, images: Sequence, caption: str = "") -> list[ProjectPhoto]:
    """Upload photos of ``project`` (already checked by ``jiangyan.uploads``)."""
    project = _lock_project(actor=actor, project=project)
    if not images:
        raise field_error("images", _("请选择图片。"))
    photos = _add_photos(actor=actor, project=project, images=images, caption=caption)
    audit_record(
        actor=actor, verb="project.photo_add", target=project, after={"count": len(photos)}, note=caption
    )
    return photos


def _already_rated() -> ApplicationError:
    message = _("您本月已评价过该项目，每人每月对同一项目只能评价一次。")
    return field_error("score", message, code="already_rated")


@transaction.atomic
def evaluation_create(*, actor: User, project: Project, score: int, comment: str = "") -> Evaluation:
    """Rate ``project`` once per calendar month: party members (议), supervisors (评), residents."""
    require_role(actor, Role.SUPERVISOR, Role.PARTY_MEMBER, Role.RESIDENT)
    if not Project.objects.visible_to(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("您无权评价该项目。"))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise field_error("score", _("评分应为 1 到 5 分。"))
    month = month_of(timezone.localdate())
    if Evaluation.objects.filter(project=project, evaluator=actor, month=month).exists():
        raise _already_rated()
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                project=project,
                evaluator=actor,
                evaluator_role=evaluator_role_of(actor),
                score=score,
                comment=comment.strip()[:2000],
                month=month,
            )
    except IntegrityError as exc:  # a simultaneous second rating lost the race to the unique constraint
        raise _already_rated() from exc
    audit_record(
        actor=actor,
        verb="project.evaluate",
        target=project,
        after={"score": score, "role": evaluation.evaluator_role},
        note=_("%(role)s %(score)s 分") % {"role": evaluation.get_evaluator_role_display(), "score": score},
    )
    return evaluation


class ImportRejected(ApplicationError):
    """An import with bad rows: nothing was written; ``row_errors`` names each bad row and why."""

    def __init__(self, row_errors: list[str]):
        super().__init__(
            _("导入失败：共 %(n)d 处错误，未写入任何数据。") % {"n": len(row_errors)},
            code="import_rejected",
            fields={"file": row_errors},
        )
        self.row_errors = row_errors


@dataclass
class ImportResult:
    projects: int
    milestones: int
    indicators: int


def _lookup(model, *names_fields: str) -> dict[str, object]:
    table: dict[str, object] = {}
    for obj in model.objects.all():
        for name_field in names_fields:
            key = getattr(obj, name_field, "")
            if key:
                table.setdefault(key, obj)
    return table


@transaction.atomic
def projects_import(*, actor: User, upload) -> ImportResult:
    """Import the project list (项目, 节点, 指标 sheets) in one transaction: every row or none.

    Raises ``ImportRejected`` listing every bad row (sheet, row number, reason); nothing is written then."""
    require_role(actor, Role.ADMIN)
    try:
        book = sheets.read_workbook(upload)
    except sheets.SheetError as exc:
        raise ImportRejected([str(exc)]) from exc
    if not book.projects:
        raise ImportRejected([_("“项目”工作表没有数据行。")])

    programs, domains = _lookup(Program, "name"), _lookup(Domain, "name")
    groups, towns = _lookup(TargetGroup, "name"), _lookup(Town, "name")
    units = _lookup(Unit, "name", "short_name")
    existing_codes = set(
        Project.objects.filter(
            code__in=[sheets.text(r.cells.get("编号")) for r in book.projects]
        ).values_list("code", flat=True)
    )
    errors: list[str] = []

    def bad(row: sheets.Row, problem: str) -> None:
        errors.append(f"{row.where()}：{problem}")

    parsed: dict[str, dict] = {}
    project_rows: dict[str, sheets.Row] = {}

    def need(row, column, table=None, label=None):
        value = sheets.text(row.cells.get(column))
        if not value:
            bad(row, _("“%(column)s”不能为空。") % {"column": column})
            return None
        if table is not None and value not in table:
            bad(row, _("%(column)s“%(value)s”不存在。") % {"column": label or column, "value": value})
            return None
        return table[value] if table is not None else value

    def many(row, column, table):
        found = []
        for name in sheets.split_list(row.cells.get(column)):
            if name not in table:
                bad(row, _("%(column)s“%(value)s”不存在。") % {"column": column, "value": name})
            else:
                found.append(table[name])
        return found

    def date_of(row, column, *, required=True):
        raw = row.cells.get(column)
        if raw in (None, ""):
            if required:
                bad(row, _("“%(column)s”不能为空。") % {"column": column})
            return None
        try:
            return sheets.parse_date(raw)
        except ValueError:
            bad(
                row,
                _("“%(column)s”不是有效日期（应为 2021-05-01 的格式）：%(value)s。")
                % {"column": column, "value": sheets.text(raw)},
            )
            return None

    for row in book.projects:
        before = len(errors)
        code = need(row, "编号")
        if code:
            if len(code) > 20:
                bad(row, _("编号“%(code)s”超过 20 个字符。") % {"code": code})
            elif code in project_rows:
                bad(
                    row,
                    _("编号“%(code)s”与第 %(number)d 行重复。")
                    % {"code": code, "number": project_rows[code].number},
                )
            elif code in existing_codes:
                bad(row, _("编号“%(code)s”已存在于项目库。") % {"code": code})
        title = need(row, "项目名称")
        if title and len(title) > 120:
            bad(row, _("项目名称超过 120 个字符。"))
        program = need(row, "工程", programs)
        domain = need(row, "领域", domains)
        lead_unit = need(row, "领办单位", units)
        start, end = date_of(row, "计划开始"), date_of(row, "计划完成")
        if start and end and end < start:
            bad(row, _("计划完成日期早于计划开始日期。"))
        public_text = sheets.text(row.cells.get("是否公开")) or "是"
        if public_text not in ("是", "否"):
            bad(row, _("“是否公开”应填“是”或“否”。"))
        status_text = sheets.text(row.cells.get("状态")) or str(ProjectStatus.NOT_STARTED.label)
        if status_text not in sheets.STATUS_BY_LABEL:
            bad(
                row,
                _("状态“%(value)s”无效，应为 %(choices)s。")
                % {"value": status_text, "choices": "、".join(sheets.STATUS_BY_LABEL)},
            )
        target_groups = many(row, "服务对象", groups)
        cooperating = many(row, "协办单位", units)
        project_towns = many(row, "实施镇街", towns)
        if code and code not in project_rows:
            project_rows[code] = row
        if len(errors) == before:
            parsed[code] = {
                "project": Project(
                    code=code,
                    title=title,
                    summary=sheets.text(row.cells.get("项目简介")),
                    program=program,
                    domain=domain,
                    lead_unit=lead_unit,
                    responsible_leader=sheets.text(row.cells.get("责任领导"))[:50],
                    planned_start=start,
                    planned_end=end,
                    is_public=public_text == "是",
                    status=sheets.STATUS_BY_LABEL.get(status_text),
                ),
                "groups": target_groups,
                "cooperating": cooperating,
                "towns": project_towns,
                "milestones": [],
                "indicators": [],
            }

    today = timezone.localdate()
    weights: dict[str, list[int]] = {}
    for row in book.milestones:
        before = len(errors)
        code = need(row, "项目编号")
        if code and code not in project_rows:
            bad(row, _("项目编号“%(code)s”不在“项目”表中。") % {"code": code})
        name = need(row, "节点名称")
        planned = date_of(row, "计划完成日期")
        done = date_of(row, "实际完成日期", required=False)
        if done and done > today:
            bad(row, _("实际完成日期晚于今天。"))
        try:
            weight = int(sheets.parse_decimal(row.cells.get("权重")))
            if not 0 <= weight <= 100 or sheets.parse_decimal(row.cells.get("权重")) != weight:
                raise ValueError
        except ValueError:
            bad(row, _("权重应为 0 到 100 的整数。"))
            weight = None
        if code in project_rows and weight is not None:
            weights.setdefault(code, []).append(weight)
        if len(errors) == before and code in parsed:
            parsed[code]["milestones"].append(
                Milestone(
                    name=name[:100],
                    planned_date=planned,
                    weight=weight,
                    done_date=done,
                    evidence=sheets.text(row.cells.get("完成佐证")),
                )
            )
    for code, values in weights.items():
        if sum(values) != 100:
            bad(
                project_rows[code],
                _("项目“%(code)s”的节点权重合计为 %(total)d，应为 100。")
                % {"code": code, "total": sum(values)},
            )

    for row in book.indicators:
        before = len(errors)
        code = need(row, "项目编号")
        if code and code not in project_rows:
            bad(row, _("项目编号“%(code)s”不在“项目”表中。") % {"code": code})
        name = need(row, "指标名称")
        values = {}
        for column, minimum in (("目标值", "positive"), ("当前值", "zero")):
            raw = row.cells.get(column)
            if raw in (None, "") and column == "当前值":
                values[column] = Decimal(0)
                continue
            try:
                values[column] = sheets.parse_decimal(raw)
            except ValueError:
                bad(row, _("%(column)s应为数字。") % {"column": column})
                continue
            if (
                (minimum == "positive" and values[column] <= 0)
                or values[column] < 0
                or values[column] >= 10**12
            ):
                bad(row, _("%(column)s“%(value)s”超出范围。") % {"column": column, "value": sheets.text(raw)})
        if len(errors) == before and code in parsed:
            parsed[code]["indicators"].append(
                Indicator(
                    name=name[:80],
                    unit=sheets.text(row.cells.get("计量单位"))[:20],
                    target_value=values["目标值"],
                    current_value=values["当前值"],
                )
            )

    if errors:
        raise ImportRejected(errors)

    projects = Project.objects.bulk_create([item["project"] for item in parsed.values()])
    through_rows = {"target_groups": [], "cooperating_units": [], "towns": []}
    milestones, indicators = [], []
    for project, item in zip(projects, parsed.values(), strict=True):
        through_rows["target_groups"] += [
            Project.target_groups.through(project_id=project.pk, targetgroup_id=g.pk) for g in item["groups"]
        ]
        through_rows["cooperating_units"] += [
            Project.cooperating_units.through(project_id=project.pk, unit_id=u.pk)
            for u in item["cooperating"]
        ]
        through_rows["towns"] += [
            Project.towns.through(project_id=project.pk, town_id=t.pk) for t in item["towns"]
        ]
        for order, milestone in enumerate(item["milestones"]):
            milestone.project, milestone.order = project, order
            milestones.append(milestone)
        for order, indicator in enumerate(item["indicators"]):
            indicator.project, indicator.order = project, order
            indicators.append(indicator)
    for field_name, rows in through_rows.items():
        getattr(Project, field_name).through.objects.bulk_create(rows, ignore_conflicts=True)
    Milestone.objects.bulk_create(milestones)
    Indicator.objects.bulk_create(indicators)
    for project in projects:
        audit_record(actor=actor, verb="project.import", target=project, after={"code": project.code})
    store_schedule(Project.objects.filter(pk__in=[p.pk for p in projects]))
    return ImportResult(projects=len(projects), milestones=len(milestones), indicators=len(indicators))
