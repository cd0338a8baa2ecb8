"""Every write of the supervision loop: reports (generate, catch up, approve, publish), supervision orders
(issue, answer, send back, close), inspections and contact points. Each checks the actor, locks what it
changes, records an audit event and notifies on commit (``notifications.services``)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Community, Unit, User
from jiangyan.core.audit import audit_record, audit_transition
from jiangyan.core.exceptions import ApplicationError, ConflictError, field_error
from jiangyan.core.periods import Period, last_complete, period_of, periods_between
from jiangyan.core.roles import Role, has_role, require_role
from jiangyan.core.scoping import lock_editable
from jiangyan.helpers import clock
from jiangyan.helpers.wording import Wording
from notifications.services import notify

from . import inputs, reports, selectors
from .choices import (
    ORDER_MOVES,
    PERIOD_OF,
    InspectionKind,
    LeadingBody,
    OrderStatus,
    ReportKind,
    ReportStatus,
)
from .models import ContactPoint, Inspection, InspectionPhoto, Leader, Report, SupervisionOrder

SYSTEM_LABEL = gettext_noop(
    "定时任务"
)  # the actor of what beat generates (stored; read in the reader's language)


# --- reports ---------------------------------------------------------------------------------------------


def report_period(kind: str, day: datetime.date) -> Period:
    """The period a report of ``kind`` covers that contains ``day``."""
    if kind not in ReportKind.values:
        raise field_error("kind", _("未知的报告类型。"))
    return period_of(PERIOD_OF[kind], day)


def report_generate(
    *,
    kind: str,
    period: Period,
    actor: User | None = None,
    notify_recipients: bool = False,
    force: bool = False,
    today: datetime.date | None = None,
) -> Report:
    """The report of ``kind`` for ``period``, built and stored: one per (kind, period), so generating it
    again replaces its content (``generation`` counts how often) and never adds a second. An approved or
    published report is left as it is unless ``force`` (which puts it back to draft). ``actor`` None: beat
    or a command. ``notify_recipients``: the weekly reminder tells each unit's and community's staff."""
    if actor is not None:
        require_role(actor, Role.SUPERVISOR)
    if kind not in ReportKind.values or period.kind != PERIOD_OF[kind]:
        raise field_error("kind", _("报告类型与周期不符。"))
    if period.end >= (today or clock.localdate()):
        raise field_error("period", _("周期尚未结束，不能生成报告。"))
    report_title = reports.title(kind, period)
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(kind=kind, period_start=period.start).first()
        if report is not None and actor is not None and not force:
            # A supervisor regenerates a report only while it waits for review (``REPORT_MOVES``).
            selectors.report_require_move(actor, report, "regenerate")
        if report is not None and report.status != ReportStatus.DRAFT and not force:
            return report
        data = reports.build(kind, period)
        content = {
            "period_end": period.end,
            "title": report_title,
            "data": data,
            "html": reports.render(kind, data, report_title=report_title),
            "generated_at": clock.now(),
        }
        report = _store(kind, period, report, content)
        audit_record(
            actor=actor,
            verb="report.generate",
            target=report,
            after={"generation": report.generation, "status": report.status},
            label="" if actor is not None else SYSTEM_LABEL,
        )
        if notify_recipients and kind == ReportKind.WEEKLY:
            _send_weekly_reminders(report)
    return report


def _store(kind: str, period: Period, report: Report | None, content: dict) -> Report:
    """Insert the report, or replace the content of the locked ``report``. A simultaneous first generation
    of the same period (the unique constraint) turns the insert into a replacement."""
    if report is None:
        try:
            with transaction.atomic():
                return Report.objects.create(kind=kind, period_start=period.start, **content)
        except IntegrityError:
            report = Report.objects.select_for_update().get(kind=kind, period_start=period.start)
    for field, value in content.items():
        setattr(report, field, value)
    report.generation += 1
    report.status = ReportStatus.DRAFT
    report.approved_by = report.approved_at = report.published_by = report.published_at = None
    report.save(
        update_fields=[
            *content,
            "generation",
            "status",
            "approved_by",
            "approved_at",
            "published_by",
            "published_at",
        ]
    )
    return report


# What the notifications say, stored in the site's language and read in the reader's
# (jiangyan.helpers.wording).
_ORDERS_LINE = Wording(gettext_noop("待答复督办单 %(n)s 件"))
REMINDER_LINES = {
    "units": (
        ("due_soon", Wording(gettext_noop("本周到期节点 %(n)s 个"))),
        ("overdue", Wording(gettext_noop("逾期节点 %(n)s 个"))),
        ("silent", Wording(gettext_noop("7 天未报送进展的项目 %(n)s 个"))),
        ("orders", _ORDERS_LINE),
    ),
    "communities": (
        # awaiting dispatch (派单) is a count, the others lists
        ("awaiting_dispatch", Wording(gettext_noop("待派单心愿 %(n)s 个"))),
        ("unclaimed", Wording(gettext_noop("超时未认领心愿 %(n)s 个"))),
        ("overdue", Wording(gettext_noop("认领逾期心愿 %(n)s 个"))),
        ("orders", _ORDERS_LINE),
    ),
}
REMINDER_TITLE = Wording(gettext_noop("%(period)s督促提醒：%(who)s"))
ORDER_BODY = Wording(
    gettext_noop("%(target)s\n督办事由：%(reason)s\n整改要求：%(action)s\n答复时限：%(deadline)s")
)
ORDER_ISSUED_TITLE = Wording(gettext_noop("督办单 %(code)s：请于 %(deadline)s 前答复"))
ORDER_ANSWERED_TITLE = Wording(gettext_noop("督办单 %(code)s 已答复（%(who)s）"))
ORDER_RETURNED_TITLE = Wording(gettext_noop("督办单 %(code)s 被退回重办：%(reason)s"))
ORDER_CLOSED_TITLE = Wording(gettext_noop("督办单 %(code)s 已办结"))


def _count(part) -> int:
    """A block's figure: a count as it is, a list by its length."""
    return part if isinstance(part, int) else len(part)


def _send_weekly_reminders(report: Report) -> None:
    """Each lead unit's and each community's staff get their part of the weekly reminder (at most once
    per unit or community and week), pointing to it (``/reports/<id>/mine/``)."""
    data = report.data
    audiences = (
        ("units", "unit_id", "unit", Unit, selectors.staff_by_unit),
        ("communities", "community_id", "community", Community, selectors.staff_by_community),
    )
    for section, key, name, model, staff_of in audiences:
        staff = staff_of(block[key] for block in data[section])
        for block in data[section]:
            lines = [line(n=_count(block.get(part, ()))) for part, line in REMINDER_LINES[section]]
            notify(
                recipients=staff.get(block[key], []),
                reason="weekly_reminder",
                title=REMINDER_TITLE(period=data["period"]["label"], who=block[name]),
                body="；".join(lines),  # read part by part (jiangyan.helpers.wording.read)
                url=reverse("supervision:report-mine", kwargs={"pk": report.pk}),
                target=model(pk=block[key]),
                period=report.period_start.isoformat(),
            )


def _campaign_start() -> datetime.date | None:
    value = settings.SUPERVISION_CAMPAIGN_START
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value) if value else None


def missing_periods(*, kind: str, today: datetime.date | None = None) -> list[Period]:
    """The periods of ``kind`` that have ended and have no report: from the campaign's start
    (``SUPERVISION_CAMPAIGN_START``), else from the one after the latest stored report, else just the last
    period — at most ``SUPERVISION_CATCH_UP_MAX`` of them, the latest."""
    period_kind = PERIOD_OF[kind]
    last = last_complete(period_kind, today or clock.localdate())
    start = _campaign_start()
    if start is not None:
        first = period_of(period_kind, start)
    else:
        latest = (
            Report.objects.filter(kind=kind).order_by("-period_start").values_list("period_start").first()
        )
        first = period_of(period_kind, latest[0]).next() if latest else last
    if first > last:
        return []
    stored = set(
        Report.objects.filter(
            kind=kind, period_start__gte=first.start, period_start__lte=last.start
        ).values_list("period_start", flat=True)
    )
    periods = [p for p in periods_between(period_kind, first.start, last.start) if p.start not in stored]
    return periods[-settings.SUPERVISION_CATCH_UP_MAX :] if settings.SUPERVISION_CATCH_UP_MAX else periods


def report_catch_up(
    *, kind: str, today: datetime.date | None = None, limit: int | None = None
) -> list[Report]:
    """Generate every missing report of ``kind`` (``missing_periods``; the oldest ``limit`` of them), oldest
    first, each in its own transaction (what is done stays done if the run is interrupted). Only the last
    period's weekly reminder notifies: reminders of weeks long past would be noise."""
    today = today or clock.localdate()
    last = last_complete(PERIOD_OF[kind], today)
    return [
        report_generate(kind=kind, period=period, notify_recipients=period == last, today=today)
        for period in missing_periods(kind=kind, today=today)[:limit]
    ]


def _lock_report(actor: User, report: Report) -> Report:
    require_role(actor, Role.SUPERVISOR)
    return lock_editable(Report.objects, actor, pk=report.pk, message=_("只有督查人员可以审核报告。"))


def _move_report(actor: User, locked: Report, *, to: str, verb: str) -> Report:
    """The (locked) report's next step — approved or published, by whom and when — audited."""
    before = locked.status
    step = "approved" if to == ReportStatus.APPROVED else "published"
    locked.status = to
    setattr(locked, f"{step}_by", actor)
    setattr(locked, f"{step}_at", clock.now())
    locked.save(update_fields=["status", f"{step}_by", f"{step}_at"])
    audit_transition(actor=actor, verb=verb, target=locked, before=before, after=to)
    return locked


@transaction.atomic
def report_approve(*, actor: User, report: Report) -> Report:
    """draft → approved, by a supervisor."""
    locked = _lock_report(actor, report)
    if locked.status != ReportStatus.DRAFT:
        raise ConflictError(_("只有待审核的报告可以审核。"), code="illegal_transition")
    selectors.report_require_move(actor, locked, "approve")
    return _move_report(actor, locked, to=ReportStatus.APPROVED, verb="report.approve")


@transaction.atomic
def report_publish(*, actor: User, report: Report) -> Report:
    """approved → published, by a supervisor: a ten-day bulletin becomes public at ``/bulletins/``."""
    locked = _lock_report(actor, report)
    if locked.kind != ReportKind.TENDAY:
        raise ApplicationError(_("只有旬通报向社会公布。"), code="not_public")
    if locked.status != ReportStatus.APPROVED:
        raise ConflictError(_("报告须先审核，才能公布。"), code="illegal_transition")
    selectors.report_require_move(actor, locked, "publish")
    return _move_report(actor, locked, to=ReportStatus.PUBLISHED, verb="report.publish")


# --- supervision orders ----------------------------------------------------------------------------------


def _insert_order(**fields) -> SupervisionOrder:
    """Insert with the next code of the year (``DB2021-0007``); a simultaneous issue is retried."""
    year = clock.localdate().year
    for _attempt in range(5):
        taken = SupervisionOrder.objects.filter(code__startswith=f"DB{year}-").count()
        order = SupervisionOrder(code=f"DB{year}-{taken + 1:04d}", **fields)
        try:
            with transaction.atomic():
                order.save()
            return order
        except IntegrityError:
            if SupervisionOrder.objects.filter(code=order.code).exists():
                continue
            raise
    raise ApplicationError(_("系统繁忙，请稍后再试。"))


def _notify_order(
    order: SupervisionOrder, recipients: Iterable, *, reason: str, title: str, period: str
) -> None:
    body = ORDER_BODY(
        target=order.target,
        reason=order.reason,
        action=order.required_action,
        deadline=f"{order.deadline:%Y-%m-%d}",
    )
    notify(
        recipients=recipients,
        reason=reason,
        title=title,
        body=body,
        url=order.get_absolute_url(),
        target=order,
        period=period,
    )


@transaction.atomic
def order_issue(
    *,
    actor: User,
    reason: str,
    required_action: str,
    deadline: datetime.date,
    project=None,
    wish=None,
    duty_item=None,
    inspection: Inspection | None = None,
) -> SupervisionOrder:
    """A supervisor issues an order on exactly one project, wish or duty item. Who answers follows from
    it: the project's lead unit, the duty item's unit, the wish's community — whose staff are told."""
    require_role(actor, Role.SUPERVISOR)
    targets = [t for t in (project, wish, duty_item) if t is not None]
    if len(targets) != 1:
        raise field_error("target", _("请选择一个督办对象：项目、心愿或履职事项。"))
    reason = inputs.ORDER_ISSUE["reason"].clean(reason, "reason")
    required_action = inputs.ORDER_ISSUE["required_action"].clean(required_action, "required_action")
    if not isinstance(deadline, datetime.date) or deadline < clock.localdate():
        raise field_error("deadline", _("答复时限不能早于今天。"))
    if inspection is not None and not Inspection.objects.filter(pk=inspection.pk).exists():
        raise field_error("inspection", _("巡回指导记录不存在。"))
    order = _insert_order(
        project=project,
        wish=wish,
        duty_item=duty_item,
        unit_id=project.lead_unit_id if project else duty_item.unit_id if duty_item else None,
        community_id=wish.community_id if wish else None,
        inspection=inspection,
        reason=reason,
        required_action=required_action,
        deadline=deadline,
        issued_by=actor,
        issued_at=clock.now(),
    )
    audit_record(
        actor=actor,
        verb="order.issue",
        target=order,
        after={"status": order.status, "deadline": deadline.isoformat(), "target": str(order.target)[:100]},
        note=reason[:200],
    )
    _notify_order(
        order,
        selectors.respondent_staff(order),
        reason="order.issued",
        title=ORDER_ISSUED_TITLE(code=order.code, deadline=f"{deadline:%Y-%m-%d}"),
        period="",
    )
    return order


def _require_status(order: SupervisionOrder, allowed: Iterable[str]) -> None:
    if order.status not in allowed:
        raise ConflictError(
            _("督办单当前状态为“%(status)s”，不能执行该操作。") % {"status": order.get_status_display()},
            code="illegal_transition",
        )


@transaction.atomic
def order_answer(*, actor: User, order: SupervisionOrder, answer: str) -> SupervisionOrder:
    """issued/returned → answered, by staff of the responsible unit or community (only their own
    orders); the supervisor who issued it is told."""
    answer = inputs.ORDER_ANSWER["answer"].clean(answer, "answer")
    locked = SupervisionOrder.objects.answerable_by(actor).select_for_update().filter(pk=order.pk).first()
    if locked is None:
        raise PermissionDenied(_("只有责任单位或社区的工作人员可以答复本督办单。"))
    _require_status(locked, ORDER_MOVES.sources("answer"))
    selectors.order_require_move(actor, locked, "answer")
    before = locked.status
    locked.status, locked.answer = OrderStatus.ANSWERED, answer
    locked.answered_by, locked.answered_at = actor, clock.now()
    locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit_transition(
        actor=actor, verb="order.answer", target=locked, before=before, after=locked.status, note=answer[:300]
    )
    _notify_order(
        locked,
        [locked.issued_by],
        reason="order.answered",
        title=ORDER_ANSWERED_TITLE(code=locked.code, who=locked.respondent),
        period=locked.answered_at.isoformat(),
    )
    return locked


def _lock_for_review(actor: User, order: SupervisionOrder) -> SupervisionOrder:
    require_role(actor, Role.SUPERVISOR)
    return lock_editable(
        SupervisionOrder.objects, actor, pk=order.pk, message=_("只有督查人员可以办结督办单。")
    )


@transaction.atomic
def order_return(
    *, actor: User, order: SupervisionOrder, reason: str, deadline: datetime.date | None = None
) -> SupervisionOrder:
    """answered → returned (退回重办), by a supervisor, with the reason and optionally a new deadline."""
    reason = inputs.ORDER_RETURN["reason"].clean(reason, "reason")
    if deadline is not None and deadline < clock.localdate():
        raise field_error("deadline", _("答复时限不能早于今天。"))
    locked = _lock_for_review(actor, order)
    _require_status(locked, ORDER_MOVES.sources("return"))
    selectors.order_require_move(actor, locked, "return")
    locked.status, locked.return_reason, locked.returned_at = OrderStatus.RETURNED, reason, clock.now()
    fields = ["status", "return_reason", "returned_at"]
    if deadline is not None:
        locked.deadline = deadline
        fields.append("deadline")
    locked.save(update_fields=fields)
    audit_transition(
        actor=actor,
        verb="order.return",
        target=locked,
        before=OrderStatus.ANSWERED,
        after=locked.status,
        note=reason[:300],
        deadline=locked.deadline.isoformat(),
    )
    _notify_order(
        locked,
        selectors.respondent_staff(locked),
        reason="order.returned",
        title=ORDER_RETURNED_TITLE(code=locked.code, reason=reason[:40]),
        period=locked.returned_at.isoformat(),
    )
    return locked


@transaction.atomic
def order_close(*, actor: User, order: SupervisionOrder, note: str = "") -> SupervisionOrder:
    """answered → closed (办结), by a supervisor."""
    note = inputs.ORDER_CLOSE["note"].clean(note, "note")
    locked = _lock_for_review(actor, order)
    _require_status(locked, ORDER_MOVES.sources("close"))
    selectors.order_require_move(actor, locked, "close")
    locked.status, locked.close_note = OrderStatus.CLOSED, note
    locked.closed_by, locked.closed_at = actor, clock.now()
    locked.save(update_fields=["status", "close_note", "closed_by", "closed_at"])
    audit_transition(
        actor=actor,
        verb="order.close",
        target=locked,
        before=OrderStatus.ANSWERED,
        after=locked.status,
        note=note,
    )
    _notify_order(
        locked,
        selectors.respondent_staff(locked),
        reason="order.closed",
        title=ORDER_CLOSED_TITLE(code=locked.code),
        period="",
    )
    return locked


# --- inspections and contact points -------------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *,
    actor: User,
    kind: str,
    date: datetime.date,
    places: str,
    findings: str,
    inspectors: Iterable[User] = (),
    projects: Iterable = (),
    communities: Iterable[Community] = (),
    units: Iterable[Unit] = (),
    photos: Iterable = (),
) -> Inspection:
    """A supervisor records a field visit, forum or questionnaire (巡回指导), with its findings, the
    projects, communities and units it concerned, and photos; the recorder is among the inspectors. An
    inspection at a contact point of a leader among its inspectors counts as that leader's visit."""
    require_role(actor, Role.SUPERVISOR)
    if kind not in InspectionKind.values:
        raise field_error("kind", _("请选择巡回指导方式。"))
    if not isinstance(date, datetime.date) or date > clock.localdate():
        raise field_error("date", _("日期不能晚于今天。"))
    places = inputs.INSPECTION_RECORD["places"].clean(places, "places")
    findings = inputs.INSPECTION_RECORD["findings"].clean(findings, "findings")
    people = {user.pk: user for user in inspectors}
    people[actor.pk] = actor
    outsiders = [user for user in people.values() if not has_role(user, Role.SUPERVISOR)]
    if outsiders:
        raise field_error("inspectors", _("参加人员须为督查人员。"))
    inspection = Inspection.objects.create(
        kind=kind, date=date, places=places, findings=findings, recorded_by=actor
    )
    inspection.inspectors.set(list(people.values()))
    inspection.projects.set(list(projects))
    inspection.communities.set(list(communities))
    inspection.units.set(list(units))
    for photo in photos or ():
        InspectionPhoto.objects.create(inspection=inspection, image=photo, uploaded_by=actor)
    audit_record(
        actor=actor,
        verb="inspection.record",
        target=inspection,
        after={"kind": kind, "date": date.isoformat(), "inspectors": sorted(people)},
        note=places,
    )
    return inspection


LEADER_FIELDS = ("body", "title", "rank")


@transaction.atomic
def leader_appoint(*, actor: User, user: User, body: str, title: str, rank: int | None = 100) -> Leader:
    """The office records a member of the four leading bodies (四套班子成员) as a leader — their account (a
    supervisor), body, post and place in the order of precedence — or changes the post of one already
    recorded. One leader per account, whoever saves first (the row is locked, the insert retried)."""
    require_role(actor, Role.ADMIN)
    if not has_role(user, Role.SUPERVISOR) or not user.is_active:
        raise field_error("user", _("联系领导须为在职的督查人员账号。"))
    if body not in LeadingBody.values:
        raise field_error("body", _("请选择所在班子。"))
    title = inputs.LEADER_APPOINT["title"].clean(title, "title")
    rank = 100 if rank is None else rank  # the default place of one not ranked
    if not isinstance(rank, int) or not 0 <= rank <= 999:
        raise field_error("rank", _("排序须为 0 到 999 的整数。"))
    values = {"body": body, "title": title, "rank": rank}
    leader = Leader.objects.select_for_update().filter(user=user).first()
    if leader is None:
        try:
            with transaction.atomic():
                leader = Leader.objects.create(user=user, **values)
        except IntegrityError:
            leader = Leader.objects.select_for_update().get(user=user)
        else:
            audit_record(actor=actor, verb="leader.appoint", target=leader, after=values)
            return leader
    before = {field: getattr(leader, field) for field in LEADER_FIELDS}
    if before == values:
        return leader
    for field, value in values.items():
        setattr(leader, field, value)
    leader.save(update_fields=list(LEADER_FIELDS))
    audit_record(actor=actor, verb="leader.appoint", target=leader, before=before, after=values)
    return leader


@transaction.atomic
def contact_point_assign(
    *,
    actor: User,
    leader: Leader,
    community: Community | None = None,
    unit: Unit | None = None,
    since: datetime.date | None = None,
) -> ContactPoint:
    """The office assigns a leader a community or a unit as one of their contact points (联系点). The same
    place may be several leaders' point; a leader holds it once (the constraint decides a simultaneous
    second assignment)."""
    require_role(actor, Role.ADMIN)
    if not isinstance(leader, Leader) or not Leader.objects.filter(pk=leader.pk).exists():
        raise field_error("leader", _("请选择联系领导。"))
    if (community is None) == (unit is None):
        raise field_error("community", _("请选择一个社区（村）或一个单位。"))
    since = since or clock.localdate()
    if since > clock.localdate() + datetime.timedelta(days=366):
        raise field_error("since", _("起始日期不能晚于一年以后。"))
    if ContactPoint.objects.filter(leader=leader, community=community, unit=unit).exists():
        raise ConflictError(_("该联系点已经分配给这位领导。"), code="duplicate")
    try:
        with transaction.atomic():
            point = ContactPoint.objects.create(leader=leader, community=community, unit=unit, since=since)
    except IntegrityError as error:
        raise ConflictError(_("该联系点已经分配给这位领导。"), code="duplicate") from error
    audit_record(
        actor=actor,
        verb="contact_point.assign",
        target=point,
        after={
            "leader": leader.pk,
            "community": point.community_id,
            "unit": point.unit_id,
            "since": since.isoformat(),
        },
    )
    return point


@transaction.atomic
def contact_point_remove(*, actor: User, contact_point: ContactPoint) -> None:
    """The office ends a contact point (the record of its visits stays with the inspections)."""
    require_role(actor, Role.ADMIN)
    locked = lock_editable(
        ContactPoint.objects, actor, pk=contact_point.pk, message=_("只有办公室可以调整联系点。")
    )
    audit_record(
        actor=actor,
        verb="contact_point.remove",
        target=locked,
        before={"leader": locked.leader_id, "community": locked.community_id, "unit": locked.unit_id},
    )
    locked.delete()
