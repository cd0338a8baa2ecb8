"""The supervisors' dashboard (``/dashboard/``): the registries' figures today, from their period-aware
selectors, as tables and as ECharts options. Every figure carries the address of the filtered list behind
it (the showcase, the wish board, the duty and problem lists, the order list); a chart's ``links`` map a
bar, slice or point to that address (``static/js/portal.js`` follows them on click)."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiangyan.core.periods import PeriodKind, last_complete
from jiangyan.helpers import charts, clock
from jiangyan.helpers.charts import GREEN, ORANGE, RED
from projects import selectors as projects
from surveys import selectors as surveys
from wishes import selectors as wishes
from wishes.choices import Satisfaction

from . import reports, selectors
from .choices import OrderStatus, ReportKind
from .models import SupervisionOrder, order_open, order_overdue

BEHIND_HISTORY = 12  # bulletins shown in "behind over time"
RANKING_WEEKS = 4  # the live ranking covers the last four complete weeks


def link(name: str, **params) -> str:
    """The address of a list page with its filters (``link("projects:showcase", behind=1)``)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _order_figures(today: datetime.date) -> dict[str, int]:
    return SupervisionOrder.objects.aggregate(
        open=Count("id", filter=order_open()),
        overdue=Count("id", filter=order_overdue(today)),
        answered=Count("id", filter=Q(status=OrderStatus.ANSWERED)),
        closed=Count("id", filter=Q(status=OrderStatus.CLOSED)),
    )


def leader_rows(*, today: datetime.date | None = None) -> list[dict]:
    """Per leader (``selectors.leader_figures``): places, visits this month and places not visited this
    month, each with the list it opens — the contact points of that leader (not visited), the leader's
    visits of the month."""
    today = today or clock.localdate()
    start, today = selectors.this_month(today)
    rows = selectors.leader_figures(on=today)
    for row in rows:
        pk = row["leader"].pk
        row["places_url"] = link("supervision:contact-points", leader=pk)
        row["unvisited_url"] = link("supervision:contact-points", leader=pk, visited="false")
        row["visits_url"] = link(
            "supervision:inspections", leader=pk, date_after=start.isoformat(), date_before=today.isoformat()
        )
    return rows


def team_rows(*, today: datetime.date, at: datetime.datetime | None) -> list[dict]:
    """Per help team (``wishes.selectors.team_figures``): routed, claimed, fulfilled, overdue (unclaimed
    past WISH_TEAM_CLAIM_HOURS) and the median time to claim, each count with the board's list of it."""
    rows = wishes.team_figures(on=today, at=at)
    for row in rows:
        pk = row["team"].pk
        row["routed_url"] = link("wishes:board", status="", team=pk)
        row["claimed_url"] = link("wishes:board", status="", team=pk, reached="claimed")
        row["fulfilled_url"] = link("wishes:board", status="", team=pk, reached="fulfilled")
        row["overdue_url"] = link("wishes:board", status="", team=pk, flagged="true")
        wait = row["median_claim"]
        row["median_hours"] = round(wait.total_seconds() / 3600, 1) if wait is not None else None
    return rows


def dashboard(*, today: datetime.date | None = None, year: int | None = None, earlier: bool = False) -> dict:
    """Everything ``/dashboard/`` shows, in a fixed number of queries whatever the size of the district:
    the projects of campaign ``year`` (the current one; None: the year of ``today``) today, or — an
    ``earlier`` year — as they stood at its last day (its figures, and its showcase behind each of them)."""
    today = today or clock.localdate()
    earlier = earlier and year is not None
    if earlier:
        today = min(today, datetime.date(year, 12, 31))

    def showcase(**params) -> str:  # the list behind a figure, of the year shown
        return link("projects:showcase", year=year if earlier else None, **params)

    points = float(settings.SUPERVISION_AGENDA_BEHIND_POINTS)
    totals = projects.project_totals(on=today, agenda_points=points, year=year)
    programs = projects.rollup(on=today, by="program", agenda_points=points, year=year)
    funnel = wishes.funnel_between(end=today)
    # Today's alerts are read now, as the board's lists they open; another day's at its end.
    now = clock.now() if today == clock.localdate() else None
    alerts = wishes.alert_counts(on=today, at=now)
    participation = surveys.participation_between(end=today)
    conversion = surveys.conversion_at(on=today)
    last_week = last_complete(PeriodKind.WEEK, today)
    window_start = last_week.end - datetime.timedelta(days=7 * RANKING_WEEKS - 1)
    history = selectors.stored_totals(kind=ReportKind.TENDAY, before=today, limit=BEHIND_HISTORY)
    orders = _order_figures(today)
    leaders = leader_rows(today=today)

    names = reports.glossary()  # programs and units by their English names on an English page
    for row in programs:
        row["group"] = names.name(row["group"])
        row["url"] = showcase(program=row["group_id"])
        row["behind_url"] = showcase(program=row["group_id"], behind=1)
    behind_labels = [f"{h['end']:%m-%d}" for h in history] + [_("今天")]
    behind_values = [h["totals"].get("behind") for h in history] + [totals["behind"]]
    # Each step opens the wishes that reached it (wishes.selectors.FUNNEL_STAGES: the funnel's own rule),
    # whatever their state now; each satisfaction segment the wishes followed up with that answer.
    funnel_steps = [
        (label, funnel[stage], link("wishes:board", status="", reached=stage))
        for stage, label in (
            ("received", _("收到")),
            ("claimed", _("认领")),
            ("fulfilled", _("实现")),
            ("closed", _("办结")),
        )
    ]
    satisfaction = [
        (
            _("满意"),
            funnel["satisfied"],
            link("wishes:board", status="", satisfaction=Satisfaction.SATISFIED),
            GREEN,
        ),
        (
            _("基本满意"),
            funnel["basically"],
            link("wishes:board", status="", satisfaction=Satisfaction.BASICALLY),
            ORANGE,
        ),
        (
            _("不满意"),
            funnel["unsatisfied"],
            link("wishes:board", status="", satisfaction=Satisfaction.UNSATISFIED),
            RED,
        ),
    ]
    # Suggestions have no list a supervisor may open (the coding screen is the office's): no link.
    conversion_steps = [
        (_("建议"), conversion["suggestions"], None),
        (_("已归类"), conversion["coded"], None),
        (_("问题清单"), conversion["items"], link("surveys:problems")),
        (_("列入履职清单"), conversion["with_duty"], link("surveys:problems", conversion="duty")),
        (_("转化为项目"), conversion["with_project"], link("surveys:problems", conversion="project")),
    ]
    ranking = reports.ranking(start=window_start, end=last_week.end)
    for row in ranking:
        row["unit"] = names.name(row["unit"])
        row["url"] = showcase(lead_unit=row["unit_id"], started_by=last_week.end.isoformat())
        row["orders_url"] = link("supervision:orders", unit=row["unit_id"], overdue="true")
    satisfied = funnel["satisfied"] + funnel["basically"]
    return {
        "today": today,
        "year": year,
        "earlier_year": earlier,
        "points": points,
        "totals": totals,
        "links": {
            "projects": showcase(),
            "completed": showcase(status="completed"),
            "behind": showcase(behind=1),
            "unclaimed": link("wishes:board", status="", flagged="true"),
            "overdue_claims": link("wishes:board", status="", overdue="true"),
            "orders_open": link("supervision:orders", open="true"),
            "orders_overdue": link("supervision:orders", overdue="true"),
            "orders_answered": link("supervision:orders", status=OrderStatus.ANSWERED),
            "duty_overdue": link("surveys:duties", overdue="true"),
            "duty_done": link("surveys:duties", status="done"),
            "unvisited": link("supervision:contact-points", visited="false"),
            "leaders": link("supervision:leaders"),
            "bulletins": link("supervision:reports", kind=ReportKind.TENDAY),
        },
        "programs": programs,
        "funnel": funnel,
        "funnel_steps": funnel_steps,
        "satisfaction": satisfaction,
        "satisfaction_rate": round(100 * satisfied / funnel["feedback"], 1) if funnel["feedback"] else None,
        "alerts": alerts,
        "community_alerts": [
            {
                **row,
                "unclaimed_url": link(
                    "wishes:board", status="", community=row["community_id"], flagged="true"
                ),
                "overdue_url": link("wishes:board", status="", community=row["community_id"], overdue="true"),
            }
            for row in wishes.community_alert_counts(on=today, at=now)[:10]
        ],
        "teams": team_rows(today=today, at=now),
        "team_hours": settings.WISH_TEAM_CLAIM_HOURS,
        "participation": participation,
        "conversion": conversion,
        "conversion_steps": conversion_steps,
        "ranking": ranking,
        "ranking_window": (window_start, last_week.end),
        "orders": orders,
        "overdue_orders": [
            {**o, "respondent": names.name(o["respondent"])} for o in selectors.overdue_orders(on=today)[:10]
        ],
        "leaders": leaders,
        "unvisited_total": sum(row["unvisited"] for row in leaders),
        "charts": {
            "programs": charts.bars(
                [r["group"] for r in programs],
                [
                    charts.series(
                        [r["average_progress"] for r in programs], name=_("平均进度（%）"), color=GREEN
                    ),
                    charts.series([r["behind"] for r in programs], name=_("滞后项目"), color=RED),
                ],
                links={r["group"]: r["behind_url"] for r in programs},
            ),
            "behind": charts.bars(
                behind_labels,
                [charts.series(behind_values, name=_("滞后项目"), kind="line", color=RED)],
                links={
                    **{
                        label: reverse("supervision:report", kwargs={"pk": h["id"]})
                        for label, h in zip(behind_labels, history, strict=False)
                    },
                    behind_labels[-1]: showcase(behind=1),
                },
                every_label=False,
            ),
            "funnel": charts.funnel(funnel_steps),
            "satisfaction": charts.ring(satisfaction),
            "participation": charts.ring(
                [
                    (c["label"], c["responses"], reverse("surveys:analytics_index"), None)
                    for c in participation["channels"]
                ]
            ),
            "conversion": charts.funnel(conversion_steps, color=RED),
        },
    }
