"""Writes of the project registry. Each is one keyword-only function, the actor first, that checks the
actor's role and scope, locks what it changes, records an audit event and runs in one transaction."""

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from campaigns.models import Campaign
from jiangyan.core.audit import audit_record, audit_transition
from jiangyan.core.exceptions import ApplicationError, ConflictError, field_error
from jiangyan.core.roles import Role, is_admin, require_role
from jiangyan.core.scoping import lock_editable
from jiangyan.helpers import clock
from jiangyan.helpers.wording import Wording, in_site_language

from . import importing, inputs, selectors
from .choices import LEAD_UNIT, STATUS_MOVES, EvaluatorRole, ProjectStatus, status_move_action
from .importing import ImportRejected  # noqa: F401 (the pages and tests catch it from here)
from .models import (
    WEIGHT_FIELDS,
    CampaignYear,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    Indicator,
    IndicatorUpdate,
    Milestone,
    ProgressStatement,
    Project,
    ProjectPhoto,
    month_of,
)
from .schedule import store_schedule

# The audit notes the services write, in the site's language (read in the reader's: jiangyan.helpers.wording).
STATUS_NOTE = Wording(gettext_noop("%(status)s：%(reason)s"), labels=("status",))
INDICATOR_NOTE = Wording(gettext_noop("%(indicator)s：%(before)s → %(after)s"))
MILESTONE_NOTE = Wording(gettext_noop("%(milestone)s（%(date)s）"))
# The scores: each criterion (named by the office, not translated) with its score.
EVALUATION_NOTE = Wording(gettext_noop("%(role)s：%(scores)s"), labels=("role",))
# Campaign years: the current year changed, a project carried over into the next year and where it came from.
CURRENT_YEAR_NOTE = Wording(gettext_noop("当前年度改为 %(year)s 年度"))
CARRY_OVER_NOTE = Wording(gettext_noop("转入 %(year)s 年度续建：%(code)s"))
CARRIED_IN_NOTE = Wording(gettext_noop("续建自 %(year)s 年度 %(code)s"))


def _lock_project(*, actor: User, project: Project) -> Project:
    """``project`` locked for update if ``actor`` (unit staff) may maintain it; PermissionDenied otherwise.
    A project carried over into a later year is maintained there: its own record stays as it was."""
    require_role(actor, Role.UNIT_STAFF)
    project = lock_editable(Project.objects, actor, pk=project.pk, message=_("只能维护本单位领办的项目。"))
    successor = Project.objects.filter(carried_from=project).values_list("code", flat=True).first()
    if successor:
        raise ConflictError(
            _("该项目已转入下一年度续建（%(code)s），请在续建项目中填报。") % {"code": successor},
            code="carried_over",
        )
    return project


def _set_status(*, actor: User, project: Project, status: str, reason: str = "") -> None:
    """Move the (locked) ``project`` to ``status`` and record the ``project.status`` event (with the reason
    of a change by hand); nothing when it is already there."""
    before = project.status
    if status == before:
        return
    project.status = status
    project.save(update_fields=["status", "updated_at"])
    store_schedule(Project.objects.filter(pk=project.pk))  # a completed project without milestones is 100 %
    label = ProjectStatus(status).label
    audit_transition(
        actor=actor,
        verb="project.status",
        target=project,
        before=before,
        after=status,
        note=STATUS_NOTE(status=label, reason=reason) if reason else in_site_language(label),
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
            note=INDICATOR_NOTE(
                indicator=indicator.name, before=_fmt(before), after=f"{_fmt(value)}{indicator.unit}"
            ),
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
    if period_end > clock.localdate():
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
    if done_date > clock.localdate():
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
        note=MILESTONE_NOTE(milestone=milestone.name, date=f"{done_date:%Y-%m-%d}"),
    )
    if not project.milestones.filter(done_date__isnull=True).exists():
        _set_status(actor=actor, project=project, status=ProjectStatus.COMPLETED)
    elif project.status == ProjectStatus.NOT_STARTED:
        _set_status(actor=actor, project=project, status=ProjectStatus.IN_PROGRESS)
    store_schedule(Project.objects.filter(pk=project.pk))
    return milestone


@transaction.atomic
def photo_add(*, actor: User, project: Project, images: Sequence, caption: str = "") -> list[ProjectPhoto]:
    """Upload photos of ``project`` (already checked by ``jiangyan.helpers.uploads``)."""
    project = _lock_project(actor=actor, project=project)
    if not images:
        raise field_error("images", _("请选择图片。"))
    photos = _add_photos(actor=actor, project=project, images=images, caption=caption)
    audit_record(
        actor=actor, verb="project.photo_add", target=project, after={"count": len(photos)}, note=caption
    )
    return photos


def _already_rated(field: str) -> ApplicationError:
    message = _("您在本轮评价中已评价过该项目，每人每轮对同一项目只能评价一次。")
    return field_error(field, message, code="already_rated")


def _closed() -> ApplicationError:
    return ApplicationError(_("现在不在评价时段内，暂不能评价。"), code="evaluation_closed")


def _nothing_asked() -> ApplicationError:
    return ApplicationError(_("评价内容尚未设置，暂不能评价。"), code="evaluation_closed")


def _scores_of(
    criteria: list[EvaluationCriterion], scores: dict[int, int] | None, score: int | None
) -> dict[EvaluationCriterion, int]:
    """``{criterion: score}`` for exactly the criteria asked, each 1–5; one ``score`` stands for the only
    criterion when a single one is asked."""
    if not scores and score is not None and len(criteria) == 1:
        scores = {criteria[0].pk: score}
    scores = scores or {}
    asked = {c.pk: c for c in criteria}
    if set(scores) - set(asked):
        raise field_error("scores", _("评分的评价内容不在本轮评价之列。"))
    missing = [c.name for c in criteria if scores.get(c.pk) is None]
    if missing:
        raise ApplicationError(
            _("请为每项评价内容打分：%(names)s。") % {"names": "、".join(missing)},
            fields={"scores": [_("请为每项评价内容打分。")]}
            | {f"criterion_{asked[pk].pk}": [_("请选择评分。")] for pk in asked if scores.get(pk) is None},
        )
    for pk, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ApplicationError(
                inputs.SCORE_MESSAGE,
                fields={"scores": [inputs.SCORE_MESSAGE], f"criterion_{pk}": [inputs.SCORE_MESSAGE]},
            )
    return {asked[pk]: value for pk, value in scores.items()}


@transaction.atomic
def evaluation_create(
    *,
    actor: User,
    project: Project,
    scores: dict[int, int] | None = None,
    score: int | None = None,
    comment: str = "",
) -> Evaluation:
    """Rate ``project`` in the round open today, once per round: party members (议), supervisors (评),
    residents; a score 1–5 for each criterion asked of the actor's role (``scores``: ``{criterion id:
    score}``; one ``score`` when a single criterion is asked). Outside every round: refused."""
    require_role(actor, Role.SUPERVISOR, Role.PARTY_MEMBER, Role.RESIDENT)
    if not Project.objects.visible_to(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("您无权评价该项目。"))
    today = clock.localdate()
    facts = selectors.Evaluator(actor, on=today)
    field = "score" if score is not None and not scores else "scores"  # the API's one score names its field
    selectors.evaluation_require_move(
        actor,
        project,
        facts,
        rated=lambda: _already_rated(field),
        closed=_closed,
        nothing_asked=_nothing_asked,
    )
    current, role = facts.round, facts.role
    given = _scores_of(facts.criteria, scores, score)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                project=project,
                evaluator=actor,
                evaluator_role=role,
                round=current,
                comment=comment.strip()[:2000],
                month=month_of(today),
            )
    except IntegrityError as exc:  # a simultaneous second rating lost the race to the unique constraint
        raise _already_rated(field) from exc
    EvaluationScore.objects.bulk_create(
        EvaluationScore(evaluation=evaluation, criterion=c, score=value) for c, value in given.items()
    )
    text = "、".join(f"{c.name} {value}" for c, value in given.items())
    audit_record(
        actor=actor,
        verb="project.evaluate",
        target=project,
        after={"scores": text, "role": evaluation.evaluator_role, "round": current.name},
        note=EVALUATION_NOTE(role=EvaluatorRole(evaluation.evaluator_role).label, scores=text),
    )
    return evaluation


def _weights_text(criterion: EvaluationCriterion) -> str:
    return "，".join(f"{label} {weight}" for label, weight in criterion.weights)


@transaction.atomic
def criterion_set(
    *,
    actor: User,
    criterion: EvaluationCriterion | None = None,
    name: str,
    description: str = "",
    order: int | None = None,
    **weights: int,
) -> EvaluationCriterion:
    """Add a criterion (评价内容) to the evaluation method, or change ``criterion``: its name, what it looks
    at, and its weight for each evaluator role (``weight_party_member``, ``weight_supervisor``,
    ``weight_resident``: 0–100; 0 means that role is not asked it). The office's; every figure of the
    ratings reads the new weights at once (reports already published keep theirs)."""
    require_role(actor, Role.ADMIN)
    name = inputs.CRITERION_SET["name"].clean(name, "name")
    description = inputs.CRITERION_SET["description"].clean(description or "", "description")
    if set(weights) != set(WEIGHT_FIELDS.values()):
        raise field_error("weight_resident", _("请填写每个评价身份的权重。"))
    for field, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise field_error(field, inputs.WEIGHT_MESSAGE)
    if not any(weights.values()):
        raise field_error("weight_resident", _("至少一个评价身份的权重大于 0，否则没有人评这项内容。"))
    taken = EvaluationCriterion.objects.filter(name=name)
    if criterion is not None:
        taken = taken.exclude(pk=criterion.pk)
    if taken.exists():
        raise field_error("name", _("已有同名的评价内容。"))
    if criterion is None:
        before = None
        criterion = EvaluationCriterion(name=name)
    else:
        criterion = lock_editable(
            EvaluationCriterion.objects, actor, pk=criterion.pk, message=_("无权修改评价方法。")
        )
        before = {"name": criterion.name, "weights": _weights_text(criterion)}
    criterion.name, criterion.description = name, description
    for field, value in weights.items():
        setattr(criterion, field, value)
    if order is not None:
        criterion.order = order
    elif criterion.pk is None:
        last = EvaluationCriterion.objects.order_by("-order").values_list("order", flat=True).first()
        criterion.order = (last or 0) + 1
    try:
        with transaction.atomic():
            criterion.save()
    except IntegrityError as exc:  # the same name saved meanwhile
        raise field_error("name", _("已有同名的评价内容。")) from exc
    audit_record(
        actor=actor,
        verb="criterion.set",
        target=criterion,
        before=before,
        after={"name": criterion.name, "weights": _weights_text(criterion)},
        note=f"{criterion.name}（{_weights_text(criterion)}）",
    )
    return criterion


@transaction.atomic
def evaluation_round_set(
    *,
    actor: User,
    evaluation_round: EvaluationRound | None = None,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> EvaluationRound:
    """Open a round (评价时段) from ``starts_on`` to ``ends_on`` (both included), or change
    ``evaluation_round`` (move its dates, close it early: end it yesterday). Rounds never overlap, and a
    round keeps the days its ratings were given on. The office's."""
    require_role(actor, Role.ADMIN)
    name = inputs.EVALUATION_ROUND_SET["name"].clean(name, "name")
    if ends_on < starts_on:
        raise field_error("ends_on", _("截止日期不能早于开始日期。"))
    # One office member at a time changes the rounds: the overlap check holds until this commits.
    list(EvaluationRound.objects.select_for_update().values_list("pk", flat=True))
    others = EvaluationRound.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if evaluation_round is not None:
        others = others.exclude(pk=evaluation_round.pk)
    clash = others.first()
    if clash is not None:
        raise field_error("starts_on", _("与“%(round)s”的时段重叠。") % {"round": str(clash)})
    if evaluation_round is None:
        before = None
        evaluation_round = EvaluationRound(name=name)
    else:
        evaluation_round = lock_editable(
            EvaluationRound.objects, actor, pk=evaluation_round.pk, message=_("无权修改评价方法。")
        )
        given = Evaluation.objects.filter(round=evaluation_round).aggregate(
            first=Min("created_at"), last=Max("created_at")
        )
        if given["first"] and (
            timezone.localdate(given["first"]) < starts_on or timezone.localdate(given["last"]) > ends_on
        ):
            raise field_error(
                "ends_on",
                _("本轮已有 %(first)s 至 %(last)s 的评价，时段须包含这些日期。")
                % {
                    "first": f"{timezone.localdate(given['first']):%Y-%m-%d}",
                    "last": f"{timezone.localdate(given['last']):%Y-%m-%d}",
                },
            )
        before = {"name": evaluation_round.name, "period": _period(evaluation_round)}
    evaluation_round.name, evaluation_round.starts_on, evaluation_round.ends_on = name, starts_on, ends_on
    try:
        with transaction.atomic():
            evaluation_round.save()
    except IntegrityError as exc:  # the database's own overlap check (round_no_overlap)
        raise field_error("starts_on", _("与其他评价轮次的时段重叠。")) from exc
    audit_record(
        actor=actor,
        verb="evaluation_round.set",
        target=evaluation_round,
        before=before,
        after={"name": evaluation_round.name, "period": _period(evaluation_round)},
        note=str(evaluation_round),
    )
    return evaluation_round


def _period(evaluation_round: EvaluationRound) -> str:
    return f"{evaluation_round.starts_on:%Y-%m-%d}—{evaluation_round.ends_on:%Y-%m-%d}"


@dataclass
class ImportResult:
    """What a confirmed import wrote: projects created, updated and left unchanged; milestones and
    indicators created, changed or removed."""

    created: int
    updated: int
    unchanged: int
    milestones: int
    indicators: int

    @property
    def projects(self) -> int:
        return self.created + self.updated


def _import_year(year: int | None, book) -> tuple[int, bool]:
    """The campaign year an import goes into and whether confirming it opens that year: ``year`` if it is
    open or may be opened (a later year than every one opened), else the current year — before the first
    year is opened, the year the list's codes name (``JY2021-…``), else this calendar year."""
    if year is None:
        current = selectors.current_year()
        if current is not None:
            return current.year, False
        year = importing.listed_year(book) or clock.localdate().year
    if CampaignYear.objects.filter(year=year).exists():
        return year, False
    _check_new_year(year)
    return year, True


def _check_new_year(year: int) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise field_error("year", _("年度应在 2000 到 2100 之间。"))
    latest = CampaignYear.objects.order_by("-year").values_list("year", flat=True).first()
    if latest is not None and year <= latest:
        raise field_error(
            "year", _("新开的年度应晚于已有的 %(latest)d 年度。") % {"latest": latest}, code="year_order"
        )


def projects_import_preview(*, actor: User, upload, year: int | None = None) -> importing.ImportPlan:
    """What importing ``upload`` into campaign year ``year`` (default the current one) would do
    (``importing.plan_import``), without writing anything. ImportRejected lists every bad row."""
    require_role(actor, Role.ADMIN)
    book = importing.read_book(upload)
    year, opens = _import_year(year, book)
    return importing.plan_import(book, year=year, opens_year=opens)


@transaction.atomic
def projects_import(
    *, actor: User, upload, expected_digest: str | None = None, year: int | None = None
) -> ImportResult:
    """Import the project list (项目, 节点, 指标 sheets) in one transaction: every row or none. Projects of
    the sheet already in the registry (same code) are updated, the others created; nothing is deleted
    silently (see ``projects.importing``). With ``expected_digest`` (the preview's), the import happens only
    if it still does exactly what the preview showed; otherwise ConflictError, and nothing is written.

    Raises ``ImportRejected`` listing every bad row (sheet, row number, reason); nothing is written then."""
    require_role(actor, Role.ADMIN)
    book = importing.read_book(upload)
    # Lock the projects the sheet updates, so the plan holds until this transaction commits.
    list(importing.listed_projects(book).select_for_update().values_list("pk", flat=True))
    year, opens = _import_year(year, book)
    plan = importing.plan_import(book, year=year, opens_year=opens)
    if expected_digest is not None and plan.digest != expected_digest:
        raise ConflictError(
            _("预览之后项目库已有变化，导入的结果会与预览不同。请查看新的预览后再确认。"),
            code="import_changed",
        )
    if opens:  # the office opens the new year by importing its list
        try:
            campaign_year_open(actor=actor, year=year)
        except ConflictError as exc:  # opened by another import meanwhile: its preview no longer holds
            raise ConflictError(
                _("导入的年度刚被其他人开启，请重新上传预览。"), code="import_changed"
            ) from exc
    try:
        with transaction.atomic():
            created = _import_create(actor=actor, plans=plan.created, year=year)
    except IntegrityError as exc:  # another import created one of these codes meanwhile
        raise ConflictError(_("有项目刚被其他人导入，请重新上传预览。"), code="import_changed") from exc
    for item in plan.updated:
        _import_update(actor=actor, plan=item)
    store_schedule(
        Project.objects.filter(pk__in=[p.pk for p in created] + [i.project.pk for i in plan.updated])
    )
    changed = [p for p in plan.projects if p.action != "unchanged"]
    return ImportResult(
        created=len(created),
        updated=len(plan.updated),
        unchanged=len(plan.unchanged),
        milestones=sum(1 for p in changed for i in p.milestones if i.action != "same"),
        indicators=sum(1 for p in changed for i in p.indicators if i.action != "same"),
    )


def _import_event(*, actor: User, project: Project, plan: importing.ProjectPlan) -> None:
    audit_record(actor=actor, verb="project.import", target=project, **importing.event_fields(plan))


def _import_create(*, actor: User, plans: list[importing.ProjectPlan], year: int) -> list[Project]:
    projects = Project.objects.bulk_create([Project(code=p.code, year_id=year, **p.values) for p in plans])
    through: dict[str, list] = {name: [] for name in importing.RELATIONS}
    milestones, indicators = [], []
    for project, plan in zip(projects, plans, strict=True):
        for name in importing.RELATIONS:
            model = getattr(Project, name).through
            column = {"target_groups": "targetgroup_id", "cooperating_units": "unit_id", "towns": "town_id"}
            through[name] += [
                model(project_id=project.pk, **{column[name]: obj.pk}) for obj in plan.relations.get(name, [])
            ]
        milestones += [Milestone(project=project, name=i.name, **i.values) for i in plan.milestones]
        indicators += [Indicator(project=project, name=i.name, **i.values) for i in plan.indicators]
    for name, rows in through.items():
        getattr(Project, name).through.objects.bulk_create(rows)
    Milestone.objects.bulk_create(milestones)
    Indicator.objects.bulk_create(indicators)
    for project, plan in zip(projects, plans, strict=True):
        _import_event(actor=actor, project=project, plan=plan)
    return projects


def _import_update(*, actor: User, plan: importing.ProjectPlan) -> None:
    project = plan.project
    status = plan.values.pop("status", None)
    for name, value in plan.values.items():
        setattr(project, name, value)
    if plan.values:
        project.save(update_fields=[*plan.values, "updated_at"])
    for name, objects in plan.relations.items():
        getattr(project, name).set(objects)
    if plan.drop_communities:
        project.communities.remove(*plan.drop_communities)
    for item in plan.milestones:
        _import_item(item, model=Milestone, project=project)
    values: dict[int, Decimal] = {}
    for item in plan.indicators:
        value = item.values.pop("current_value", None)
        indicator = _import_item(item, model=Indicator, project=project)
        if value is not None:
            values[indicator.pk] = value
    _import_event(actor=actor, project=project, plan=plan)
    if values:
        # As a lead unit's update would: the indicator's record of values, and its event.
        _apply_indicator_values(actor=actor, project=project, values=values)
    if status is not None:
        _set_status(actor=actor, project=project, status=status)


def _import_item(item: importing.ItemPlan, *, model, project: Project):
    if item.action == "create":
        return model.objects.create(project=project, name=item.name, **item.values)
    if item.action == "delete":
        item.obj.delete()
        return item.obj
    if item.values:
        for name, value in item.values.items():
            setattr(item.obj, name, value)
        item.obj.save(update_fields=list(item.values))
    return item.obj


def status_moves_for(*, actor: User, project: Project) -> list[str]:
    """The statuses ``actor`` may move ``project`` to by hand (``choices.STATUS_MOVES``, read by
    ``selectors.project_actions_for``)."""
    return selectors.project_status_targets_for(actor, project)


@transaction.atomic
def project_status_change(*, actor: User, project: Project, status: str, reason: str) -> Project:
    """Move ``project`` to ``status`` by hand (推进中, 暂缓, 已完成 …) with a reason, recorded as
    ``project.status``. The lead unit starts, suspends and resumes its own projects; completing by hand
    and reopening a completed project are the office's (``choices.STATUS_MOVES``). A move the table does
    not allow from the current status is a conflict (409): somebody else may have just moved it."""
    project = _lock_project(actor=actor, project=project)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请说明变更状态的原因。"))
    reason = inputs.PROJECT_STATUS_CHANGE["reason"].clean(reason, "reason")
    if status not in ProjectStatus.values:
        raise field_error("status", _("状态无效。"))
    if status == project.status:
        raise field_error("status", _("项目已是“%(status)s”。") % {"status": project.get_status_display()})
    action = status_move_action(project.status, status)
    if action is None:
        message = _("“%(before)s”的项目不能改为“%(after)s”。") % {
            "before": project.get_status_display(),
            "after": ProjectStatus(status).label,
        }
        raise ConflictError(message, fields={"status": [message]})
    if LEAD_UNIT not in STATUS_MOVES.move(action, project.status).roles and not is_admin(actor):
        raise PermissionDenied(_("项目完成或重新启动须由办公室确认。"))
    selectors.project_require_move(actor, project, action)
    _set_status(actor=actor, project=project, status=status, reason=reason)
    return project


@transaction.atomic
def project_tag_campaign(*, actor: User, project: Project, campaign: Campaign | None = None) -> Project:
    """File ``project`` under a seasonal campaign (四季活动: 春风行动 under 春送岗位), or take it out of one
    (``campaign=None``): its lead unit, or the office, as for the project's other fields."""
    project = _lock_project(actor=actor, project=project)
    if campaign is not None and not isinstance(campaign, Campaign):
        raise field_error("campaign", _("请选择四季活动。"))
    before = project.campaign_id
    after = campaign.pk if campaign is not None else None
    if before == after:
        return project
    project.campaign = campaign
    project.save(update_fields=["campaign", "updated_at"])
    audit_record(
        actor=actor,
        verb="project.campaign",
        target=project,
        before={"campaign": before},
        after={"campaign": after},
        note=campaign.name if campaign is not None else _("移出四季活动"),
    )
    return project


# --- campaign years ---------------------------------------------------------------------------------------


def _lock_years() -> list[CampaignYear]:
    """Every campaign year, locked: opening a year, changing the current one and carrying projects over
    take their turn (the table holds a row a year)."""
    return list(CampaignYear.objects.select_for_update().order_by("year"))


def _make_current(*, actor: User, target: CampaignYear, years: list[CampaignYear]) -> None:
    before = next((y.year for y in years if y.is_current), None)
    if before == target.year:
        return
    CampaignYear.objects.filter(is_current=True).exclude(pk=target.pk).update(is_current=False)
    target.is_current = True
    target.save(update_fields=["is_current"])
    audit_transition(
        actor=actor,
        verb="campaign_year.current",
        target=target,
        field="current_year",
        before=str(before) if before else None,
        after=str(target.year),
        note=CURRENT_YEAR_NOTE(year=target.year),
    )


@transaction.atomic
def campaign_year_open(*, actor: User, year: int, title: str = "", make_current: bool = True) -> CampaignYear:
    """Open campaign year ``year`` (later than every year opened) and, by default, make it the current
    one — the showcase, the reports and the dashboard then show it; the years before stay readable. The
    import opens a year when its list goes into one not opened yet."""
    require_role(actor, Role.ADMIN)
    years = _lock_years()
    if CampaignYear.objects.filter(year=year).exists():  # read again: one opened while we waited counts
        raise ConflictError(
            _("%(year)d 年度已经开启。") % {"year": year}, fields={"year": [_("该年度已经开启。")]}
        )
    _check_new_year(year)
    with translation.override(settings.LANGUAGE_CODE):  # stored, in the site's language
        title = (title or "").strip()[:60] or str(CampaignYear.default_title(year))
    try:
        with transaction.atomic():
            opened = CampaignYear.objects.create(year=year, title=title, opened_by=actor)
    except IntegrityError as exc:  # the very first year, opened twice at once (no row to lock yet)
        raise ConflictError(_("%(year)d 年度已经开启。") % {"year": year}, code="year_open") from exc
    audit_record(
        actor=actor,
        verb="campaign_year.open",
        target=opened,
        after={"year": year, "title": title},
        note=title,
    )
    if make_current:
        _make_current(actor=actor, target=opened, years=years)
    return opened


@transaction.atomic
def campaign_year_make_current(*, actor: User, year: int) -> CampaignYear:
    """Make the opened campaign year ``year`` the current one (exactly one is: the others stop being)."""
    require_role(actor, Role.ADMIN)
    years = _lock_years()
    target = next((y for y in years if y.year == year), None)
    if target is None:
        raise field_error("year", _("%(year)s 年度尚未开启。") % {"year": year})
    _make_current(actor=actor, target=target, years=years)
    return target


@dataclass
class CarryPlan:
    """What carrying projects over into ``year`` does: each unfinished project of ``source`` that the
    office chose gets a new code of ``year`` (``pairs``: old project, new code); ``candidates`` are all the
    unfinished projects it could choose from."""

    year: int
    source: int | None
    candidates: list[Project]
    pairs: list[tuple[Project, str]]

    @property
    def digest(self) -> str:
        canonical = [self.year, self.source, [[p.code, p.status, code] for p, code in self.pairs]]
        return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def _carry_plan(*, year: int, codes: Iterable[str]) -> CarryPlan:
    target = CampaignYear.objects.filter(year=year).first()
    if target is None:
        raise field_error("year", _("%(year)s 年度尚未开启。") % {"year": year})
    source = (
        CampaignYear.objects.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    )
    candidates = list(selectors.carry_over_candidates(year=source)) if source else []
    by_code = {p.code: p for p in candidates}
    wanted = [c.strip().upper() for c in codes if c and c.strip()]
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise field_error(
            "projects",
            _("以下项目不是上一年度未完成、未转入的项目：%(codes)s。") % {"codes": "、".join(unknown[:10])},
        )
    chosen = [p for p in candidates if p.code in set(wanted)]
    new_codes = selectors.free_project_codes(year=year, count=len(chosen))
    return CarryPlan(
        year=year, source=source, candidates=candidates, pairs=list(zip(chosen, new_codes, strict=True))
    )


def projects_carry_over_preview(*, actor: User, year: int, codes: Iterable[str] = ()) -> CarryPlan:
    """The unfinished projects of the year before ``year`` and, for those of ``codes``, the codes they
    would get in ``year``; nothing is written."""
    require_role(actor, Role.ADMIN)
    return _carry_plan(year=year, codes=codes)


def _carry_one(*, actor: User, old: Project, code: str, year: int) -> Project:
    new = Project.objects.create(
        code=code,
        year_id=year,
        carried_from=old,
        **{
            name: getattr(old, name)
            for name in (
                "title",
                "summary",
                "program_id",
                "domain_id",
                "lead_unit_id",
                "responsible_leader",
                "planned_start",
                "planned_end",
                "is_public",
                "status",
            )
        },
    )
    for name in ("target_groups", "cooperating_units", "towns", "communities"):
        getattr(new, name).set(getattr(old, name).all())
    Indicator.objects.bulk_create(
        Indicator(
            project=new,
            name=i.name,
            unit=i.unit,
            target_value=i.target_value,
            current_value=i.current_value,
            order=i.order,
        )
        for i in old.indicators.all()
    )
    # The rest of the plan: the milestones not done, their weights scaled to 100 again (largest share last).
    left = list(old.milestones.filter(done_date__isnull=True).order_by("planned_date", "order", "id"))
    total = sum(m.weight for m in left)
    weights = [round(100 * m.weight / total) if total else 0 for m in left]
    if left:
        weights[-1] += 100 - sum(weights)
    Milestone.objects.bulk_create(
        Milestone(project=new, name=m.name, planned_date=m.planned_date, weight=w, order=m.order)
        for m, w in zip(left, weights, strict=True)
    )
    audit_record(
        actor=actor,
        verb="project.carry_over",
        target=old,
        after={"code": code, "year": year},
        note=CARRY_OVER_NOTE(year=year, code=code),
    )
    audit_record(
        actor=actor,
        verb="project.carried_in",
        target=new,
        before={"code": old.code, "year": old.year_id},
        after={"code": code, "year": year},
        note=CARRIED_IN_NOTE(year=old.year_id, code=old.code),
    )
    return new


@transaction.atomic
def projects_carry_over(
    *, actor: User, year: int, codes: Iterable[str], expected_digest: str | None = None
) -> list[Project]:
    """Carry the chosen unfinished projects of the year before ``year`` over into ``year``: each becomes a
    new project of ``year`` (the next free code ``JY<year>-…``) pointing to the old one (``carried_from``),
    with its units, places, indicators and the milestones not yet done. The old project is not changed: its
    history (milestones, statements, photos, ratings, events) stays on it, readable in its year and from
    the new project's page; it gets a ``project.carry_over`` event, the new one ``project.carried_in``.
    With ``expected_digest`` (the preview's), nothing is written unless the plan is still the preview's."""
    require_role(actor, Role.ADMIN)
    _lock_years()  # one carry-over (and its codes) at a time
    codes = list(codes)
    if not any(c and c.strip() for c in codes):
        raise field_error("projects", _("请选择要转入的项目。"))
    source_pks = Project.objects.filter(code__in=[c.strip().upper() for c in codes]).values("pk")
    list(Project.objects.filter(pk__in=source_pks).select_for_update().values_list("pk", flat=True))
    plan = _carry_plan(year=year, codes=codes)
    if expected_digest is not None and plan.digest != expected_digest:
        raise ConflictError(
            _("预览之后项目有变化（可能已被转入或已完成）。请查看新的预览后再确认。"), code="carry_changed"
        )
    try:
        with transaction.atomic():
            created = [_carry_one(actor=actor, old=old, code=code, year=year) for old, code in plan.pairs]
    except IntegrityError as exc:  # carried over by somebody else meanwhile (one successor per project)
        raise ConflictError(_("有项目刚被其他人转入，请重新预览。"), code="carry_changed") from exc
    store_schedule(Project.objects.filter(pk__in=[p.pk for p in created]))
    return created
