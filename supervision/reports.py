"""What each report says ("一周一督促、一旬一通报、一月一调度", DESIGN §2.4), built from the registries'
period-aware selectors and this app's own, in a fixed number of queries whatever the size of the district.

``build(kind, period)`` returns the report's structured data — plain JSON (numbers, strings, ISO dates),
stored in ``Report.data`` and read back by the page, the API, the xlsx export and the next report's
comparison; ``render(kind, data)`` the printable page stored in ``Report.html``, and ``body(report)`` the
page in the reader's language (the stored one in Chinese, rendered from ``data`` otherwise). The rules
behind each figure are in ``docs/reports.md``."""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Community, Unit
from campaigns import selectors as campaigns
from jiangyan.core.periods import Period
from jiangyan.helpers.names import Glossary, source_language
from projects import selectors as projects
from surveys import selectors as surveys
from wishes import selectors as wishes

from . import selectors
from .choices import ReportKind, report_title
from .models import Report

TREND_MONTHS = 6
RANKING_PARTS = ("progress", "timeliness", "evaluation")


def title(kind: str, period: Period) -> str:
    """``2021年第23周（06-07—06-13）督促提醒``, ``2021年6月中旬工作通报``, ``2021年6月工作调度`` (stored
    in the site's language; ``Report.local_title`` reads it in the reader's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return report_title(kind, period)


def _period(period: Period) -> dict:
    # The label in the data is the site's (the reminders' notifications use it); pages use the dates.
    with translation.override(settings.LANGUAGE_CODE):
        label = period.label
    return {
        "kind": period.kind,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "label": label,
        "days": period.days,
    }


def _delta(now: dict, before: dict | None, keys) -> dict:
    if not before:
        return {}
    result = {}
    for key in keys:
        if isinstance(now.get(key), int | float) and isinstance(before.get(key), int | float):
            result[key] = round(now[key] - before[key], 1)
    return result


# --- the lead-unit ranking --------------------------------------------------------------------------------


def _score(parts: dict) -> float:
    weights = settings.SUPERVISION_RANKING_WEIGHTS
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return 0.0
    return sum(weights[k] * v for k, v in present.items()) / sum(weights[k] for k in present)


def rank_units(
    *,
    facts: list[dict],
    evaluations: list[dict],
    orders: dict[int, dict],
    previous: list[dict] | None = None,
) -> list[dict]:
    """The lead units ranked (docs/reports.md): each part 0–100 — progress ``100 + average variance`` of
    its active projects (100 when all are completed), timeliness the share of weekly statements filed,
    evaluation the average rating × 20 — weighted by ``SUPERVISION_RANKING_WEIGHTS`` over the parts it has,
    minus ``SUPERVISION_OVERDUE_ORDER_PENALTY`` per overdue order. Equal scores share a rank; ``change``
    is how many places it rose since ``previous`` (the last bulletin's ranking)."""
    ratings = {e["lead_unit_id"]: e for e in evaluations}
    before = {r["unit_id"]: r["rank"] for r in previous or []}
    penalty = settings.SUPERVISION_OVERDUE_ORDER_PENALTY
    rows = []
    for fact in facts:
        unit_id = fact["lead_unit_id"]
        if fact["active"]:
            progress = min(100.0, max(0.0, 100.0 + (fact["average_variance"] or 0.0)))
        else:
            progress = 100.0
        owed = fact["statements_owed"]
        timeliness = round(100.0 * fact["statements_delivered"] / owed, 1) if owed else None
        rated = ratings.get(unit_id)
        evaluation = round(rated["average"] * 20, 1) if rated and rated["average"] is not None else None
        overdue = orders.get(unit_id, {}).get("overdue", 0)
        parts = {"progress": round(progress, 1), "timeliness": timeliness, "evaluation": evaluation}
        rows.append(
            {
                "unit_id": unit_id,
                "unit": fact["lead_unit__name"],
                "projects": fact["started"],
                "active": fact["active"],
                "behind": fact["behind"],
                "completed": fact["completed"],
                "average_progress": fact["average_progress"],
                "statements_owed": owed,
                "statements_delivered": fact["statements_delivered"],
                "ratings": rated["ratings"] if rated else 0,
                "average_rating": rated["average"] if rated else None,
                "overdue_orders": overdue,
                **parts,
                "score": round(_score(parts) - penalty * overdue, 1),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["unit_id"]))  # ties in the office's order of units
    for index, row in enumerate(rows):
        tied = index and rows[index - 1]["score"] == row["score"]
        row["rank"] = rows[index - 1]["rank"] if tied else index + 1
        row["previous_rank"] = before.get(row["unit_id"])
        row["change"] = row["previous_rank"] - row["rank"] if row["previous_rank"] else None
    return rows


def ranking(*, start: datetime.date, end: datetime.date, previous: list[dict] | None = None) -> list[dict]:
    """The ranking of the lead units over ``start``…``end`` (five queries)."""
    return rank_units(
        facts=projects.unit_facts(start=start, end=end),
        evaluations=projects.unit_evaluations(end=end),
        orders=selectors.order_counts_by_unit(on=end),
        previous=previous,
    )


# --- weekly reminder (周督促) -------------------------------------------------------------------------------


def build_weekly(period: Period) -> dict:
    """For each lead unit: milestones due in the coming week and overdue, active projects without a
    statement in the last 7 days, its open orders; for each community: how many wishes wait for dispatch
    (派单), wishes unclaimed past the limit, claims overdue, its open orders. At the end of the week (the
    reminder goes out the next Monday)."""
    on = period.end
    reminders = projects.unit_reminders(on=on, days=7)
    alerts = wishes.community_alerts(on=on)
    orders = [o for o in selectors.unclosed_orders(on=on) if o["status"] != "answered"]
    unit_ids = {r["lead_unit_id"] for rows in reminders.values() for r in rows}
    unit_ids |= {o["unit_id"] for o in orders if o["unit_id"]}
    community_ids = {r["community_id"] for rows in alerts.values() for r in rows}
    community_ids |= {o["community_id"] for o in orders if o["community_id"]}
    unit_names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    community_names = {
        c.pk: str(c) for c in Community.objects.select_related("town").filter(pk__in=community_ids)
    }

    units = {
        pk: {"unit_id": pk, "unit": name, "due_soon": [], "overdue": [], "silent": [], "orders": []}
        for pk, name in unit_names.items()
    }
    for key in ("due_soon", "overdue", "silent"):
        for row in reminders[key]:
            units[row["lead_unit_id"]][key].append(row)
    communities = {
        pk: {
            "community_id": pk,
            "community": name,
            "awaiting_dispatch": 0,
            "unclaimed": [],
            "overdue": [],
            "orders": [],
        }
        for pk, name in community_names.items()
    }
    for row in alerts["awaiting_dispatch"]:
        communities[row["community_id"]]["awaiting_dispatch"] = row["count"]
    for key in ("unclaimed", "overdue"):
        for row in alerts[key]:
            communities[row["community_id"]][key].append(row)
    for order in orders:
        if order["unit_id"]:
            units[order["unit_id"]]["orders"].append(order)
        else:
            communities[order["community_id"]]["orders"].append(order)

    unit_rows = sorted(units.values(), key=lambda u: (-len(u["overdue"]) - len(u["silent"]), u["unit_id"]))
    community_rows = sorted(communities.values(), key=lambda c: c["community_id"])
    return {
        "period": _period(period),
        "as_of": on.isoformat(),
        "totals": {
            "due_soon": len(reminders["due_soon"]),
            "overdue_milestones": len(reminders["overdue"]),
            "silent_projects": len(reminders["silent"]),
            "awaiting_dispatch": sum(r["count"] for r in alerts["awaiting_dispatch"]),
            "unclaimed_wishes": len(alerts["unclaimed"]),
            "overdue_claims": len(alerts["overdue"]),
            "open_orders": len(orders),
            "overdue_orders": sum(1 for o in orders if o["overdue"]),
            "units": len(unit_rows),
            "communities": len(community_rows),
        },
        "units": unit_rows,
        "communities": community_rows,
    }


# --- ten-day bulletin (旬通报) ------------------------------------------------------------------------------

TOTAL_KEYS = ("projects", "started", "active", "completed", "behind", "average_progress", "average_variance")


def _previous_report(kind: str, period: Period) -> Report | None:
    return Report.objects.filter(kind=kind, period_start=period.previous().start).only("data").first()


def seasonal_campaigns(period: Period) -> list[dict]:
    """The seasonal campaigns (四季活动) running on any day of ``period``, each with its figures at the end
    of the period: wishes tagged with it (received, claimed, fulfilled, followed up by satisfaction) and
    projects (how many, average progress of the started ones). Three queries."""
    running = campaigns.running_campaigns(start=period.start, end=period.end)
    ids = [c["id"] for c in running]
    wish_figures = wishes.campaign_wish_figures(campaign_ids=ids, end=period.end)
    project_figures = projects.campaign_project_figures(campaign_ids=ids, on=period.end)
    return [{**c, "wishes": wish_figures[c["id"]], "projects": project_figures[c["id"]]} for c in running]


def build_tenday(period: Period) -> dict:
    """Totals and their change since the previous bulletin, projects completed in the 旬, the behind list,
    the lead-unit ranking (with each unit's change of rank), the wish funnel and satisfaction, the problem
    list's conversion, the orders and the seasonal campaigns running in the 旬. Public once published, so a
    project that is not public is counted but not named."""
    on = period.end
    previous = _previous_report(ReportKind.TENDAY, period)
    before = previous.data if previous else {}
    totals = projects.project_totals(on=on)
    previous_totals = before.get("totals") or projects.project_totals(on=period.previous().end)
    behind = projects.behind_projects(on=on)
    completed = projects.completed_projects(start=period.start, end=on)
    funnel = wishes.funnel_between(start=period.start, end=on)
    funnel_total = wishes.funnel_between(end=on)
    rated = funnel_total["feedback"]
    return {
        "period": _period(period),
        "as_of": on.isoformat(),
        "totals": totals,
        "previous_totals": previous_totals,
        "changes": _delta(totals, previous_totals, TOTAL_KEYS),
        "completed": [p for p in completed if p["is_public"]],
        "completed_hidden": sum(1 for p in completed if not p["is_public"]),
        "behind": [p for p in behind if p["is_public"]],
        "behind_hidden": sum(1 for p in behind if not p["is_public"]),
        "ranking": ranking(start=period.start, end=on, previous=before.get("ranking")),
        "wishes": {
            "period": funnel,
            "total": funnel_total,
            "alerts": wishes.alert_counts(on=on),
            "satisfaction_rate": round(
                100 * (funnel_total["satisfied"] + funnel_total["basically"]) / rated, 1
            )
            if rated
            else None,
        },
        "conversion": surveys.conversion_at(on=on),
        "orders": selectors.order_summary(start=period.start, end=on),
        "campaigns": seasonal_campaigns(period),
    }


# --- monthly dispatch (月调度) ------------------------------------------------------------------------------

GROUP_KEYS = ("projects", "completed", "behind", "far_behind", "average_progress", "average_variance")


def _groups(now: list[dict], then: list[dict] | None) -> list[dict]:
    """Each group with its completion rate and its figures (and change) of last month."""
    before_by_id = {r["group_id"]: r for r in then or []}
    rows = []
    for row in now:
        before = before_by_id.get(row["group_id"])
        rate = round(100 * row["completed"] / row["projects"], 1) if row["projects"] else 0.0
        rows.append(
            {
                **row,
                "group": row["group"],  # None: projects without one (the page says 未指定)
                "completion_rate": rate,
                "previous": {k: before.get(k) for k in GROUP_KEYS} if before else None,
                "change": _delta(row, before, GROUP_KEYS),
            }
        )
    return rows


def build_monthly(period: Period) -> dict:
    """By program, domain and town: projects, completion, behind, average progress and schedule variance,
    each with its change since last month (last month's dispatch as stored, or recomputed when there is
    none); the agenda (projects more than ``SUPERVISION_AGENDA_BEHIND_POINTS`` points behind, overdue
    orders); the trend of the last months."""
    on, previous_on = period.end, period.previous().end
    points = float(settings.SUPERVISION_AGENDA_BEHIND_POINTS)
    previous = _previous_report(ReportKind.MONTHLY, period)
    before = previous.data if previous else {}
    totals = projects.project_totals(on=on, agenda_points=points)
    previous_totals = before.get("totals") or projects.project_totals(on=previous_on, agenda_points=points)
    groups = {}
    for by in ("program", "domain", "town"):
        then = before.get(f"by_{by}")
        if then is None:
            then = projects.rollup(on=previous_on, by=by, agenda_points=points)
        groups[f"by_{by}"] = _groups(projects.rollup(on=on, by=by, agenda_points=points), then)
    keys = ("behind", "completed", "far_behind")
    trend = [
        {"label": f"{r['start']:%Y-%m}", **{k: r["totals"].get(k) for k in keys}}
        for r in selectors.stored_totals(kind=ReportKind.MONTHLY, before=period.start, limit=TREND_MONTHS - 1)
    ]
    trend.append({"label": f"{period.start:%Y-%m}", **{k: totals[k] for k in keys}})
    return {
        "period": _period(period),
        "as_of": on.isoformat(),
        "points": points,
        "totals": totals,
        "previous_totals": previous_totals,
        "changes": _delta(totals, previous_totals, (*TOTAL_KEYS, "far_behind")),
        **groups,
        "agenda": {
            "projects": projects.behind_projects(on=on, points=points),
            "orders": selectors.overdue_orders(on=on),
        },
        "trend": trend,
        "wishes": wishes.funnel_between(start=period.start, end=on),
        "conversion": surveys.conversion_at(on=on),
        "orders": selectors.order_summary(start=period.start, end=on),
    }


BUILDERS = {
    ReportKind.WEEKLY: build_weekly,
    ReportKind.TENDAY: build_tenday,
    ReportKind.MONTHLY: build_monthly,
}


def build(kind: str, period: Period) -> dict:
    return BUILDERS[kind](period)


# --- the page -----------------------------------------------------------------------------------------------

# A group of projects without one, as the page says it (and as dispatches stored before 2026-12 held it).
UNSPECIFIED = gettext_noop("（未指定）")


def glossary(language: str | None = None) -> Glossary:
    """The names a report's data holds (units, lookup rows) in ``language`` (the active one): empty in
    Chinese. Towns and communities are proper nouns: they read as stored. Three queries, none in Chinese."""
    if source_language(language):
        return Glossary()
    pairs = [
        *Unit.objects.exclude(name_en="").values_list("name", "name_en"),
        *projects.lookup_names(),
        *campaigns.campaign_names(),
    ]
    with translation.override(language or translation.get_language()):
        pairs.append((UNSPECIFIED, _(UNSPECIFIED)))
    return Glossary.of(pairs, language)


def render(kind: str, data: dict, *, report_title: str, language: str | None = None) -> str:
    """The printable body of a report from its data, in ``language`` — by default the site's (the page
    a report is stored and published as, ``Report.html``); a reader of another language gets it rendered
    from the same data in theirs (``body``)."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        return render_to_string(
            f"supervision/reports/{kind}.html",
            {"data": data, "title": report_title, "kind": kind, "names": glossary(language)},
        )


def body(report: Report, language: str | None = None) -> str:
    """What a reader sees of ``report``: the stored page in Chinese (a published bulletin reads the same
    forever), rendered from its data in the reader's language otherwise."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if source_language(language):
        return report.html
    with translation.override(language):
        return render(report.kind, report.data, report_title=report.local_title, language=language)
