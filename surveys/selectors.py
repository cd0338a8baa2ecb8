"""Reads of the surveys app: analytics (all aggregates in SQL, a fixed number of queries), the problem and
duty lists, the traceability chain and the home page figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiangyan.core.roles import Role, has_role, is_admin
from jiangyan.helpers import charts
from jiangyan.helpers.crypto import blind_index
from jiangyan.helpers.masking import mask_phone
from projects import selectors as project_selectors

from .choices import (
    DUTY_MOVES,
    RATING_MAX,
    RATING_MIN,
    SURVEY_MOVES,
    Channel,
    DutyStatus,
    QuestionKind,
    SuggestionSource,
)
from .coding import rank_suggestions
from .models import (
    Answer,
    AnswerTally,
    DutyItem,
    ProblemCategory,
    ProblemItem,
    Response,
    ResponseTally,
    Suggestion,
    Survey,
    duty_overdue,
)
from .spreadsheets import import_header

# --- the lists: one selector each, shared by the page and the API (same rows, same order) ---------------


def _responses_of_survey() -> Coalesce:
    # From the tallies the database keeps (``ResponseTally``): a few hundred rows, not every response.
    tallies = (
        ResponseTally.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Sum("responses"))
        .values("n")
    )
    return Coalesce(Subquery(tallies, output_field=IntegerField()), Value(0))


def survey_list(*, user) -> QuerySet[Survey]:
    """The surveys ``user`` may see (published; drafts too for the office), newest first, with their
    number of responses."""
    return (
        Survey.objects.visible_to(user)
        .annotate(n_responses=_responses_of_survey())
        .order_by("-opens_at", "-id")
    )


def most_answered_survey(*, user) -> Survey | None:
    """The survey ``user`` may see with the most responses (the analytics page opens it)."""
    return survey_list(user=user).order_by("-n_responses", "-opens_at").first()


def response_total() -> int:
    """Every response of every survey (the home page's figure), from the tallies."""
    return ResponseTally.objects.aggregate(n=Sum("responses"))["n"] or 0


def has_answered(*, survey: Survey, user) -> bool:
    """Whether ``user`` (signed in) already answered ``survey``, by account or by their phone number — the
    rule ``services.response_submit`` enforces, read before the form is shown."""
    if not getattr(user, "is_authenticated", False):
        return False
    mine = Q(respondent=user)
    if user.phone:
        mine |= Q(phone_index=blind_index(user.phone))
    return Response.objects.filter(mine, survey=survey).exists()


def response_list(*, user) -> QuerySet[Response]:
    """The responses ``user`` may see (office and supervisors: all; community staff: their community's),
    latest submitted first, with their answers."""
    return Response.objects.visible_to(user).prefetch_related("answers").order_by("-submitted_at", "-id")


def suggestion_list(*, user, uncoded: bool = False) -> QuerySet[Suggestion]:
    """The suggestion pool in the order it came in (the coding screen works through it oldest first);
    ``uncoded``: only those not coded yet."""
    queryset = Suggestion.objects.visible_to(user)
    if uncoded:
        queryset = queryset.uncoded()
    return (
        queryset.select_related("problem_item", "community__town", "survey")
        .prefetch_related("problem_items")
        .order_by("id")
    )


def problem_item_list(*, user) -> QuerySet[ProblemItem]:
    """The problem list ``user`` may read, in code order, with its conversion status
    (:func:`problem_items_with_status`) and the projects linked to each item directly."""
    return (
        problem_items_with_status(ProblemItem.objects.visible_to(user))
        .prefetch_related("projects")
        .order_by("code")
    )


def duty_item_list(*, user) -> QuerySet[DutyItem]:
    """The duty items ``user`` may see (unit staff: their unit's), by deadline."""
    return (
        DutyItem.objects.visible_to(user)
        .select_related("unit", "problem_item__category")
        .prefetch_related("projects")
        .order_by("deadline", "id")
    )


# --- what a person may do with a duty item now (``choices.DUTY_MOVES``) ---------------------------------
def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _duty_unit(actor, item, facts) -> bool:
    """Staff of the item's unit (the rule of ``DutyItem.objects.editable_by``, on the row)."""
    unit = getattr(actor, "unit_id", None)
    return _signed_in(actor) and has_role(actor, Role.UNIT_STAFF) and bool(unit) and item.unit_id == unit


DUTY_ROLES = {"unit": _duty_unit, "office": lambda actor, item, facts: _signed_in(actor) and is_admin(actor)}
DUTY_MOVES.check_names(DUTY_ROLES)


class SurveyActor:
    """What the survey table's predicates know of one actor, read once for any number of surveys."""

    def __init__(self, user):
        self.user = user
        self.signed_in = _signed_in(user)
        self._answered: set[int] | None = None

    def answered(self, survey_id: int) -> bool:
        """Whether the actor answered the survey (by account or the account's phone: ``has_answered``)."""
        if not self.signed_in:
            return False
        if self._answered is None:
            mine = Q(respondent=self.user)
            if self.user.phone:
                mine |= Q(phone_index=blind_index(self.user.phone))
            self._answered = set(Response.objects.filter(mine).values_list("survey_id", flat=True))
        return survey_id in self._answered


SURVEY_ROLES = {
    "respondent": lambda actor, survey, facts: facts.signed_in or survey.allow_anonymous,
    "community_staff": lambda actor, survey, facts: (
        facts.signed_in
        and has_role(actor, Role.COMMUNITY_STAFF)
        and bool(getattr(actor, "community_id", None))
    ),
    "office": lambda actor, survey, facts: facts.signed_in and is_admin(actor),
}
SURVEY_GUARDS = {"not_answered": lambda actor, survey, facts: not facts.answered(survey.pk)}
SURVEY_MOVES.check_names(SURVEY_ROLES, SURVEY_GUARDS)


def survey_actions_for(actor, survey: Survey, *, facts: SurveyActor | None = None) -> list[str]:
    """What ``actor`` may do with ``survey`` now (``SURVEY_MOVES``): the answer page's form, the paper
    entry page's form, the API's ``actions``, what ``services.response_submit`` accepts."""
    facts = facts or SurveyActor(actor)
    return SURVEY_MOVES.allowed(actor, survey, facts, roles=SURVEY_ROLES, guards=SURVEY_GUARDS)


def survey_require_move(actor, survey: Survey, action: str, *, answered: Callable[[], Exception]) -> None:
    """Refuses as ``SURVEY_MOVES`` says; an actor who has answered meanwhile gets ``answered()``."""
    SURVEY_MOVES.require(
        action,
        actor,
        survey,
        SurveyActor(actor),
        roles=SURVEY_ROLES,
        guards=SURVEY_GUARDS,
        refusals={"not_answered": answered},
    )


def duty_item_actions_for(actor, duty_item: DutyItem) -> list[str]:
    """The status moves (``DUTY_MOVES``) ``actor`` may make on ``duty_item`` now: the statuses its page
    offers, the API's ``actions``, what ``services.duty_item_update`` accepts."""
    return DUTY_MOVES.allowed(actor, duty_item, None, roles=DUTY_ROLES)


def duty_item_statuses_for(actor, duty_item: DutyItem) -> list[tuple[str, str]]:
    """The status choices of the item's update form: its own, then those its allowed moves lead to."""
    targets = {
        DUTY_MOVES.move(name, duty_item.status).target for name in duty_item_actions_for(actor, duty_item)
    }
    return [(v, label) for v, label in DutyStatus.choices if v == duty_item.status or v in targets]


def duty_item_require_move(actor, duty_item: DutyItem, action: str) -> None:
    DUTY_MOVES.require(action, actor, duty_item, None, roles=DUTY_ROLES)


def editable_duty_item_ids(*, user, duty_items: list[DutyItem]) -> set[int]:
    """Which of ``duty_items`` ``user`` may update (one query)."""
    return set(
        DutyItem.objects.editable_by(user)
        .filter(pk__in=[d.pk for d in duty_items])
        .values_list("pk", flat=True)
    )


def coding_rows(suggestions: list[Suggestion], k: int = 3) -> list[dict[str, Any]]:
    """Each suggestion with the coding assistant's ``k`` best problem items: ``candidates`` as (item, score,
    fallback) — ``fallback`` when nothing in the text matched and a frequently coded item fills in."""
    candidates = rank_suggestions(suggestions, k)
    items = ProblemItem.objects.in_bulk({c.item_id for cs in candidates.values() for c in cs})
    return [
        {
            "suggestion": s,
            "candidates": [(items[c.item_id], c.score, c.fallback) for c in candidates.get(s.pk, [])],
        }
        for s in suggestions
    ]


def coding_item_choices() -> QuerySet[ProblemItem]:
    return ProblemItem.objects.select_related("category").only(
        "id", "code", "title", "category__name", "category__name_en"
    )


def _duty_items_with_projects(item: ProblemItem, user) -> QuerySet[DutyItem]:
    visible = Prefetch("projects", queryset=project_selectors.projects_visible_to(user))
    return item.duty_items.select_related("unit").prefetch_related(visible)


def problem_item_page(item: ProblemItem, *, user) -> dict[str, Any]:
    """What the page of a problem item shows besides the item: its latest suggestions, duty items and
    the projects ``user`` may see."""
    suggestions = item.suggestions.select_related("community__town").order_by("-submitted_at", "-id")
    return {
        "suggestions": suggestions[:50],
        "suggestion_count": suggestions.count(),
        "duty_items": _duty_items_with_projects(item, user),
        "projects": project_links([item.pk], user=user).get(item.pk, []),
    }


# --- problem list ---------------------------------------------------------------------------------------


def _has_project() -> ExpressionWrapper:
    item_links = ProblemItem.projects.through.objects.filter(problemitem_id=OuterRef("pk"))
    duty_links = DutyItem.projects.through.objects.filter(dutyitem__problem_item_id=OuterRef("pk"))
    return ExpressionWrapper(Q(Exists(item_links)) | Q(Exists(duty_links)), output_field=BooleanField())


def _count_of(queryset: QuerySet, key: str = "problem_item_id") -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset`` (filtered on ``OuterRef("pk")`` by ``key``): no fan-out."""
    counted = queryset.order_by().values(key).annotate(c=Count("*")).values("c")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# (suggestion, problem item) rows: every item each suggestion is coded to, its main one included.
_codings = Suggestion.problem_items.through.objects


def problem_items_with_status(queryset: QuerySet | None = None) -> QuerySet:
    """Problem items annotated with ``n_suggestions``, ``n_duty_items``, ``n_duty_done``, ``has_duty`` and
    ``has_project`` (the conversion status)."""
    queryset = ProblemItem.objects.all() if queryset is None else queryset
    duty_items = DutyItem.objects.filter(problem_item_id=OuterRef("pk"))
    return queryset.select_related("category").annotate(
        n_suggestions=_count_of(_codings.filter(problemitem_id=OuterRef("pk")), key="problemitem_id"),
        n_duty_items=_count_of(duty_items),
        n_duty_done=_count_of(duty_items.filter(status=DutyStatus.DONE)),
        has_duty=Exists(duty_items),
        has_project=_has_project(),
    )


def conversion_funnel(survey: Survey | None = None) -> dict[str, int]:
    """Suggestions → coded → problem items → with duty items → with projects. Two queries.

    For one survey every step counts that survey only: the problem items its suggestions were coded into
    (every item of a suggestion coded to two), and of those the ones with duty items and projects — never
    the district's totals beside a survey's. A suggestion counts once as coded, however many items it has."""
    suggestions = Suggestion.objects.all() if survey is None else Suggestion.objects.filter(survey=survey)
    counts = suggestions.aggregate(
        suggestions=Count("id"), coded=Count("id", filter=Q(problem_item__isnull=False))
    )
    items = ProblemItem.objects.all()
    if survey is not None:
        items = items.filter(pk__in=_codings.filter(suggestion__survey=survey).values("problemitem_id"))
    items = items.annotate(
        has_duty=Exists(DutyItem.objects.filter(problem_item_id=OuterRef("pk"))), has_project=_has_project()
    ).aggregate(
        items=Count("id"),
        with_duty=Count("id", filter=Q(has_duty=True)),
        with_project=Count("id", filter=Q(has_project=True)),
    )
    return {**counts, **items}


def project_links(item_ids: list[int], *, user) -> dict[int, list]:
    """Projects of each problem item (directly or through its duty items) that ``user`` may see (a public
    page never names a non-public project), in two queries."""
    through = ProblemItem.projects.through.objects.filter(problemitem_id__in=item_ids)
    duty_through = DutyItem.projects.through.objects.filter(dutyitem__problem_item_id__in=item_ids)
    pairs = list(through.values_list("problemitem_id", "project_id")) + list(
        duty_through.values_list("dutyitem__problem_item_id", "project_id")
    )
    projects = project_selectors.projects_visible_to(user).in_bulk({p for _, p in pairs})
    result: dict[int, list] = defaultdict(list)
    for item_id, project_id in sorted(set(pairs)):
        if project_id in projects:
            result[item_id].append(projects[project_id])
    return result


def suggestion_chain(suggestion: Suggestion, *, user) -> dict[str, Any]:
    """A suggestion → its problem items (the main one first; it counts even where a row was written around
    the services) → their duty items → the projects ``user`` may see (with their status), each once."""
    if suggestion.problem_item_id is None:
        return {"item": None, "items": [], "duty_items": [], "projects": []}
    items = sorted(
        ProblemItem.objects.filter(
            Q(pk=suggestion.problem_item_id)
            | Q(pk__in=_codings.filter(suggestion=suggestion).values("problemitem_id"))
        ).select_related("category"),
        key=lambda i: (i.pk != suggestion.problem_item_id, i.code),
    )
    visible = Prefetch("projects", queryset=project_selectors.projects_visible_to(user))
    duty_items = list(
        DutyItem.objects.filter(problem_item__in=items)
        .select_related("unit", "problem_item")
        .prefetch_related(visible)
        .order_by("problem_item__code", "deadline", "id")
    )
    links = project_links([i.pk for i in items], user=user)
    projects = list({p.pk: p for i in items for p in links.get(i.pk, [])}.values())
    return {"item": items[0], "items": items, "duty_items": duty_items, "projects": projects}


def project_trace(project) -> dict:
    """Context for ``templates/surveys/_project_trace.html`` on a project page: the suggestions, problem
    items and duty items that led to ``project`` ("your suggestion became this project").

    Use it either as ``context.update(project_trace(project))`` or
    ``{% include "surveys/_project_trace.html" with trace=… %}``: both give the template ``trace``."""
    item_ids = set(
        ProblemItem.projects.through.objects.filter(project_id=project.pk).values_list(
            "problemitem_id", flat=True
        )
    )
    item_ids |= set(DutyItem.objects.filter(projects=project).values_list("problem_item_id", flat=True))
    items = list(
        ProblemItem.objects.filter(pk__in=item_ids)
        .select_related("category")
        .annotate(n_suggestions=Count("suggestions"))
    )
    suggestions = Suggestion.objects.filter(
        pk__in=_codings.filter(problemitem_id__in=item_ids).values("suggestion_id")
    ).select_related("community__town")
    duty_items = list(
        DutyItem.objects.filter(Q(projects=project) | Q(problem_item_id__in=item_ids))
        .select_related("unit", "problem_item")
        .distinct()
        .order_by("deadline", "id")
    )
    trace: dict[str, Any] = {
        "trace_problem_items": items,
        "trace_suggestions": list(suggestions.order_by("-submitted_at", "-id")[:8]),
        "trace_suggestion_count": suggestions.count(),  # a suggestion coded to two of the items counts once
        "trace_duty_items": duty_items,
    }
    trace["trace"] = trace
    return trace


def project_trace_section(user, project) -> dict:
    """This app's section of every project page (declared on ``SurveysConfig.project_sections``)."""
    return project_trace(project)


# --- analytics ------------------------------------------------------------------------------------------


def _option_chart(question, counts: dict, total: int) -> dict:
    options = list(question.options.all())
    data = [counts.get(o.pk, 0) for o in options]
    return {
        "type": "options",
        "rows": [
            {"label": o.text, "count": n, "percent": round(n * 100 / total, 1) if total else 0}
            for o, n in zip(options, data, strict=True)
        ],
        "chart": charts.horizontal_bars([o.text for o in options], data),
    }


def _number_summary(values: dict[float, int]) -> dict:
    count = sum(values.values())
    if not count:
        return {"count": 0, "average": None, "min": None, "max": None, "median": None}
    ordered = sorted(values.items())
    middle, seen, median = (count + 1) / 2, 0, None
    for value, n in ordered:
        seen += n
        if seen >= middle:
            median = value
            break
    return {
        "count": count,
        "average": round(sum(v * n for v, n in ordered) / count, 2),
        "min": ordered[0][0],
        "max": ordered[-1][0],
        "median": median,
    }


def survey_analytics(survey: Survey) -> dict[str, Any]:
    """Every figure of the analytics page in seven queries, whatever the number of responses: questions and
    options (2), one GROUP BY over the answers (question, option, number), responses per day, community ×
    channel, and the conversion funnel (2)."""
    questions = list(survey.questions.prefetch_related("options"))
    groups: dict[int, list[tuple[int | None, float | None, int]]] = defaultdict(list)
    # From the tallies the database keeps (``AnswerTally``, ``ResponseTally``), not every answer.
    for question_id, option_id, number, n in (
        AnswerTally.objects.filter(question_id__in=[q.pk for q in questions], answers__gt=0)
        .values_list("question_id", "option_id", "number")
        .annotate(n=Sum("answers"))
        .order_by()
    ):
        groups[question_id].append((option_id, number, n))

    tallies = ResponseTally.objects.filter(survey=survey, responses__gt=0)
    per_day = list(tallies.values_list("day").annotate(n=Sum("responses")).order_by("day"))
    cells = list(
        tallies.values_list("community_id", "community__town__name", "community__name", "channel")
        .annotate(n=Sum("responses"))
        .order_by()
    )
    total = sum(n for *_, n in cells)

    question_stats = []
    for question in questions:
        rows = groups.get(question.pk, [])
        answered = sum(n for *_, n in rows)
        entry: dict[str, Any] = {
            "id": question.pk,
            "order": question.order,
            "text": question.text,
            "kind": question.kind,
            "answers": answered,
        }
        if question.has_options:
            entry.update(_option_chart(question, {o: n for o, _num, n in rows if o is not None}, total))
        elif question.kind in (QuestionKind.RATING, QuestionKind.NUMBER):
            values: dict[float, int] = defaultdict(int)
            for _o, number, n in rows:
                if number is not None:
                    values[number] += n
            entry["summary"] = _number_summary(values)
            if question.kind == QuestionKind.RATING:
                scores = list(range(RATING_MIN, RATING_MAX + 1))
                entry["type"] = "rating"
                entry["distribution"] = [values.get(float(s), 0) for s in scores]
                entry["chart"] = charts.bar([_("%(n)s 分") % {"n": s} for s in scores], entry["distribution"])
            else:
                entry["type"] = "number"
                ordered = sorted(values.items())[:60]
                entry["chart"] = charts.bar([f"{v:g}" for v, _ in ordered], [n for _, n in ordered])
        else:
            entry["type"] = "text"
        question_stats.append(entry)

    channels = list(Channel)
    table: dict[Any, dict[str, Any]] = {}
    for community_id, town, name, channel, n in cells:
        row = table.setdefault(
            community_id,
            {"community": f"{town}{name}" if name else _("未填写"), "cells": defaultdict(int), "total": 0},
        )
        row["cells"][channel] += n
        row["total"] += n
    crosstab_rows = sorted(table.values(), key=lambda r: (-r["total"], r["community"]))
    for row in crosstab_rows:
        row["cells"] = [row["cells"].get(c.value, 0) for c in channels]
    channel_totals = [sum(r["cells"][i] for r in crosstab_rows) for i in range(len(channels))]

    funnel = conversion_funnel(survey)
    funnel_steps = [
        (_("收到建议"), funnel["suggestions"]),
        (_("已编码"), funnel["coded"]),
        (_("涉及问题条目"), funnel["items"]),
        (_("条目列入履职清单"), funnel["with_duty"]),
        (_("条目转化为项目"), funnel["with_project"]),
    ]
    return {
        "survey": {"id": survey.pk, "title": survey.title},
        "total_responses": total,
        "questions": question_stats,
        "per_day": {
            "labels": [d.isoformat() for d, _ in per_day if d],
            "counts": [n for d, n in per_day if d],
            "chart": charts.bar([d.strftime("%m-%d") for d, _ in per_day if d], [n for d, n in per_day if d]),
        },
        "crosstab": {
            "channels": [str(c.label) for c in channels],
            "rows": crosstab_rows,
            "totals": channel_totals,
            "chart": charts.ring(
                [(str(c.label), v, None, None) for c, v in zip(channels, channel_totals, strict=True)],
                legend=False,
            ),
        },
        "funnel": {
            **funnel,
            "steps": [{"label": label, "count": n} for label, n in funnel_steps],
            # A horizontal bar per step: labels stay whole on a phone (a funnel's narrow end cuts them).
            "chart": charts.horizontal_bars(
                [label for label, _n in funnel_steps], [n for _l, n in funnel_steps], values=True
            ),
        },
    }


# --- exports --------------------------------------------------------------------------------------------


def responses_table(survey: Survey):
    """Header and rows of every response of ``survey`` for the xlsx export, streamed from two ordered
    queries (responses, answers) merged by response id — memory stays flat at 100,000 responses."""
    questions = list(survey.questions.prefetch_related("options"))
    option_text = {o.pk: o.text for q in questions for o in q.options.all()}
    index = {q.pk: i for i, q in enumerate(questions)}
    header = [
        _("编号"),
        _("提交时间"),
        _("镇（街道）"),
        _("社区（村）"),
        _("渠道"),
        _("手机号"),
        *[import_header(q) for q in questions],
    ]
    channel_label = dict(Channel.choices)

    def rows():
        answers = (
            Answer.objects.filter(response__survey=survey)
            .order_by("response_id", "question_id", "id")
            .values_list("response_id", "question_id", "option_id", "number", "text")
            .iterator(chunk_size=5000)
        )
        pending = next(answers, None)
        responses = (
            Response.objects.filter(survey=survey)
            .order_by("id")
            .values_list("id", "submitted_at", "community__town__name", "community__name", "channel", "phone")
            .iterator(chunk_size=5000)
        )
        for response_id, submitted_at, town, community, channel, phone in responses:
            cells: list[Any] = [""] * len(questions)
            while pending is not None and pending[0] <= response_id:
                _rid, question_id, option_id, number, text = pending
                if _rid == response_id and question_id in index:
                    value = (
                        option_text.get(option_id) if option_id else (number if number is not None else text)
                    )
                    i = index[question_id]
                    cells[i] = f"{cells[i]}；{value}" if cells[i] != "" else value
                pending = next(answers, None)
            yield [
                response_id,
                timezone.localtime(submitted_at),
                town or "",
                community or "",
                str(channel_label.get(channel, channel)),
                mask_phone(phone),
                *cells,
            ]

    return header, rows()


def coded_suggestions_table(survey: Survey | None = None):
    header = [
        _("编号"),
        _("提出时间"),
        _("来源"),
        _("镇（街道）"),
        _("社区（村）"),
        _("建议内容"),
        _("类别"),
        _("问题编号"),
        _("问题"),
        _("同时涉及"),
        _("编码人"),
        _("编码时间"),
    ]
    queryset = Suggestion.objects.filter(problem_item__isnull=False)
    others = _codings.exclude(problemitem_id=F("suggestion__problem_item_id"))
    if survey is not None:
        queryset = queryset.filter(survey=survey)
        others = others.filter(suggestion__survey=survey)

    def rows():
        labels = dict(SuggestionSource.choices)
        also: dict[int, list[str]] = defaultdict(list)  # the items besides the main one (few suggestions)
        for suggestion_id, code in others.order_by("problemitem__code").values_list(
            "suggestion_id", "problemitem__code"
        ):
            also[suggestion_id].append(code)
        for row in (
            queryset.order_by("problem_item__code", "id")
            .values_list(
                "id",
                "submitted_at",
                "source",
                "community__town__name",
                "community__name",
                "text",
                "problem_item__category__name",
                "problem_item__code",
                "problem_item__title",
                "coded_by__real_name",
                "coded_at",
            )
            .iterator(chunk_size=2000)
        ):
            sid, submitted, source, town, community, text, category, code, title, coder, coded_at = row
            yield [
                sid,
                timezone.localtime(submitted),
                str(labels.get(source, source)),
                town or "",
                community or "",
                text,
                category,
                code,
                title,
                "、".join(also.get(sid, [])),
                coder or "",
                timezone.localtime(coded_at) if coded_at else None,
            ]

    return header, rows()


# --- home -----------------------------------------------------------------------------------------------


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/surveys/_home.html``)."""
    funnel = conversion_funnel()
    return {
        "surveys_home": {
            "responses": response_total(),
            "categories": ProblemCategory.objects.count(),
            "open_surveys": list(Survey.objects.open_at()[:3]),
            **funnel,
            "suggest_url": reverse("surveys:suggest"),
        }
    }


# --- for reports (period-aware) -------------------------------------------------------------------------
# Request-free reads for the supervision loop's reports and dashboard, aggregated in SQL. Suggestions and
# responses carry their dates; the problem list's conversion (duty items, linked projects) is read as it
# stands.


def _end_of(day) -> Any:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def conversion_at(*, on: dt.date) -> dict[str, int]:
    """Suggestions made and coded by the end of ``on``, problem items with duty items and with projects,
    duty items done and overdue at ``on`` (deadline passed, not done). Three queries."""
    at = _end_of(on)
    figures = Suggestion.objects.aggregate(
        suggestions=Count("id", filter=Q(submitted_at__lt=at)),
        coded=Count("id", filter=Q(problem_item__isnull=False, coded_at__lt=at)),
    )
    figures.update(
        ProblemItem.objects.annotate(
            has_duty=Exists(DutyItem.objects.filter(problem_item_id=OuterRef("pk"))),
            has_project=_has_project(),
        ).aggregate(
            items=Count("id"),
            with_duty=Count("id", filter=Q(has_duty=True)),
            with_project=Count("id", filter=Q(has_project=True)),
        )
    )
    figures.update(
        DutyItem.objects.aggregate(
            duty_items=Count("id"),
            duty_done=Count("id", filter=Q(status=DutyStatus.DONE)),
            duty_overdue=Count("id", filter=duty_overdue(on)),
        )
    )
    return figures


def participation_between(*, end: dt.date, start: dt.date | None = None) -> dict[str, Any]:
    """Survey responses submitted ``start``…``end`` (all before ``end`` without ``start``): the total and
    per channel (every channel, in order). One query."""
    tallies = ResponseTally.objects.filter(day__lte=end)
    if start is not None:
        tallies = tallies.filter(day__gte=start)
    counts = dict(tallies.values_list("channel").annotate(n=Sum("responses")).order_by())
    channels = [
        {"channel": c.value, "label": str(c.label), "responses": counts.get(c.value, 0)} for c in Channel
    ]
    return {"responses": sum(counts.values()), "channels": channels}


def duty_overdue_by_unit(*, on: dt.date) -> list[dict]:
    """Per responsible unit, its duty items overdue at ``on`` (deadline passed, not done). One query."""
    rows = (
        DutyItem.objects.overdue(on)
        .values("unit_id", "unit__name")
        .annotate(overdue=Count("id"))
        .order_by("-overdue", "unit_id")
    )
    return [{"unit_id": r["unit_id"], "unit": r["unit__name"], "overdue": r["overdue"]} for r in rows]


def duty_items_matching(text: str, *, limit: int = 10) -> list[tuple[str, str]]:
    """``(id, "problem code title · unit")`` of the duty items whose problem item, unit or action holds
    ``text`` (a picker: the person chooses by what they read, the id is only the form's value)."""
    text = (text or "").strip()
    found = DutyItem.objects.filter(
        Q(problem_item__code__icontains=text)
        | Q(problem_item__title__icontains=text)
        | Q(unit__name__icontains=text)
        | Q(action__icontains=text)
    ).select_related("problem_item", "unit")
    return [
        (str(d.pk), f"{d.problem_item.code} {d.problem_item.title} · {d.unit.short_name}")
        for d in found.order_by("problem_item__code", "id")[:limit]
    ]


def duty_item_by_pk(pk) -> DutyItem | None:
    """One duty item by its id (any unit: the caller decides what to show), or None."""
    try:
        return DutyItem.objects.select_related("unit", "problem_item").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def duty_items_to_work(*, user) -> QuerySet[DutyItem]:
    """Unfinished duty items of the person's unit (``/api/v1/me/``), the earliest deadline first."""
    if not getattr(user, "unit_id", None):
        return DutyItem.objects.none()
    return (
        DutyItem.objects.editable_by(user)
        .filter(unit_id=user.unit_id)
        .exclude(status=DutyStatus.DONE)
        .select_related("problem_item")
        .order_by("deadline", "id")
    )
