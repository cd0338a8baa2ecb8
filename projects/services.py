"""Writes of the project registry. Each is one keyword-only function that checks the actor's role and
scope, locks what it changes, records an audit event and runs in one transaction."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiangyan.audit import audit_record
from jiangyan.exceptions import ApplicationError
from jiangyan.models import register_verbs
from jiangyan.roles import Role, has_role, require_role

from .choices import EvaluatorRole, ProjectStatus
from .models import Evaluation, Indicator, IndicatorUpdate, Milestone, ProgressStatement, Project, ProjectPhoto

register_verbs(
    {
        "project.import": "导入项目",
        "project.statement": "填报进展",
        "project.milestone_done": "完成节点",
        "project.indicator_update": "更新指标",
        "project.photo_add": "上传照片",
        "project.evaluate": "评价项目",
        "project.status": "变更状态",
    }
)


def _editable_project(*, actor, project: Project) -> Project:
    """The project locked for update, if ``actor`` may edit it; PermissionDenied otherwise."""
    require_role(actor, Role.UNIT_STAFF)
    locked = Project.objects.editable_by(actor).select_for_update().filter(pk=project.pk).first()
    if locked is None:
        raise PermissionDenied("只能维护本单位领办的项目。")
    return locked


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _apply_indicator_values(
    *, actor, project: Project, values: dict[int, Decimal], statement: ProgressStatement | None = None
) -> list[IndicatorUpdate]:
    indicators = {i.pk: i for i in Indicator.objects.select_for_update().filter(project=project, pk__in=values)}
    unknown = set(values) - set(indicators)
    if unknown:
        raise ApplicationError("指标不属于该项目。", fields={"indicators": ["指标不属于该项目。"]})
    updates = []
    for pk, value in values.items():
        indicator = indicators[pk]
        if value is None or value < 0:
            raise ApplicationError(
                f"“{indicator.name}”的当前值不能为负数。", fields={f"indicator_{pk}": ["不能为负数。"]}
            )
        if value == indicator.current_value:
            continue
        updates.append(
            IndicatorUpdate(
                indicator=indicator, statement=statement, previous_value=indicator.current_value, value=value,
                author=actor,
            )
        )
        before = indicator.current_value
        indicator.current_value = value
        indicator.save(update_fields=["current_value"])
        audit_record(
            actor=actor, verb="project.indicator_update", target=project,
            before={"indicator": indicator.name, "value": _fmt(before)},
            after={"indicator": indicator.name, "value": _fmt(value)},
            note=f"{indicator.name}：{_fmt(before)} → {_fmt(value)}{indicator.unit}",
        )
    IndicatorUpdate.objects.bulk_create(updates)
    return updates


@transaction.atomic
def indicator_update(*, actor, project: Project, values: dict[int, Decimal]) -> list[IndicatorUpdate]:
    """Set the current value of some of ``project``'s indicators (``{indicator_id: value}``)."""
    project = _editable_project(actor=actor, project=project)
    return _apply_indicator_values(actor=actor, project=project, values=values)


def _add_photos(*, actor, project: Project, images: Iterable, caption: str = "", **links) -> list[ProjectPhoto]:
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
    actor,
    project: Project,
    period_start: datetime.date,
    period_end: datetime.date,
    text: str,
    photos: Sequence = (),
    indicator_values: dict[int, Decimal] | None = None,
) -> ProgressStatement:
    """Post a progress statement (领办单位述) with its photos and indicator updates."""
    project = _editable_project(actor=actor, project=project)
    if period_end < period_start:
        raise ApplicationError("截止日期不能早于起始日期。", fields={"period_end": ["截止日期不能早于起始日期。"]})
    if period_end > timezone.localdate():
        raise ApplicationError("不能填报未来的进展。", fields={"period_end": ["截止日期不能晚于今天。"]})
    if not text.strip():
        raise ApplicationError("请填写进展情况。", fields={"text": ["请填写进展情况。"]})
    statement = ProgressStatement.objects.create(
        project=project, period_start=period_start, period_end=period_end, text=text.strip(), author=actor
    )
    _add_photos(actor=actor, project=project, images=photos, caption="进展照片", statement=statement)
    if indicator_values:
        _apply_indicator_values(actor=actor, project=project, values=indicator_values, statement=statement)
    if project.status == ProjectStatus.NOT_STARTED:
        project.status = ProjectStatus.IN_PROGRESS
        project.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, verb="project.statement", target=project,
        after={"period": f"{period_start:%Y-%m-%d}—{period_end:%Y-%m-%d}", "photos": len(photos)},
        note=f"{period_start:%m-%d}—{period_end:%m-%d}",
    )
    return statement


@transaction.atomic
def milestone_complete(
    *, actor, milestone: Milestone, done_date: datetime.date, evidence: str, photos: Sequence = ()
) -> Milestone:
    """Mark ``milestone`` done on ``done_date`` with its evidence. When every milestone is done, the
    project becomes 已完成."""
    project = _editable_project(actor=actor, project=milestone.project)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, project=project)
    if milestone.done_date is not None:
        raise ApplicationError("该节点已完成。", code="already_done", fields={"done_date": ["该节点已完成。"]})
    if done_date > timezone.localdate():
        raise ApplicationError("完成日期不能晚于今天。", fields={"done_date": ["完成日期不能晚于今天。"]})
    if done_date < project.planned_start - datetime.timedelta(days=366):
        raise ApplicationError("完成日期不合理。", fields={"done_date": ["完成日期早于项目开始一年以上。"]})
    if not evidence.strip() and not photos:
        raise ApplicationError("请填写完成佐证或上传照片。", fields={"evidence": ["请填写完成佐证或上传照片。"]})
    milestone.done_date = done_date
    milestone.evidence = evidence.strip()
    milestone.save(update_fields=["done_date", "evidence"])
    _add_photos(actor=actor, project=project, images=photos, caption=milestone.name, milestone=milestone)
    audit_record(
        actor=actor, verb="project.milestone_done", target=project,
        before={"milestone": milestone.name, "done_date": None},
        after={"milestone": milestone.name, "done_date": done_date.isoformat()},
        note=f"{milestone.name}（{done_date:%Y-%m-%d}）",
    )
    status_before = project.status
    if not project.milestones.filter(done_date__isnull=True).exists():
        project.status = ProjectStatus.COMPLETED
    elif project.status == ProjectStatus.NOT_STARTED:
        project.status = ProjectStatus.IN_PROGRESS
    if project.status != status_before:
        project.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, verb="project.status", target=project,
            before={"status": status_before}, after={"status": project.status},
            note=project.get_status_display(),
        )
    return milestone


@transaction.atomic
def photo_add(*, actor, project: Project, images: Sequence, caption: str = "") -> list[ProjectPhoto]:
    """Upload photos of ``project`` (already checked by ``jiangyan.uploads``)."""
    project = _editable_project(actor=actor, project=project)
    if not images:
        raise ApplicationError("请选择图片。", fields={"images": ["请选择图片。"]})
    photos = _add_photos(actor=actor, project=project, images=images, caption=caption)
    audit_record(actor=actor, verb="project.photo_add", target=project, after={"count": len(photos)}, note=caption)
    return photos


def evaluator_role_of(user) -> str | None:
    """The role ``user`` rates projects in: 领导干部评 before 普通党员议 before 群众评议."""
    for role, evaluator_role in (
        (Role.SUPERVISOR, EvaluatorRole.SUPERVISOR),
        (Role.PARTY_MEMBER, EvaluatorRole.PARTY_MEMBER),
        (Role.RESIDENT, EvaluatorRole.RESIDENT),
    ):
        if has_role(user, role):
            return evaluator_role
    return None


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


ALREADY_RATED = "您本月已评价过该项目，每人每月对同一项目只能评价一次。"


@transaction.atomic
def evaluation_create(*, actor, project: Project, score: int, comment: str = "") -> Evaluation:
    """Rate ``project`` once per calendar month: party members (议), supervisors (评), residents (群众评议)."""
    require_role(actor, Role.SUPERVISOR, Role.PARTY_MEMBER, Role.RESIDENT)
    if not Project.objects.visible_to(actor).filter(pk=project.pk).exists():
        raise PermissionDenied("您无权评价该项目。")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ApplicationError("评分应为 1 到 5 分。", fields={"score": ["评分应为 1 到 5 分。"]})
    month = month_of(timezone.localdate())
    if Evaluation.objects.filter(project=project, evaluator=actor, month=month).exists():
        raise ApplicationError(ALREADY_RATED, code="already_rated", fields={"score": [ALREADY_RATED]})
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                project=project, evaluator=actor, evaluator_role=evaluator_role_of(actor), score=score,
                comment=comment.strip()[:2000], month=month,
            )
    except IntegrityError as exc:  # a simultaneous second rating lost the race to the unique constraint
        raise ApplicationError(ALREADY_RATED, code="already_rated", fields={"score": [ALREADY_RATED]}) from exc
    audit_record(
        actor=actor, verb="project.evaluate", target=project,
        after={"score": score, "role": evaluation.evaluator_role}, note=f"{evaluation.get_evaluator_role_display()} {score} 分",
    )
    return evaluation
