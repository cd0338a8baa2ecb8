"""Demo data of the supervision loop, called by ``manage.py seed_demo`` after every registry: the
leaders (四套班子成员) with their own contact points and visits (some visited this month, some not), the
roving guidance group's (``supervisor``'s) inspections, supervision orders
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
from supervision.models import ContactPoint, Inspection, Leader, Report, SupervisionOrder
from surveys import selectors as surveys
from surveys.choices import DutyStatus
from surveys.models import DutyItem
from wishes import selectors as wishes
from wishes import services as wish_services
from wishes.models import Wish

from .accounts import DEMO_UNIT_NAME, LEADERS, demo_community
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
    if Leader.objects.exists() or ContactPoint.objects.exists() or Report.objects.exists():
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
        leaders, points = _leaders(first_day)
        visits = _leader_visits(rng, leaders, points, supervisor, first_day, today)
        inspections = _inspections(rng, supervisor, first_day, today)
        orders = _orders(rng, supervisor, inspections, today)
    reports = _reports(supervisor, first_day, today)
    with transaction.atomic():
        told = _wish_notifications(today)
    stdout.write(
        f"  督查：联系领导 {len(leaders)} 位，联系点 {len(points)} 个，领导走访 {visits} 次，"
        f"巡回指导 {len(inspections)} 次，督办单 {len(orders)} 件，"
        f"报告 {reports} 份，心愿提醒 {told} 条（{time.monotonic() - started:.1f}s）"
    )


# What a leader finds on a visit, by the kind of place and the way of the visit (实地走访, 集中座谈).
VISIT_FINDINGS = {
    "community": (
        (
            InspectionKind.FIELD_VISIT,
            "走访困难家庭和社区助餐点，了解微心愿认领情况，要求社区把老年群众的心愿逐条落实到党员。",
        ),
        (
            InspectionKind.FORUM,
            "召开居民代表座谈会，群众反映停车难、路灯不亮，要求街道牵头拿出方案，月底前答复居民。",
        ),
        (
            InspectionKind.FIELD_VISIT,
            "察看社区党群服务中心，听取“夜访”收集问题的办理情况，要求对未办结事项明确责任人和时限。",
        ),
    ),
    "unit": (
        (
            InspectionKind.FORUM,
            "召开为民办实事项目推进座谈会，听取进度汇报，要求对滞后节点倒排工期、挂图作战。",
        ),
        (
            InspectionKind.FIELD_VISIT,
            "到单位调研，了解群众评议意见和履职清单落实情况，要求把群众满意度作为检验标准。",
        ),
        (
            InspectionKind.FORUM,
            "与单位班子成员座谈，协调解决项目资金和人员问题，要求一周内报送推进计划。",
        ),
    ),
}


# Per leader (``demo.accounts.LEADERS`` in order): how many communities and units they hold, and how many
# of their points (the last ones) are not yet visited this month — a leader who has been everywhere, one
# who has been nowhere yet, most somewhere in between.
LEADER_PLACES = ((2, 1), (2, 2), (2, 1), (1, 2), (3, 1), (2, 1))
NOT_YET_VISITED = (0, 1, 2, 1, 0, 3)


def _leader_places(index: int, communities: list, units: list) -> tuple[list, list]:
    """Communities in different towns and units for each leader; the first two leaders share the demo
    community (a place may be several leaders' point), the second holds the demo unit."""
    n_communities, n_units = LEADER_PLACES[index % len(LEADER_PLACES)]
    home = demo_community()
    others = [c for c in communities if c.pk != home.pk]
    picked = [others[(index * 11 + 3 + k * 37) % len(others)] for k in range(n_communities)]
    if index < 2:
        picked[0] = home
    demo_unit = next(u for u in units if u.name == DEMO_UNIT_NAME)
    rest = [u for u in units if u.pk != demo_unit.pk]
    chosen = [rest[(index * 5 + 2 + k * 17) % len(rest)] for k in range(n_units)]
    if index == 1:
        chosen[0] = demo_unit
    return picked, chosen


def _leaders(since: datetime.date) -> tuple[list[Leader], list[ContactPoint]]:
    """The leaders (``demo.accounts.LEADERS``) recorded by the office and given their contact points at the
    campaign's start, with the record ``services.leader_appoint`` and ``contact_point_assign`` write."""
    office = User.objects.get(username="admin")
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in LEADERS])}
    leaders = Leader.objects.bulk_create(
        Leader(user=users[username], body=body, title=title, rank=rank)
        for username, _name, body, title, rank in LEADERS
    )
    communities = list(Community.objects.select_related("town").order_by("id"))
    units = list(Unit.objects.order_by("id"))
    rows = []
    for index, leader in enumerate(leaders):
        places, unit_places = _leader_places(index, communities, units)
        rows += [ContactPoint(leader=leader, community=c, since=since) for c in places]
        rows += [ContactPoint(leader=leader, unit=u, since=since) for u in unit_places]
    points = ContactPoint.objects.bulk_create(rows)
    record = Record()
    appointed = _at(since - datetime.timedelta(days=3), 10)
    for leader in leaders:
        record.add(
            at=appointed,
            actor=office,
            verb="leader.appoint",
            target=leader,
            after={"body": leader.body, "title": leader.title, "rank": leader.rank},
        )
    for offset, point in enumerate(points):
        record.add(
            at=appointed + datetime.timedelta(minutes=10 + offset),
            actor=office,
            verb="contact_point.assign",
            target=point,
            after={
                "leader": point.leader_id,
                "community": point.community_id,
                "unit": point.unit_id,
                "since": since.isoformat(),
            },
        )
    record.save()
    return leaders, points


def _store_visits(visits: list[tuple[datetime.date, User, list[User], ContactPoint | None, str, str, str]]):
    """Insert inspections ``(day, recorder, inspectors, point, places, kind, findings)`` dated ``day`` and
    recorded that evening, with the record ``services.inspection_record`` writes. The inspections."""
    moments = [_at(day, 18) for day, *_rest in visits]
    inspections = Inspection.objects.bulk_create(
        Inspection(kind=kind, date=day, places=places, findings=findings, recorded_by=recorder, created_at=at)
        for (day, recorder, _people, _point, places, kind, findings), at in zip(visits, moments, strict=True)
    )
    people = Inspection.inspectors.through
    people.objects.bulk_create(
        people(inspection_id=i.pk, user_id=user.pk)
        for i, (_d, _r, inspectors, *_rest) in zip(inspections, visits, strict=True)
        for user in inspectors
    )
    rows = list(zip(inspections, visits, strict=True))
    Inspection.communities.through.objects.bulk_create(
        Inspection.communities.through(inspection_id=i.pk, community_id=v[3].community_id)
        for i, v in rows
        if v[3] is not None and v[3].community_id
    )
    Inspection.units.through.objects.bulk_create(
        Inspection.units.through(inspection_id=i.pk, unit_id=v[3].unit_id)
        for i, v in rows
        if v[3] is not None and v[3].unit_id
    )
    record = Record()
    for inspection, (day, recorder, inspectors, _point, places, kind, _findings), at in zip(
        inspections, visits, moments, strict=True
    ):
        record.add(
            at=at,
            actor=recorder,
            verb="inspection.record",
            target=inspection,
            after={"kind": kind, "date": day.isoformat(), "inspectors": sorted({u.pk for u in inspectors})},
            note=places,
        )
    record.save()
    return inspections


def _leader_visits(
    rng: random.Random,
    leaders: list[Leader],
    points: list[ContactPoint],
    group: User,
    first: datetime.date,
    today: datetime.date,
) -> int:
    """Each leader visits each of their points about once a month since the campaign began (a month missed
    now and then), sometimes with the roving guidance group; this month some leaders have been to every
    point, some to none yet (``NOT_YET_VISITED``), and the two leaders who share the demo community visit
    it together. All before today."""
    month_start = today.replace(day=1)
    users = {leader.pk: leader.user for leader in leaders}
    shared = [p for p in points if p.community_id == demo_community().pk]
    visits = []

    def visit(day, point, inspectors, turn):
        kind_of_place = "community" if point.community_id else "unit"
        kind, findings = VISIT_FINDINGS[kind_of_place][turn % len(VISIT_FINDINGS[kind_of_place])]
        place = (
            f"{point.community.town.name}{point.community.name}" if point.community_id else point.unit.name
        )
        visits.append((day, inspectors[0], inspectors, point, place, kind, findings))

    order = {leader.pk: index for index, leader in enumerate(leaders)}
    held: dict[int, list[ContactPoint]] = {}
    for point in points:
        held.setdefault(point.leader_id, []).append(point)
    for turn, point in enumerate(points):
        leader = users[point.leader_id]
        month = first.replace(day=1)
        while month < month_start:
            day = month + datetime.timedelta(days=rng.randint(4, 24))
            if first <= day < month_start and rng.random() > 0.2:
                company = [group] if rng.random() < 0.3 else []
                visit(day, point, [leader, *company], turn + day.month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        # This month: all but the leader's last NOT_YET_VISITED points so far; the shared community below.
        mine = held[point.leader_id]
        not_yet = NOT_YET_VISITED[order[point.leader_id] % len(NOT_YET_VISITED)]
        if mine.index(point) < len(mine) - not_yet and point not in shared:
            day = max(month_start, today - datetime.timedelta(days=1 + turn % 6))
            visit(day, point, [leader], turn)
    if len(shared) >= 2:
        day = max(month_start, today - datetime.timedelta(days=2))
        visit(day, shared[0], [users[p.leader_id] for p in shared], 0)
    visits.sort(key=lambda v: v[0])
    _store_visits(visits)
    return len(visits)


def _inspections(
    rng: random.Random, supervisor: User, first: datetime.date, today: datetime.date
) -> list[Inspection]:
    """The roving guidance group's own inspections, about two a month, at communities and units in turn
    (none of them anyone's contact point visit: the group holds none)."""
    home = demo_community()
    others = list(Community.objects.select_related("town").exclude(pk=home.pk).order_by("id"))
    demo_unit = Unit.objects.get(name=DEMO_UNIT_NAME)
    places = [home, *others[len(others) // 3 :: len(others) // 3 or 1][:2]]
    places += [demo_unit, *Unit.objects.exclude(pk=demo_unit.pk).order_by("id")[2:4]]
    stops = [ContactPoint(community=p) if isinstance(p, Community) else ContactPoint(unit=p) for p in places]
    days = []
    day = first + datetime.timedelta(days=9)
    while day < today:
        days.append(day)
        day += datetime.timedelta(days=rng.randint(12, 18))
    kinds = list(InspectionKind.values)
    visits = []
    for index, day in enumerate(days):
        stop = stops[index % len(stops)]
        place = f"{stop.community.town.name}{stop.community.name}" if stop.community_id else stop.unit.name
        visits.append(
            (
                day,
                supervisor,
                [supervisor],
                stop,
                place,
                kinds[index % len(kinds)],
                FINDINGS[index % len(FINDINGS)],
            )
        )
    inspections = _store_visits(visits)
    behind = [p["id"] for p in projects.behind_projects(on=today)]
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
                title=services.ORDER_ISSUED_TITLE(code=order.code, deadline=f"{order.deadline:%Y-%m-%d}"),
                body=f"{order.reason}\n{order.required_action}",
                url=order.get_absolute_url(),
                target=order,
            )
        elif order.status == OrderStatus.ANSWERED:
            notify(
                recipients=[supervisor],
                reason="order.answered",
                title=services.ORDER_ANSWERED_TITLE(code=order.code, who=order.respondent),
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
            ("wish.claimed", wish.claimed_at, wish_services.CLAIMED_TITLE(title=wish.title)),
            ("wish.fulfilled", wish.fulfilled_at, wish_services.FULFILLED_TITLE(title=wish.title)),
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
