"""Demo data of the supervision loop, called by ``manage.py seed_demo`` after every registry: the
leaders (四套班子成员) with their own contact points and visits (some visited this month, some not), the
roving guidance group's (``supervisor``'s) inspections, supervision orders
in every state (some overdue) on behind projects, overdue claims and overdue duty items, with their history
and notifications, and the reports of every period of the campaign that has ended — the ten-day bulletins
published but the latest, which waits for approval. Every act through ``supervision.services`` on its
day (``jiangyan.helpers.clock.at``): the services write the rows, their record and the notices. Deterministic;
idempotent; all relative to today."""

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from accounts.models import Community, Unit, User
from jiangyan.core.periods import last_complete, periods_between
from jiangyan.helpers import clock
from projects import selectors as projects
from projects.models import Project
from supervision import selectors, services
from supervision.choices import PERIOD_OF, InspectionKind, OrderStatus, ReportKind
from supervision.models import ContactPoint, Inspection, Leader, Report, SupervisionOrder
from surveys import selectors as surveys
from surveys.choices import DutyStatus
from surveys.models import DutyItem
from wishes import selectors as wishes
from wishes import services as wish_services
from wishes.models import Wish

from .accounts import DEMO_UNIT_NAME, LEADERS, demo_community

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
    campaign's start, through ``services.leader_appoint`` and ``contact_point_assign`` on that day."""
    office = User.objects.get(username="admin")
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in LEADERS])}
    communities = list(Community.objects.select_related("town").order_by("id"))
    units = list(Unit.objects.order_by("id"))
    appointed = _at(since - datetime.timedelta(days=3), 10)
    leaders, points = [], []
    with clock.at(appointed):
        for username, _name, body, title, rank in LEADERS:
            leaders.append(
                services.leader_appoint(actor=office, user=users[username], body=body, title=title, rank=rank)
            )
    for index, leader in enumerate(leaders):
        places, unit_places = _leader_places(index, communities, units)
        for place in [{"community": c} for c in places] + [{"unit": u} for u in unit_places]:
            with clock.at(appointed + datetime.timedelta(minutes=10 + len(points))):
                points.append(
                    services.contact_point_assign(actor=office, leader=leader, since=since, **place)
                )
    return leaders, points


def _store_visits(visits: list[tuple], projects: list[list] | None = None) -> list[Inspection]:
    """Record inspections ``(day, recorder, inspectors, point, places, kind, findings)`` through
    ``services.inspection_record`` on the evening of ``day`` (``projects``: those each concerned)."""
    inspections = []
    for index, (day, recorder, inspectors, point, places, kind, findings) in enumerate(visits):
        where = {}
        if point is not None and point.community_id:
            where["communities"] = [point.community]
        elif point is not None and point.unit_id:
            where["units"] = [point.unit]
        with clock.at(_at(day, 18)):
            inspections.append(
                services.inspection_record(
                    actor=recorder,
                    kind=kind,
                    date=day,
                    places=places,
                    findings=findings,
                    inspectors=inspectors,
                    projects=projects[index] if projects else (),
                    **where,
                )
            )
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
    order = [p["id"] for p in projects.behind_projects(on=today)]
    behind = sorted(Project.objects.filter(pk__in=order), key=lambda p: order.index(p.pk))
    concerned = [[behind[i % len(behind)]] if behind and i % 2 == 0 else [] for i in range(len(visits))]
    return _store_visits(visits, concerned)


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
) -> list[SupervisionOrder]:
    """Orders on the targets, each through ``services.order_issue`` on its day and answered (by the
    responsible unit's or community's first staff), returned or closed (by the supervisor) since, through
    the services — which write the order, its record and the notices."""
    orders = []
    for index, (kind, target) in enumerate(_targets(today)):
        # Every third plan: wishes and duty items get a mix of states too, not only the first ones.
        issued_days, deadline_days, final = ORDER_PLANS[index * 3 % len(ORDER_PLANS)]
        issued_at = _at(today - datetime.timedelta(days=issued_days), 9)
        if kind == "project":
            about = {"project": Project.objects.get(pk=target["id"])}
        elif kind == "wish":
            about = {"wish": Wish.objects.get(code=target["code"])}
        else:
            duty = DutyItem.objects.filter(unit_id=target["unit_id"]).exclude(status=DutyStatus.DONE).first()
            if duty is None:
                continue
            about = {"duty_item": duty}
        reason, action = ORDER_REASONS[kind]
        with clock.at(issued_at):
            order = services.order_issue(
                actor=supervisor,
                reason=reason,
                required_action=action,
                deadline=issued_at.date() + datetime.timedelta(days=deadline_days),
                inspection=inspections[-1] if index == 0 and inspections else None,
                **about,
            )
        orders.append(order)
        respondent = next(iter(selectors.respondent_staff(order)), None)
        if final == OrderStatus.ISSUED or respondent is None:
            continue
        # Answered before today (an order issued two days ago cannot have been answered in five).
        days = rng.randint(1, max(1, min(5, issued_days - 1)))
        answered_at = issued_at + datetime.timedelta(days=days, hours=3)
        with clock.at(answered_at):
            answer = ANSWERS[kind][index % len(ANSWERS[kind])]
            order = services.order_answer(actor=respondent, order=order, answer=answer)
        with clock.at(answered_at + datetime.timedelta(days=1)):
            if final == OrderStatus.RETURNED:
                deadline = today + datetime.timedelta(days=3)
                services.order_return(
                    actor=supervisor, order=order, reason=RETURN_REASONS[kind], deadline=deadline
                )
            elif final == OrderStatus.CLOSED:
                services.order_close(actor=supervisor, order=order, note="整改到位，同意办结。")
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
    with transaction.atomic():  # each older ten-day and monthly report approved, the ten-day ones published
        for kind in (ReportKind.TENDAY, ReportKind.MONTHLY):
            latest = Report.objects.filter(kind=kind).order_by("-period_start").first()
            for report in Report.objects.filter(kind=kind).exclude(pk=getattr(latest, "pk", None)):
                with clock.at(_at(report.period_end + datetime.timedelta(days=1), 10)):
                    report = services.report_approve(actor=supervisor, report=report)
                if kind == ReportKind.TENDAY:
                    with clock.at(_at(report.period_end + datetime.timedelta(days=2), 9)):
                        services.report_publish(actor=supervisor, report=report)
    return count


def _wish_notifications(today: datetime.date) -> int:
    """The members' reminders of overdue claims (the daily task's). The signed-in wishers' news of their
    wishes' claims and fulfilments the wish services wrote as they happened."""
    return wish_services.wish_remind_overdue_claims(today=today)
