"""Demo data of the supervision loop, called by ``manage.py seed_demo`` after every registry: the
``supervisor``'s contact points and inspections (some visited this month, some not), supervision orders
in every state (some overdue) on behind projects, overdue claims and overdue duty items, with their history
and notifications, and the reports of every period of the campaign that has ended — the ten-day bulletins
published but the latest, which waits for approval. Deterministic; idempotent; all relative to today."""

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from accounts.models import Community, Unit, User
from jiangyan.notifications import notify
from jiangyan.periods import last_complete, periods_between
from projects import selectors as projects
from supervision import selectors, services
from supervision.choices import PERIOD_OF, InspectionKind, OrderStatus, ReportKind, ReportStatus
from supervision.models import ContactPoint, Inspection, Report, SupervisionOrder
from surveys import selectors as surveys
from surveys.choices import DutyStatus
from surveys.models import DutyItem
from wishes import selectors as wishes
from wishes import services as wish_services
from wishes.models import Wish

from .accounts import DEMO_UNIT_NAME, demo_community
from .history import Record

SEED = 20210601
FINDINGS = [
    "节点推进滞后，资金拨付未到位，需协调财政部门加快拨付。",
    "群众反映施工影响出行，建议优化施工时段并做好公示。",
    "进展材料不完整，照片与节点不对应，请规范填报。",
    "社区微心愿认领不及时，部分心愿超过承诺日期仍未完成。",
    "座谈中群众对项目评价较好，建议扩大覆盖范围。",
    "问卷显示老年群众对智能设备使用仍有困难，建议增加培训场次。",
]
ORDER_REASONS = {
    "project": (
        "项目进度滞后序时进度，节点逾期未完成。",
        "制定赶超计划，明确节点和责任人，7 日内报送整改情况。",
    ),
    "wish": ("心愿认领后超过承诺日期未完成。", "督促认领党员尽快完成，或由社区另行安排，并回访心愿人。"),
    "duty_item": ("履职事项超过完成时限未办结。", "说明未完成原因，提出完成时间和保障措施。"),
}
# Each answer fits what the order is about: a project's unit, a wish's community, a duty item's unit.
ANSWERS = {
    "project": (
        "已召开专题推进会，调整实施计划，明确节点责任人，本周内完成滞后节点。",
        "已协调资金和场地问题，增加施工力量，相关节点已整改到位，附现场照片。",
    ),
    "wish": (
        "已与认领党员沟通，心愿将于三日内完成，社区随后回访心愿人。",
        "认领党员因病无法完成，社区已另行安排党员上门，已联系心愿人。",
    ),
    "duty_item": (
        "已明确分管领导和经办人，完成时间调整至本月底，每周报送进展。",
        "未完成原因是涉及多部门协调，已召开联席会议，形成任务清单。",
    ),
}
RETURN_REASONS = {
    "project": "整改措施不具体，请补充节点计划和佐证材料。",
    "wish": "请补充回访心愿人的情况。",
    "duty_item": "请补充完成时限和保障措施。",
}


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed(*, scale: int, stdout) -> None:
    """Idempotent: does nothing when this app's demo data is already there."""
    if ContactPoint.objects.exists() or Report.objects.exists():
        return
    supervisor = User.objects.filter(username="supervisor").first()
    if supervisor is None:
        return
    started = time.monotonic()
    rng = random.Random(SEED)
    today = timezone.localdate()
    span = projects.campaign_span()
    first_day = span["first"] or today - datetime.timedelta(days=90)
    with transaction.atomic():
        points = _contact_points(supervisor, first_day)
        inspections = _inspections(rng, supervisor, points, first_day, today)
        orders = _orders(rng, supervisor, inspections, today)
    reports = _reports(supervisor, first_day, today)
    with transaction.atomic():
        told = _wish_notifications(today)
    stdout.write(
        f"  督查：联系点 {len(points)} 个，巡回指导 {len(inspections)} 次，督办单 {len(orders)} 件，"
        f"报告 {reports} 份，心愿提醒 {told} 条（{time.monotonic() - started:.1f}s）"
    )


def _contact_points(supervisor: User, since: datetime.date) -> list[ContactPoint]:
    home = demo_community()
    others = list(Community.objects.exclude(pk=home.pk).order_by("id"))
    communities = [home, *others[len(others) // 3 :: len(others) // 3 or 1][:2]]
    demo_unit = Unit.objects.get(name=DEMO_UNIT_NAME)
    units = [demo_unit, *Unit.objects.exclude(pk=demo_unit.pk).order_by("id")[2:4]]
    return ContactPoint.objects.bulk_create(
        [ContactPoint(supervisor=supervisor, community=c, since=since) for c in communities]
        + [ContactPoint(supervisor=supervisor, unit=u, since=since) for u in units]
    )


def _inspections(
    rng: random.Random,
    supervisor: User,
    points: list[ContactPoint],
    first: datetime.date,
    today: datetime.date,
) -> list[Inspection]:
    """Two inspections a month at the contact points in turn; this month only the first two are visited."""
    behind = [p["id"] for p in projects.behind_projects(on=today)]
    visits = []
    month_start = today.replace(day=1)
    day, turn = first + datetime.timedelta(days=9), 0
    while day < month_start:
        visits.append((day, points[turn % len(points)]))
        day += datetime.timedelta(days=rng.randint(12, 18))
        turn += 1
    visits += [(max(month_start, today - datetime.timedelta(days=d)), points[i]) for i, d in ((0, 3), (3, 1))]
    kinds = list(InspectionKind.values)
    inspections = Inspection.objects.bulk_create(
        Inspection(
            kind=kinds[index % len(kinds)],
            date=day,
            places=str(point.community or point.unit),
            findings=FINDINGS[index % len(FINDINGS)],
            recorded_by=supervisor,
        )
        for index, (day, point) in enumerate(visits)
    )
    Through = Inspection.inspectors.through  # noqa: N806 (a model class)
    Inspection.inspectors.through.objects.bulk_create(
        Through(inspection_id=i.pk, user_id=supervisor.pk) for i in inspections
    )
    Inspection.communities.through.objects.bulk_create(
        Inspection.communities.through(inspection_id=i.pk, community_id=p.community_id)
        for i, (_d, p) in zip(inspections, visits, strict=True)
        if p.community_id
    )
    Inspection.units.through.objects.bulk_create(
        Inspection.units.through(inspection_id=i.pk, unit_id=p.unit_id)
        for i, (_d, p) in zip(inspections, visits, strict=True)
        if p.unit_id
    )
    Inspection.projects.through.objects.bulk_create(
        Inspection.projects.through(inspection_id=i.pk, project_id=behind[index % len(behind)])
        for index, i in enumerate(inspections)
        if behind and index % 2 == 0
    )
    return inspections


# (days ago issued, days to the deadline, final state) — every state, some overdue.
ORDER_PLANS = [
    (40, 7, OrderStatus.CLOSED),
    (30, 7, OrderStatus.CLOSED),
    (20, 7, OrderStatus.ANSWERED),
    (18, 10, OrderStatus.RETURNED),
    (15, 7, OrderStatus.ISSUED),  # overdue
    (12, 5, OrderStatus.ISSUED),  # overdue
    (3, 7, OrderStatus.ISSUED),
    (2, 7, OrderStatus.ANSWERED),
]


def _targets(today: datetime.date) -> list[tuple[str, dict]]:
    """Behind projects (the demo unit's first), overdue claims of the demo community, overdue duty items."""
    demo_unit = Unit.objects.get(name=DEMO_UNIT_NAME)
    behind = projects.behind_projects(on=today)
    behind.sort(key=lambda p: (p["lead_unit_id"] != demo_unit.pk, p["variance"]))
    claims = [
        w for w in wishes.community_alerts(on=today)["overdue"] if w["community_id"] == demo_community().pk
    ]
    duty = surveys.duty_overdue_by_unit(on=today)
    targets = [("project", p) for p in behind[:8]]
    targets += [("wish", w) for w in claims[:3]]
    targets += [("duty_item", {"unit_id": d["unit_id"]}) for d in duty[:2]]
    return targets


def _orders(
    rng: random.Random, supervisor: User, inspections: list[Inspection], today: datetime.date
) -> list:
    rows, histories = [], []
    for index, (kind, target) in enumerate(_targets(today)):
        # Every third plan: wishes and duty items get a mix of states too, not only the first ones.
        issued_days, deadline_days, final = ORDER_PLANS[index * 3 % len(ORDER_PLANS)]
        issued_at = _at(today - datetime.timedelta(days=issued_days), 9)
        fields = {
            "project_id": None,
            "wish_id": None,
            "duty_item_id": None,
            "unit_id": None,
            "community_id": None,
        }
        if kind == "project":
            fields.update(project_id=target["id"], unit_id=target["lead_unit_id"])
        elif kind == "wish":
            wish = Wish.objects.only("pk", "community_id").get(code=target["code"])
            fields.update(wish_id=wish.pk, community_id=wish.community_id)
        else:
            duty = DutyItem.objects.filter(unit_id=target["unit_id"]).exclude(status=DutyStatus.DONE).first()
            if duty is None:
                continue
            fields.update(duty_item_id=duty.pk, unit_id=duty.unit_id)
        reason, action = ORDER_REASONS[kind]
        order = SupervisionOrder(
            code=f"DB{issued_at:%Y}-{index + 1:04d}",
            reason=reason,
            required_action=action,
            deadline=issued_at.date() + datetime.timedelta(days=deadline_days),
            issued_by=supervisor,
            issued_at=issued_at,
            inspection=inspections[-1] if index == 0 and inspections else None,
            status=final,
            **fields,
        )
        events = [("order.issue", issued_at, None, {"status": "issued"}, reason, supervisor)]
        if final in (OrderStatus.ANSWERED, OrderStatus.RETURNED, OrderStatus.CLOSED):
            order.answer = ANSWERS[kind][index % len(ANSWERS[kind])]
            # Answered before today (an order issued two days ago cannot have been answered in five).
            days = rng.randint(1, max(1, min(5, issued_days - 1)))
            order.answered_at = issued_at + datetime.timedelta(days=days, hours=3)
            order.answered_by = next(iter(selectors.respondent_staff(order)), None)
            events.append(
                (
                    "order.answer",
                    order.answered_at,
                    {"status": "issued"},
                    {"status": "answered"},
                    order.answer,
                    None,
                )
            )
        if final == OrderStatus.RETURNED:
            order.return_reason = RETURN_REASONS[kind]
            order.returned_at = order.answered_at + datetime.timedelta(days=1)
            order.deadline = today + datetime.timedelta(days=3)
            events.append(
                (
                    "order.return",
                    order.returned_at,
                    {"status": "answered"},
                    {"status": "returned"},
                    order.return_reason,
                    supervisor,
                )
            )
        if final == OrderStatus.CLOSED:
            order.closed_by, order.close_note = supervisor, "整改到位，同意办结。"
            order.closed_at = order.answered_at + datetime.timedelta(days=1)
            events.append(
                (
                    "order.close",
                    order.closed_at,
                    {"status": "answered"},
                    {"status": "closed"},
                    order.close_note,
                    supervisor,
                )
            )
        rows.append(order)
        histories.append(events)
    orders = SupervisionOrder.objects.bulk_create(rows)
    staff = {o.pk: list(selectors.respondent_staff(o)) for o in orders}

    def who(order, actor):
        """The supervisor for their acts; for answers the responsible unit's (community's) first staff."""
        person = actor or next(iter(staff[order.pk]), None)
        return person, str(person or order.respondent)

    record = Record()
    for order, events in zip(orders, histories, strict=True):
        for verb, at, before, after, note, actor in events:
            person, label = who(order, actor)
            record.add(
                at=at,
                actor=person,
                label=label,
                verb=verb,
                target=order,
                before=before,
                after=after,
                note=note,
            )
    record.save()
    for order in orders:
        if order.status in (OrderStatus.ISSUED, OrderStatus.RETURNED):
            notify(
                recipients=staff[order.pk],
                reason="order.issued",
                title=f"督办单 {order.code}：请于 {order.deadline:%Y-%m-%d} 前答复",
                body=f"{order.reason}\n{order.required_action}",
                url=order.get_absolute_url(),
                target=order,
            )
        elif order.status == OrderStatus.ANSWERED:
            notify(
                recipients=[supervisor],
                reason="order.answered",
                title=f"督办单 {order.code} 已答复（{order.respondent}）",
                body=order.answer,
                url=order.get_absolute_url(),
                target=order,
                period=order.answered_at.isoformat(),
            )
    return orders


def _reports(supervisor: User, first: datetime.date, today: datetime.date) -> int:
    """Every period of the campaign that has ended, oldest first (each report compares with the one
    before); the latest weekly reminder notifies. Then the approvals a real office would have made."""
    count = 0
    for kind in (ReportKind.WEEKLY, ReportKind.TENDAY, ReportKind.MONTHLY):
        period_kind = PERIOD_OF[kind]
        last = last_complete(period_kind, today)
        for period in periods_between(period_kind, first, last.start):
            services.report_generate(kind=kind, period=period, notify_recipients=period == last, today=today)
            count += 1
    with transaction.atomic():
        for kind in (ReportKind.TENDAY, ReportKind.MONTHLY):
            latest = Report.objects.filter(kind=kind).order_by("-period_start").first()
            older = (
                Report.objects.filter(kind=kind).exclude(pk=latest.pk) if latest else Report.objects.none()
            )
            for report in older:
                report.status, report.approved_by = ReportStatus.APPROVED, supervisor
                report.approved_at = _at(report.period_end + datetime.timedelta(days=1), 10)
                if kind == ReportKind.TENDAY:
                    report.status, report.published_by = ReportStatus.PUBLISHED, supervisor
                    report.published_at = _at(report.period_end + datetime.timedelta(days=2), 9)
            Report.objects.bulk_update(
                older, ["status", "approved_by", "approved_at", "published_by", "published_at"]
            )
    return count


def _wish_notifications(today: datetime.date) -> int:
    """The members' reminders of overdue claims (the daily task's), and the signed-in wishers' news."""
    told = wish_services.wish_remind_overdue_claims(today=today)
    resident = User.objects.filter(username="resident").first()
    for wish in wishes.my_wishes(user=resident) if resident else []:
        for reason, moment, title in (
            ("wish.claimed", wish.claimed_at, f"您的心愿“{wish.title}”已被党员认领"),
            ("wish.fulfilled", wish.fulfilled_at, f"您的心愿“{wish.title}”已实现，请回访评价"),
        ):
            if moment:
                notify(
                    recipients=[resident],
                    reason=reason,
                    title=title,
                    url=f"/wishes/{wish.code}/",
                    target=wish,
                    period=moment.isoformat(),
                )
    return told
