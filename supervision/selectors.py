"""Reads of the supervision app: its own records (orders, inspections, contact points, reports) at a date,
aggregated in SQL, and the lists the pages and the API share. The registries' figures come from their own
selectors (``reports.py`` and ``dashboard.py`` assemble them)."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, Func, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from jiangyan.core.periods import PeriodKind, period_of
from jiangyan.core.roles import Role, has_role
from jiangyan.helpers import clock
from jiangyan.models import AuditEvent
from projects import selectors as projects
from surveys import selectors as surveys
from wishes import selectors as wishes

from .choices import ORDER_MOVES, REPORT_MOVES, OrderStatus, ReportKind, ReportStatus
from .models import ContactPoint, Inspection, Leader, Report, SupervisionOrder, visit_of_leader


def end_of(day: datetime.date) -> datetime.datetime:
    """The moment ``day`` ends (midnight after it, Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


# --- orders ----------------------------------------------------------------------------------------------


def order_list(*, user) -> QuerySet[SupervisionOrder]:
    """The orders ``user`` may see (supervisors: all; unit or community staff: theirs), newest first, with
    what a list row shows."""
    return (
        SupervisionOrder.objects.visible_to(user)
        .select_related("project", "wish", "duty_item__problem_item", "unit", "community__town", "issued_by")
        .order_by("-issued_at", "-id")
    )


# --- what a person may do with a report or an order now (``choices.REPORT_MOVES``, ``ORDER_MOVES``) -----
def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _supervisor(actor, obj, facts) -> bool:
    return _signed_in(actor) and has_role(actor, Role.SUPERVISOR)


def _respondent(actor, order, facts) -> bool:
    """The rule of ``SupervisionOrder.objects.answerable_by``, on the row."""
    if not _signed_in(actor):
        return False
    unit, community = getattr(actor, "unit_id", None), getattr(actor, "community_id", None)
    return bool(
        (has_role(actor, Role.UNIT_STAFF) and unit and order.unit_id == unit)
        or (has_role(actor, Role.COMMUNITY_STAFF) and community and order.community_id == community)
    )


REPORT_ROLES = {"supervisor": _supervisor}
REPORT_GUARDS = {"public_kind": lambda actor, report, facts: report.kind == ReportKind.TENDAY}
REPORT_MOVES.check_names(REPORT_ROLES, REPORT_GUARDS)
ORDER_ROLES = {"supervisor": _supervisor, "respondent": _respondent}
ORDER_MOVES.check_names(ORDER_ROLES)


def report_actions_for(actor, report: Report) -> list[str]:
    """The actions (``REPORT_MOVES``) ``actor`` may take on ``report`` now: buttons, API, service."""
    return REPORT_MOVES.allowed(actor, report, None, roles=REPORT_ROLES, guards=REPORT_GUARDS)


def report_require_move(actor, report: Report, action: str) -> None:
    REPORT_MOVES.require(action, actor, report, None, roles=REPORT_ROLES, guards=REPORT_GUARDS)


def order_actions_for(actor, order: SupervisionOrder) -> list[str]:
    """The actions (``ORDER_MOVES``) ``actor`` may take on ``order`` now: buttons, API, service."""
    return ORDER_MOVES.allowed(actor, order, None, roles=ORDER_ROLES)


def order_require_move(actor, order: SupervisionOrder, action: str) -> None:
    ORDER_MOVES.require(action, actor, order, None, roles=ORDER_ROLES)


def order_page(*, user, order: SupervisionOrder) -> dict:
    """What an order's page shows besides the order: its history and what ``user`` may do with it."""
    return {
        "events": AuditEvent.objects.for_object(order).order_by("created_at", "id"),
        "actions": order_actions_for(user, order),
    }


def order_counts_by_unit(*, on: datetime.date) -> dict[int, dict[str, int]]:
    """Per responsible unit at the end of ``on``: orders not closed and orders overdue. One query."""
    at = end_of(on)
    overdue = SupervisionOrder.objects.overdue_on(on, at).filter(pk=OuterRef("pk"))
    rows = (
        SupervisionOrder.objects.unclosed_at(at)
        .filter(unit__isnull=False)
        .annotate(late=Exists(overdue))
        .values("unit_id")
        .annotate(unclosed=Count("id"), overdue=Count("id", filter=Q(late=True)))
        .order_by()
    )
    return {r["unit_id"]: {"unclosed": r["unclosed"], "overdue": r["overdue"]} for r in rows}


ORDER_ROW = (
    "id",
    "code",
    "reason",
    "deadline",
    "status",
    "unit_id",
    "unit__name",
    "community_id",
    "community__name",
    "community__town__name",
    "project__code",
    "project__title",
    "wish__code",
    "wish__title",
    "duty_item_id",
    "duty_item__problem_item__title",
)


def _order_row(row: dict, on: datetime.date) -> dict:
    if row["project__code"]:
        target = f"{row['project__code']} {row['project__title']}"
    elif row["wish__code"]:
        target = f"{row['wish__code']} {row['wish__title']}"
    else:
        target = f"#{row['duty_item_id']} {row['duty_item__problem_item__title']}"
    community = f"{row['community__town__name']}{row['community__name']}" if row["community_id"] else ""
    return {
        "id": row["id"],
        "code": row["code"],
        "reason": row["reason"],
        "target": target,
        "unit_id": row["unit_id"],
        "community_id": row["community_id"],
        "respondent": row["unit__name"] or community,
        "deadline": row["deadline"].isoformat(),
        "days_overdue": max(0, (on - row["deadline"]).days),
        "status": row["status"],
    }


def unclosed_orders(*, on: datetime.date) -> list[dict]:
    """Orders not closed at the end of ``on``, with whether each is overdue then, by deadline. Two queries
    (the rows, and which are overdue)."""
    at = end_of(on)
    overdue = set(SupervisionOrder.objects.overdue_on(on, at).values_list("pk", flat=True))
    rows = SupervisionOrder.objects.unclosed_at(at).order_by("deadline", "id").values(*ORDER_ROW)
    return [{**_order_row(r, on), "overdue": r["id"] in overdue} for r in rows]


def overdue_orders(*, on: datetime.date) -> list[dict]:
    """Orders overdue at the end of ``on`` (the dispatch's agenda), most overdue first. One query."""
    rows = SupervisionOrder.objects.overdue_on(on, end_of(on)).order_by("deadline", "id").values(*ORDER_ROW)
    return [{**_order_row(r, on), "overdue": True} for r in rows]


def order_summary(*, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Orders issued, answered and closed in ``start``…``end``, and unclosed and overdue at its end."""
    since, at = end_of(start - datetime.timedelta(days=1)), end_of(end)
    figures = SupervisionOrder.objects.aggregate(
        issued=Count("id", filter=Q(issued_at__gte=since, issued_at__lt=at)),
        answered=Count("id", filter=Q(answered_at__gte=since, answered_at__lt=at)),
        closed=Count("id", filter=Q(closed_at__gte=since, closed_at__lt=at)),
        unclosed=Count("id", filter=Q(issued_at__lt=at) & (Q(closed_at__isnull=True) | Q(closed_at__gte=at))),
    )
    figures["overdue"] = SupervisionOrder.objects.overdue_on(end, at).count()
    return figures


TARGET_KINDS = ("project", "wish", "duty_item")


def order_target(kind: str, key: str):
    """What an order is issued on: a project by its code, a wish by its code, a duty item by its id (any
    of them, whatever their visibility: the issuer is a supervisor), or None."""
    if kind == "project":
        return projects.project_by_code(key)
    if kind == "wish":
        return wishes.wish_by_code(key)
    if kind == "duty_item":
        return surveys.duty_item_by_pk(key)
    return None


def order_target_choices(kind: str, text: str, *, limit: int = 10) -> list[tuple[str, str]]:
    """What a supervisor may pick as an order's target from what they typed: ``(key, label)``."""
    finders = {
        "project": projects.projects_matching,
        "wish": wishes.wishes_matching,
        "duty_item": surveys.duty_items_matching,
    }
    return finders[kind](text, limit=limit) if kind in finders and (text or "").strip() else []


def respondent_staff(order: SupervisionOrder) -> QuerySet[User]:
    """The people who answer ``order``: staff of its unit, or of its community."""
    if order.unit_id:
        return User.objects.filter(unit_id=order.unit_id, groups__name=Role.UNIT_STAFF, is_active=True)
    return User.objects.filter(
        community_id=order.community_id, groups__name=Role.COMMUNITY_STAFF, is_active=True
    )


def staff_by_unit(unit_ids) -> dict[int, list[User]]:
    """Active unit staff of each of ``unit_ids``. One query."""
    result: dict[int, list[User]] = {}
    for user in User.objects.filter(unit_id__in=list(unit_ids), groups__name=Role.UNIT_STAFF, is_active=True):
        result.setdefault(user.unit_id, []).append(user)
    return result


def staff_by_community(community_ids) -> dict[int, list[User]]:
    """Active community staff of each of ``community_ids``. One query."""
    result: dict[int, list[User]] = {}
    for user in User.objects.filter(
        community_id__in=list(community_ids), groups__name=Role.COMMUNITY_STAFF, is_active=True
    ):
        result.setdefault(user.community_id, []).append(user)
    return result


def _orders_on(user, kind: str, target, key: str, issue_label: str) -> dict:
    orders = SupervisionOrder.objects.visible_to(user).filter(**{f"{kind}_id": target.pk})
    return {
        "target_orders": list(orders.order_by("-issued_at", "-id")),
        "can_issue_order": has_role(user, Role.SUPERVISOR),
        "order_issue_query": urlencode({kind: key}),
        "order_issue_label": issue_label,
    }


def project_section(user, project) -> dict:
    """This app's section of every project page: the orders on the project ``user`` may see, and whether
    they may issue one (``SupervisionConfig.project_sections``)."""
    return _orders_on(user, "project", project, project.code, _("对本项目下发督办单"))


def duty_section(user, duty_item) -> dict:
    """The same on every duty item page (``SupervisionConfig.duty_sections``)."""
    return _orders_on(user, "duty_item", duty_item, str(duty_item.pk), _("对本履职事项下发督办单"))


# --- inspections and contact points -----------------------------------------------------------------------


def inspection_list(*, user) -> QuerySet[Inspection]:
    return (
        Inspection.objects.visible_to(user)
        .select_related("recorded_by")
        .prefetch_related("inspectors", "communities__town", "units", "projects")
        .annotate(n_orders=Count("orders", distinct=True))
        .order_by("-date", "-id")
    )


def inspection_page(*, inspection: Inspection) -> dict:
    return {
        "photos": list(inspection.photos.all()),
        "orders": list(inspection.orders.select_related("unit", "community__town").order_by("issued_at")),
        "events": AuditEvent.objects.for_object(inspection).order_by("created_at", "id"),
    }


def _visits(month_start: datetime.date, month_end: datetime.date | None = None) -> QuerySet[Inspection]:
    """Inspections at a contact point (``OuterRef``) with its leader among the inspectors."""
    visits = Inspection.objects.filter(inspectors__leader=OuterRef("leader_id"), date__gte=month_start)
    if month_end is not None:
        visits = visits.filter(date__lte=month_end)
    place = Q(communities=OuterRef("community_id")) | Q(units=OuterRef("unit_id"))
    return visits.filter(place)


def this_month(on: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The days of the month of ``on`` (today) up to ``on``: the window of "visited this month"."""
    on = on or clock.localdate()
    return period_of(PeriodKind.MONTH, on).start, on


def contact_points(*, user=None, on: datetime.date | None = None) -> QuerySet[ContactPoint]:
    """The contact points ``user`` may see (every one when None), by leader, with ``visited`` (this month,
    at ``on``) and ``last_visit``; the ones not visited first. One query."""
    start, on = this_month(on)
    queryset = ContactPoint.objects.all() if user is None else ContactPoint.objects.visible_to(user)
    last_visit = (
        Inspection.objects.filter(inspectors__leader=OuterRef("leader_id"), date__lte=on)
        .filter(Q(communities=OuterRef("community_id")) | Q(units=OuterRef("unit_id")))
        .order_by()
        .values("inspectors")
        .annotate(d=Max("date"))
        .values("d")[:1]
    )
    return (
        queryset.select_related("leader__user", "community__town", "unit")
        .annotate(visited=Exists(_visits(start, on)), last_visit=last_visit)
        .order_by("leader__rank", "leader_id", "visited", "id")
    )


def unvisited_contact_points(*, on: datetime.date | None = None) -> QuerySet[ContactPoint]:
    """Contact points not visited this month by their leader (the dashboard)."""
    return contact_points(on=on).filter(visited=False)


def leader_visits(*, leader, on: datetime.date | None = None) -> QuerySet[Inspection]:
    """The visits of ``leader`` (a Leader or its pk) this month: inspections at one of the leader's contact
    points with the leader among the inspectors (``models.visit_of_leader``)."""
    start, on = this_month(on)
    visits = Inspection.objects.filter(visit_of_leader(leader)).values("pk")
    return Inspection.objects.filter(pk__in=visits, date__gte=start, date__lte=on)


def leader_list(*, user=None) -> QuerySet[Leader]:
    """The leaders (``user`` may see), in the order of precedence."""
    queryset = Leader.objects.all() if user is None else Leader.objects.visible_to(user)
    return queryset.select_related("user").order_by("rank", "id")


def leader_of(user) -> Leader | None:
    """The leader ``user`` is (their own contact points are a link away), or None."""
    return Leader.objects.filter(user_id=getattr(user, "pk", None)).first()


def _count(queryset: QuerySet) -> Subquery:
    """The number of distinct rows of ``queryset`` (which refers to an ``OuterRef``), as a subquery."""
    distinct_count = Func(F("pk"), function="COUNT", template="COUNT(DISTINCT %(expressions)s)")
    return Subquery(queryset.order_by().annotate(n=distinct_count).values("n"), output_field=IntegerField())


def leaders_with_figures(*, user=None, on: datetime.date | None = None) -> QuerySet[Leader]:
    """The leaders (``user`` may see), in the order of precedence, each with ``places``, ``visits`` this
    month (``visit_of_leader``) and ``unvisited`` (their places not visited this month). One query."""
    start, on = this_month(on)
    points = ContactPoint.objects.filter(leader=OuterRef("pk")).annotate(visited=Exists(_visits(start, on)))
    visits = Inspection.objects.filter(visit_of_leader(OuterRef("pk")), date__gte=start, date__lte=on)
    return leader_list(user=user).annotate(
        places=_count(points), unvisited=_count(points.filter(visited=False)), visits=_count(visits)
    )


def leader_figures(*, on: datetime.date | None = None) -> list[dict]:
    """Per leader, in the order of precedence (``leaders_with_figures``): their places, their visits this
    month and the places not visited this month, with those places. Two queries, whatever the number of
    leaders and places."""
    unvisited: dict[int, list[ContactPoint]] = {}
    for point in unvisited_contact_points(on=on):
        unvisited.setdefault(point.leader_id, []).append(point)
    return [
        {
            "leader": leader,
            "places": leader.places or 0,
            "unvisited": leader.unvisited or 0,
            "visits": leader.visits or 0,
            "unvisited_places": unvisited.get(leader.pk, []),
        }
        for leader in leaders_with_figures(on=on)
    ]


# --- reports --------------------------------------------------------------------------------------------


def report_list(*, user) -> QuerySet[Report]:
    """The reports ``user`` may see (supervisors: every one; others: the published bulletins), newest
    period first; without their bulky content."""
    return Report.objects.visible_to(user).defer("data", "html").order_by("-period_start", "kind")


def bulletin_list() -> QuerySet[Report]:
    return Report.objects.published().defer("data", "html").order_by("-period_start")


def latest_bulletin() -> Report | None:
    return bulletin_list().first()


def report_history(report: Report) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_object(report).order_by("created_at", "id")


def stored_totals(*, kind: str, before: datetime.date, limit: int) -> list[dict]:
    """The project totals the last ``limit`` reports of ``kind`` before ``before`` stored, oldest first
    (a trend without recomputing the past). One query."""
    rows = (
        Report.objects.filter(kind=kind, period_start__lt=before)
        .order_by("-period_start")
        .values("pk", "period_start", "period_end", "data__totals")[:limit]
    )
    return [
        {"id": r["pk"], "start": r["period_start"], "end": r["period_end"], "totals": r["data__totals"] or {}}
        for r in reversed(rows)
    ]


def draft_count() -> int:
    return Report.objects.filter(status=ReportStatus.DRAFT, kind=ReportKind.TENDAY).count()


def home_context(request) -> dict:
    """This app's part of the public home page: the latest published bulletin."""
    return {"latest_bulletin": latest_bulletin()}


# --- a person's open work (``/api/v1/me/``, declared in ``SupervisionConfig.open_work``) ------------------


def orders_to_answer(*, user) -> QuerySet[SupervisionOrder]:
    """Orders of the person's unit or community that still owe an answer, the earliest deadline first."""
    return SupervisionOrder.objects.answerable_by(user).open().order_by("deadline", "id")


def orders_to_close(*, user) -> QuerySet[SupervisionOrder]:
    """Answered orders that wait for a supervisor to close (or return) them."""
    return (
        SupervisionOrder.objects.editable_by(user).filter(status=OrderStatus.ANSWERED).order_by("answered_at")
    )


def reports_to_release(*, user) -> QuerySet[Report]:
    """Ten-day bulletins a supervisor has still to approve or publish, the oldest period first."""
    return (
        Report.objects.editable_by(user)
        .filter(kind=ReportKind.TENDAY, status__in=[ReportStatus.DRAFT, ReportStatus.APPROVED])
        .order_by("period_start", "id")
    )
