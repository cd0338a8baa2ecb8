"""Reads of the project registry: lists with their schedule, the project page, evaluation averages and
the home page's figures."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext as _

from accounts.models import Unit
from jiangyan.core.roles import Role, has_role, is_admin
from jiangyan.helpers import clock
from jiangyan.models import AuditEvent

from .choices import (
    ASKED,
    EVALUATION_MOVES,
    EVALUATOR,
    LEAD_UNIT,
    NOT_RATED,
    OFFICE,
    STATUS_MOVES,
    EvaluationWindow,
    EvaluatorRole,
    ProjectStatus,
)
from .models import (
    WEIGHT_FIELDS,
    CampaignYear,
    Domain,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    KeyTask,
    Milestone,
    Program,
    ProgressStatement,
    Project,
    ProjectPhoto,
    ProjectQuerySet,
    TargetGroup,
    evaluator_role_of,
    month_of,
    year_of_day,
)
from .schedule import completed_on

SILVER_GROUP = "老年"  # 银发项目 are the projects for this target group


# --- what a person may do with a project now (``choices.STATUS_MOVES``) --------------------------------
def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _lead_unit(actor, project, facts) -> bool:
    """Staff of the project's lead unit (the rule of ``Project.objects.editable_by``, on the row)."""
    unit = getattr(actor, "unit_id", None)
    return (
        _signed_in(actor) and has_role(actor, Role.UNIT_STAFF) and bool(unit) and project.lead_unit_id == unit
    )


PROJECT_ROLES = {
    LEAD_UNIT: _lead_unit,
    OFFICE: lambda actor, project, facts: _signed_in(actor) and is_admin(actor),
}
STATUS_MOVES.check_names(PROJECT_ROLES)


def project_actions_for(actor, project: Project) -> list[str]:
    """The status moves (``STATUS_MOVES``) ``actor`` may make on ``project`` now: the choices of its
    status form, the API's ``actions``, what ``services.project_status_change`` accepts."""
    return STATUS_MOVES.allowed(actor, project, None, roles=PROJECT_ROLES)


def project_status_targets_for(actor, project: Project) -> list[str]:
    """The statuses those moves lead to (the status form's choices)."""
    return [STATUS_MOVES.move(name, project.status).target for name in project_actions_for(actor, project)]


def project_require_move(actor, project: Project, action: str) -> None:
    STATUS_MOVES.require(action, actor, project, None, roles=PROJECT_ROLES)


def _milestones_in_order() -> Prefetch:
    return Prefetch("milestones", queryset=Milestone.objects.order_by("planned_date", "order", "id"))


def project_rows(*, on: datetime.date | None = None) -> ProjectQuerySet:
    """Every project with its schedule at ``on`` and what a list row shows (not yet scoped to a user)."""
    return (
        Project.objects.with_schedule(on=on)
        .select_related("program__key_task", "domain", "lead_unit", "campaign")
        .prefetch_related("target_groups", "towns")
    )


def project_list(*, user, on: datetime.date | None = None) -> ProjectQuerySet:
    """Projects ``user`` may see, with their schedule at ``on`` and what a list row shows, in a fixed
    number of queries whatever the page size."""
    return project_rows(on=on).visible_to(user)


def project_pages(*, on: datetime.date | None = None) -> ProjectQuerySet:
    """What the project page (and the API's detail) shows of a project: the list row plus cooperating
    units, communities, milestones in order and indicators. Fetch one with ``get_visible_or_404``."""
    return (
        project_rows(on=on)
        .select_related("carried_from", "carried_to")
        .prefetch_related("cooperating_units", "communities__town", _milestones_in_order(), "indicators")
    )


def workspace_list(*, user, on: datetime.date | None = None) -> QuerySet:
    """The projects ``user`` maintains (their unit's), with schedule and the date of the latest statement."""
    return (
        Project.objects.editable_by(user)
        .filter(carried_to__isnull=True)  # a project carried over is maintained in its new year
        .with_schedule(on=on)
        .select_related("program", "domain", "lead_unit")
        .annotate(last_statement=Max("statements__period_end"))
        .order_by("-is_behind", "code")
    )


def export_list(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("program", "domain", "lead_unit").prefetch_related(
        "target_groups",
        "cooperating_units",
        "towns",
        _milestones_in_order(),
        "indicators",
    )


# --- the evaluation method (评价内容、评价程序、评价方法) -----------------------------------------------
# Every evaluation figure is the weighted mean of scores: each score (1–5) of a criterion counts with that
# criterion's weight for the role of who gave it (``EvaluationCriterion.weight_<role>``), so
#     figure = Σ weight × score / Σ weight
# over the scores it covers (a project's, a unit's, a criterion's, a role's). With one criterion weighted
# alike for every role (the default 综合评价) it is the plain average of the ratings. docs/projects.md.


def _weight(scores: str = "", role: str = "evaluation__evaluator_role") -> Case:
    """The weight of a score row: ``scores`` is the path to ``EvaluationScore`` (``""`` from it), ``role``
    the path to its evaluation's ``evaluator_role``."""
    return Case(
        *(
            When(**{role: value}, then=F(f"{scores}criterion__{field}"))
            for value, field in WEIGHT_FIELDS.items()
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


def weighted_score(scores: str = "", role: str = "evaluation__evaluator_role", filter: Q | None = None):
    """The aggregate ``Σ weight × score / Σ weight`` (None without weighted scores), for ``annotate`` or
    ``aggregate`` over the score rows at ``scores`` (see :func:`_weight`)."""
    weight = _weight(scores, role)
    total = Sum(F(f"{scores}score") * weight, filter=filter)
    weights = Sum(weight, filter=filter)
    return ExpressionWrapper(Cast(total, FloatField()) / NullIf(weights, 0), output_field=FloatField())


def evaluation_criteria() -> QuerySet:
    """The criteria in the office's order."""
    return EvaluationCriterion.objects.all()


def criteria_asked_of(evaluator_role: str | None) -> list[EvaluationCriterion]:
    """The criteria an evaluator of ``evaluator_role`` scores (weighted for the role), in order."""
    if evaluator_role is None:
        return []
    return list(EvaluationCriterion.objects.asked_of(evaluator_role))


def evaluation_rounds() -> QuerySet:
    """Every round, the latest first, with how many ratings each got."""
    return EvaluationRound.objects.annotate(ratings=Count("evaluations")).order_by("-starts_on", "-id")


def open_round(*, on: datetime.date | None = None) -> EvaluationRound | None:
    """The round open on ``on`` (today by default), or None: evaluation is closed then."""
    return EvaluationRound.objects.open_on(on or clock.localdate()).first()


def next_round(*, on: datetime.date | None = None) -> EvaluationRound | None:
    """The first round that starts after ``on`` (today by default), or None."""
    on = on or clock.localdate()
    return EvaluationRound.objects.filter(starts_on__gt=on).order_by("starts_on").first()


def _role_labels() -> dict[str, str]:
    return {value: str(label) for value, label in EvaluatorRole.choices}


def evaluation_averages(*, project: Project) -> dict[str, dict]:
    """For ``project``: the weighted score (``avg``) and number of ratings (``n``) per evaluator role
    (议 / 评 / 群众评议) and overall (综合). Two queries."""
    rows = (
        EvaluationScore.objects.filter(evaluation__project=project)
        .values("evaluation__evaluator_role")
        .annotate(avg=weighted_score(), n=Count("evaluation_id", distinct=True))
        .order_by()
    )
    labels = _role_labels()
    result = {}
    overall = EvaluationScore.objects.filter(evaluation__project=project).aggregate(
        avg=weighted_score(), n=Count("evaluation_id", distinct=True)
    )
    for r in sorted(rows, key=lambda r: list(labels).index(r["evaluation__evaluator_role"])):
        if r["avg"] is not None:
            result[labels[r["evaluation__evaluator_role"]]] = {"avg": r["avg"], "n": r["n"]}
    if overall["avg"] is not None:
        result[_("综合")] = {"avg": overall["avg"], "n": overall["n"]}
    return result


def criterion_averages(*, project: Project | None = None, lead_unit_id: int | None = None) -> list[dict]:
    """Per criterion (in order), the weighted score and the number of scores, of ``project``, of the
    projects of ``lead_unit_id`` or of the whole registry: ``id``, ``name``, ``avg`` (None when nobody
    scored it), ``n``. One query."""
    scope = Q()
    if project is not None:
        scope &= Q(scores__evaluation__project=project)
    if lead_unit_id is not None:
        scope &= Q(scores__evaluation__project__lead_unit_id=lead_unit_id)
    rows = EvaluationCriterion.objects.annotate(
        avg=weighted_score("scores__", "scores__evaluation__evaluator_role", filter=scope),
        n=Count("scores", filter=scope),
    ).order_by("order", "id")
    return [{"id": c.pk, "name": c.name, "avg": c.avg, "n": c.n} for c in rows]


def criterion_rows() -> list[dict]:
    """The method page's table: each criterion with its weights and the registry's weighted score of it
    (``criterion``, ``avg``, ``n``). Two queries."""
    figures = {r["id"]: r for r in criterion_averages()}
    return [
        {"criterion": c, "avg": figures[c.pk]["avg"], "n": figures[c.pk]["n"]} for c in evaluation_criteria()
    ]


def project_evaluation_scores(*, user) -> QuerySet:
    """The projects ``user`` may see that have ratings, each with its weighted score (``score``) and number
    of ratings (``ratings``), best first. One query."""
    return (
        Project.objects.visible_to(user)
        .filter(evaluations__isnull=False)
        .annotate(
            score=weighted_score("evaluations__scores__", "evaluations__evaluator_role"),
            ratings=Count("evaluations", distinct=True),
        )
        .order_by(F("score").desc(nulls_last=True), "code")
    )


def unit_evaluation_averages(*, since: datetime.date | None = None) -> QuerySet:
    """Per lead unit: ratings of its projects, the weighted score overall (``average``) and per evaluator
    role; best first. One query."""
    scope = Q(led_projects__evaluations__isnull=False)
    if since:
        scope &= Q(led_projects__evaluations__month__gte=since)
    scores, role = "led_projects__evaluations__scores__", "led_projects__evaluations__evaluator_role"

    def of(value=None):
        return weighted_score(scores, role, filter=scope & Q(**{role: value}) if value else scope)

    return (
        Unit.objects.filter(scope)
        .annotate(
            ratings=Count("led_projects__evaluations", filter=scope, distinct=True),
            average=of(),
            average_member=of(EvaluatorRole.PARTY_MEMBER),
            average_supervisor=of(EvaluatorRole.SUPERVISOR),
            average_resident=of(EvaluatorRole.RESIDENT),
        )
        .order_by(F("average").desc(nulls_last=True), "id")
    )


def _with_scores(ratings: QuerySet) -> QuerySet:
    return ratings.select_related("evaluator", "round").prefetch_related(
        Prefetch("scores", queryset=EvaluationScore.objects.select_related("criterion"))
    )


def evaluation_given(evaluation: Evaluation) -> Evaluation:
    """A rating just given, with its scores (for the answer to the one who gave it)."""
    return _with_scores(Evaluation.objects.filter(pk=evaluation.pk)).get()


def project_evaluations(*, user, project: Project) -> QuerySet:
    """The ratings of ``project`` that ``user`` may read (``EvaluationQuerySet.visible_to``), newest first,
    each with its scores; the project page and the API list the same ones."""
    return _with_scores(Evaluation.objects.visible_to(user).filter(project=project))


def project_statements(*, project: Project) -> QuerySet:
    """The progress statements of ``project``, newest period first, with photos and indicator updates."""
    return (
        ProgressStatement.objects.filter(project=project)
        .select_related("author")
        .prefetch_related("photos", "indicator_updates__indicator")
    )


# Verbs nobody reads in a project's history on the page; ``project.evaluate`` (who rated) only supervisors.
HIDDEN_VERBS = ("personal_data.view",)
RATER_VERBS = ("project.evaluate",)


def project_history(*, user, project: Project) -> QuerySet:
    """The audit events of ``project`` that ``user`` may read, newest first. Who rated a project is
    personal: outside supervision the history leaves ratings out (the averages count them)."""
    hidden = HIDDEN_VERBS if has_role(user, Role.SUPERVISOR) else HIDDEN_VERBS + RATER_VERBS
    return AuditEvent.objects.for_object(project).exclude(verb__in=hidden).order_by("-created_at", "-id")


def carried_links(*, user, project: Project) -> dict:
    """The project this one continues (``carried_from``) and the one continuing it (``carried_to``), each
    only if ``user`` may open it: a project's record across the years it ran. One query."""
    rows = Project.objects.visible_to(user).filter(Q(carried_from=project) | Q(pk=project.carried_from_id))
    found = {"carried_from": None, "carried_to": None}
    for row in rows.only("pk", "code", "year_id", "carried_from_id"):
        found["carried_to" if row.carried_from_id == project.pk else "carried_from"] = row
    return found


def project_page_context(*, user, project: Project) -> dict:
    """Everything the project page shows besides the project itself."""
    facts = Evaluator(user)
    can_evaluate = evaluation_actions_for(user, project, facts=facts) == ["evaluate"]
    return {
        "milestones": list(project.milestones.all()),
        "indicators": list(project.indicators.all()),
        "photos": ProjectPhoto.objects.filter(project=project)[:24],
        "statements": project_statements(project=project)[:10],
        "reviews": project_evaluations(user=user, project=project)[:20],
        "averages": evaluation_averages(project=project),
        "criterion_scores": [c for c in criterion_averages(project=project) if c["n"]],
        "events": project_history(user=user, project=project)[:50],
        "can_edit": Project.objects.editable_by(user).filter(pk=project.pk).exists(),
        "evaluator_role": facts.role,
        "open_round": facts.round,
        "next_round": None if facts.round else next_round(),
        "criteria": facts.criteria if can_evaluate else [],
        "can_evaluate": can_evaluate,
        "already_rated": facts.round is not None and facts.role is not None and facts.rated(project.pk),
        **carried_links(user=user, project=project),
    }


@dataclass
class EvaluationSubject:
    """A project as ``EVALUATION_MOVES`` reads it: with the window of today's round."""

    project: Project
    evaluation_window: str


class Evaluator:
    """What is read once of an actor for ``EVALUATION_MOVES``: their evaluator role, the round open on
    ``on`` (today), the criteria asked of the role, the projects they rated in that round."""

    def __init__(self, actor, *, on: datetime.date | None = None):
        self.role = evaluator_role_of(actor) if _signed_in(actor) else None
        self.round = open_round(on=on)
        self.actor = actor
        self._criteria: list | None = None
        self._rated: set[int] | None = None

    @property
    def window(self) -> str:
        return EvaluationWindow.OPEN if self.round is not None else EvaluationWindow.CLOSED

    @property
    def criteria(self) -> list[EvaluationCriterion]:
        if self._criteria is None:
            self._criteria = criteria_asked_of(self.role)
        return self._criteria

    def rated(self, project_id: int) -> bool:
        if self._rated is None:
            self._rated = (
                set(
                    Evaluation.objects.filter(evaluator=self.actor, round=self.round).values_list(
                        "project_id", flat=True
                    )
                )
                if self.round is not None and self.role is not None
                else set()
            )
        return project_id in self._rated


EVALUATION_ROLES = {EVALUATOR: lambda actor, subject, facts: facts.role is not None}
EVALUATION_GUARDS = {
    ASKED: lambda actor, subject, facts: bool(facts.criteria),
    NOT_RATED: lambda actor, subject, facts: not facts.rated(subject.project.pk),
}
EVALUATION_MOVES.check_names(EVALUATION_ROLES, EVALUATION_GUARDS)


def evaluation_actions_for(actor, project: Project, *, facts: Evaluator | None = None) -> list[str]:
    """What ``actor`` may do about evaluating ``project`` now (``EVALUATION_MOVES``): ``["evaluate"]``
    while a round is open, the actor evaluates in some role, some criterion is asked of that role, and they
    have not rated the project in this round. The page's form, the API's ``evaluation_actions`` and
    ``services.evaluation_create`` agree."""
    facts = facts or Evaluator(actor)
    subject = EvaluationSubject(project, facts.window)
    return EVALUATION_MOVES.allowed(actor, subject, facts, roles=EVALUATION_ROLES, guards=EVALUATION_GUARDS)


def evaluation_require_move(
    actor, project: Project, facts: Evaluator, *, rated, closed, nothing_asked
) -> None:
    """Refuses as ``EVALUATION_MOVES`` says: ``closed()`` outside a round, ``nothing_asked()`` when no
    criterion is asked of the actor's role, ``rated()`` for a second rating in the round."""
    if facts.window != EvaluationWindow.OPEN:
        raise closed()
    EVALUATION_MOVES.require(
        "evaluate",
        actor,
        EvaluationSubject(project, facts.window),
        facts,
        roles=EVALUATION_ROLES,
        guards=EVALUATION_GUARDS,
        refusals={ASKED: nothing_asked, NOT_RATED: rated},
    )


def project_figures(projects: ProjectQuerySet) -> dict:
    """Totals of ``projects`` (a list annotated ``with_schedule``): count, completed, behind, average
    progress (of the started ones, as every report and the dashboard count it: a project not started yet is
    not 0 % behind) and the 银发项目 among them. The home page, the showcase and the dashboard's links count
    the same list this way."""
    # Counted distinct only where a filter joined a list (towns, target groups) that could repeat a project:
    # COUNT(DISTINCT) sorts every row (90 ms for the 23,600 projects of 100×, against a few for COUNT).
    distinct = projects.query.distinct or len(projects.query.alias_map) > 1
    figures = projects.aggregate(
        total=Count("id", distinct=distinct),
        completed=Count("id", filter=Q(status=ProjectStatus.COMPLETED), distinct=distinct),
        behind=Count("id", filter=Q(is_behind=True), distinct=distinct),
        average_progress=Avg("actual_pct", filter=Q(planned_start__lte=clock.localdate())),
    )
    figures["silver"] = projects.filter(target_groups__name=SILVER_GROUP).values("pk").distinct().count()
    figures["silver_group"] = (
        TargetGroup.objects.filter(name=SILVER_GROUP).values_list("pk", flat=True).first()
    )
    figures["average_progress"] = figures["average_progress"] or 0.0
    return figures


def campaign_figures(*, on: datetime.date | None = None) -> dict:
    """Totals of the whole registry at ``on`` (public or not): for supervision, never for the public."""
    return project_figures(Project.objects.with_schedule(on=on))


def showcase_figures(*, user, on: datetime.date | None = None) -> dict:
    """Totals of the projects the showcase lists for ``user`` (the public ones for a visitor), with the name
    of that population: the public and the staff count different lists, and the label says which."""
    share = Project.objects.visible_share(user).key
    population = (
        _("个公开项目")
        if share == "public"
        else _("个项目（含未公开）")
        if share == "all"
        else _("个项目（公开的及本单位的）")
    )
    return {**project_figures(project_list(user=user, on=on).in_current_year()), "population": population}


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/projects/_home.html``): the current
    campaign year's."""
    featured = (
        project_list(user=request.user)
        .in_current_year()
        .filter(is_public=True)
        .exclude(status=ProjectStatus.SUSPENDED)
        .order_by("-actual_pct", "code")[:4]
    )
    return {"project_figures": showcase_figures(user=request.user), "featured_projects": featured}


# --- campaign years -------------------------------------------------------------------------------------


def current_year() -> CampaignYear | None:
    """The current campaign year (exactly one, by a constraint), or None before the first is opened."""
    return CampaignYear.objects.filter(is_current=True).first()


def campaign_years() -> QuerySet:
    """Every campaign year, newest first, with how many projects its list has and how many it carried over
    from the year before."""
    return CampaignYear.objects.annotate(
        project_count=Count("projects"),
        carried_count=Count("projects", filter=Q(projects__carried_from__isnull=False)),
    ).order_by("-year")


def year_choices() -> list[tuple[int, str]]:
    """The campaign years as a filter's choices (``2025``, ``2025年度``), newest first."""
    return [(y.year, str(y)) for y in CampaignYear.objects.order_by("-year")]


def year_of(value) -> CampaignYear | None:
    """The campaign year a ``?year=`` value names (``2025``), or None when it names none."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) != 4:
        return None
    return CampaignYear.objects.filter(year=int(text)).first()


def carry_over_candidates(*, year: int) -> QuerySet:
    """The unfinished projects of campaign year ``year`` not yet carried over (未启动, 推进中, 暂缓), in
    code order: what the office may carry over into the next year."""
    return (
        Project.objects.filter(year_id=year, carried_to__isnull=True)
        .exclude(status=ProjectStatus.COMPLETED)
        .with_schedule()
        .select_related("lead_unit")
        .order_by("code")
    )


# --- for other apps (they read this registry only through its selectors) --------------------------------


def projects_by_codes(codes) -> QuerySet:
    """The projects with these codes (any visibility: the caller decides what to show)."""
    return Project.objects.filter(code__in=list(codes))


def projects_by_ids(ids) -> dict[int, Project]:
    return Project.objects.in_bulk(list(ids))


def free_project_code(*, year: int) -> str:
    """The first code ``JY<year>-001``, ``-002`` … that no project has (the import template's example)."""
    taken = set(Project.objects.filter(code__startswith=f"JY{year}-").values_list("code", flat=True))
    return next(code for n in range(1, len(taken) + 2) if (code := f"JY{year}-{n:03d}") not in taken)


def free_project_codes(*, year: int, count: int) -> list[str]:
    """``count`` new codes of ``year`` after the highest one used (``JY2026-237`` … when the list ends at
    236): what projects carried over into the year are numbered."""
    if count <= 0:
        return []
    used = [
        int(tail)
        for code in Project.objects.filter(code__istartswith=f"JY{year}-").values_list("code", flat=True)
        if (tail := code.rpartition("-")[2]).isdigit()
    ]
    first = max(used, default=0) + 1
    return [f"JY{year}-{n:03d}" for n in range(first, first + count)]


def projects_visible_to(user) -> QuerySet:
    """The projects ``user`` may see (``ProjectQuerySet.visible_to``), for other apps' links and prefetches:
    a page of another registry never names a project its reader could not open."""
    return Project.objects.visible_to(user)


def project_choices() -> QuerySet:
    """Every project as a choice (code and title), in code order."""
    return Project.objects.only("code", "title").order_by("code")


# --- for reports (period-aware) --------------------------------------------------------------------------
# Request-free reads of the registry at a date or over a period, aggregated in SQL, for the supervision
# loop's reports and dashboard (``supervision`` reads this registry only through these). Each runs a fixed
# number of queries whatever the number of projects. Rules (docs/reports.md):
#   completed on  the date its last milestone was done (its planned end without milestones), for 已完成;
#   active at D   started by D (planned start), 推进中 or 已完成, and not completed by D;
#   behind at D   ``is_behind`` of ``projects.schedule`` at D (the showcase's 滞后).

REPORT_STATUSES = (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)


def _completed_on() -> Case:
    """``completed_on`` of ``projects.schedule`` (a project's day of completion), for querysets without
    the schedule."""
    return completed_on(Project.objects.all())


def _active_between(first: datetime.date, last: datetime.date) -> Q:
    """Active at some day of ``first``…``last``: started by ``last``, not completed before ``first``
    (on ``completed_on``-annotated projects)."""
    return Q(planned_start__lte=last, status__in=REPORT_STATUSES) & (
        Q(completed_on__isnull=True) | Q(completed_on__gte=first)
    )


def _active_at(on: datetime.date) -> Q:
    return Q(planned_start__lte=on, status__in=REPORT_STATUSES) & (
        Q(completed_on__isnull=True) | Q(completed_on__gt=on)
    )


def _of_year(on: datetime.date, year: int | None) -> ProjectQuerySet:
    """The projects of campaign year ``year``, or (None) of the year ``on`` falls in: a report of a period
    counts that year's list (``ProjectQuerySet.in_year_of``), so opening a new year leaves last year's
    figures as they were."""
    return Project.objects.in_year(year) if year is not None else Project.objects.in_year_of(on)


def report_rows(*, on: datetime.date, year: int | None = None) -> QuerySet:
    """The projects of the year (``_of_year``) with their schedule at ``on`` and ``completed_on``,
    ``is_active``, ``is_completed``."""
    return (
        _of_year(on, year)
        .with_schedule(on=on)
        .annotate(  # with ``completed_on``
            is_active=ExpressionWrapper(_active_at(on), output_field=BooleanField()),
            is_completed=ExpressionWrapper(Q(completed_on__lte=on), output_field=BooleanField()),
        )
    )


def _figures(on: datetime.date, agenda_points: float | None = None) -> dict:
    figures = {
        "projects": Count("id"),
        "started": Count("id", filter=Q(planned_start__lte=on)),
        "active": Count("id", filter=Q(is_active=True)),
        "completed": Count("id", filter=Q(is_completed=True)),
        "behind": Count("id", filter=Q(is_behind=True)),
        "average_progress": Avg("actual_pct", filter=Q(planned_start__lte=on)),
        "average_variance": Avg("variance", filter=Q(is_active=True)),
    }
    if agenda_points is not None:
        figures["far_behind"] = Count("id", filter=Q(variance__lt=-agenda_points))
    return figures


def _clean(row: dict) -> dict:
    """Floats rounded to one decimal (None stays None): what a report stores."""
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}


def project_totals(*, on: datetime.date, agenda_points: float | None = None, year: int | None = None) -> dict:
    """The registry at ``on`` in one query: projects, started, active, completed, behind, average progress
    (actual %, of started projects), average schedule variance (of active ones) and, with
    ``agenda_points``, how many are more than that many points behind."""
    return _clean(report_rows(on=on, year=year).aggregate(**_figures(on, agenda_points)))


PROJECT_ROW_FIELDS = (
    "id",
    "code",
    "title",
    "is_public",
    "status",
    "lead_unit_id",
    "lead_unit__name",
    "program__name",
    "expected_pct",
    "actual_pct",
    "variance",
    "late_milestones",
)


def behind_projects(*, on: datetime.date, points: float | None = None, year: int | None = None) -> list[dict]:
    """The projects behind at ``on`` (``is_behind``), or — with ``points`` — those more than ``points``
    percentage points behind their expected progress; furthest behind first. One query."""
    rows = report_rows(on=on, year=year)
    rows = rows.filter(is_behind=True) if points is None else rows.filter(variance__lt=-points)
    return [_clean(r) for r in rows.order_by("variance", "code").values(*PROJECT_ROW_FIELDS)]


def completed_projects(*, start: datetime.date, end: datetime.date, year: int | None = None) -> list[dict]:
    """The projects of the year completed between ``start`` and ``end`` (both included). One query."""
    rows = (
        _of_year(end, year)
        .annotate(completed_on=_completed_on())
        .filter(completed_on__gte=start, completed_on__lte=end)
        .order_by("completed_on", "code")
        .values("id", "code", "title", "is_public", "lead_unit_id", "lead_unit__name", "completed_on")
    )
    return [{**r, "completed_on": r["completed_on"].isoformat()} for r in rows]


def report_weeks(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The weeks (Monday–Sunday) whose Sunday falls between ``start`` and ``end``: the weekly statements a
    period expects (a week belongs to the period it ends in)."""
    sunday = start + datetime.timedelta(days=(6 - start.weekday()) % 7)
    weeks = []
    while sunday <= end:
        weeks.append((sunday - datetime.timedelta(days=6), sunday))
        sunday += datetime.timedelta(days=7)
    return weeks


def _statement_in(first: datetime.date, last: datetime.date) -> ExpressionWrapper:
    """Whether the project has a statement covering some day of ``first``…``last``. Written as ``id IN
    (the projects with one)``, not as a correlated ``EXISTS``: the database hashes the subquery once (the
    recent statements, through their ``period_end`` index) instead of probing it for every project."""
    covered = ProgressStatement.objects.filter(period_start__lte=last, period_end__gte=first).values(
        "project_id"
    )
    return ExpressionWrapper(Q(pk__in=covered), output_field=BooleanField())


def unit_facts(*, start: datetime.date, end: datetime.date, year: int | None = None) -> list[dict]:
    """Per lead unit, in one query: its projects (started by ``end``), active, completed and behind at
    ``end``, average progress and schedule variance, and the weekly statements the period expected
    (``statements_owed``: one per active project and week of :func:`report_weeks`) and got
    (``statements_delivered``)."""
    rows = report_rows(on=end, year=year)
    owed, delivered = [], []
    for index, (monday, sunday) in enumerate(report_weeks(start, end)):
        rows = rows.annotate(
            **{
                f"owes_{index}": ExpressionWrapper(
                    _active_between(monday, sunday), output_field=BooleanField()
                ),
                f"filed_{index}": _statement_in(monday, sunday),
            }
        )
        owed.append(Count("id", filter=Q(**{f"owes_{index}": True})))
        delivered.append(Count("id", filter=Q(**{f"owes_{index}": True, f"filed_{index}": True})))
    zero = Value(0, output_field=IntegerField())
    result = (
        rows.filter(planned_start__lte=end)
        .values("lead_unit_id", "lead_unit__name")
        .annotate(
            **_figures(end),
            statements_owed=sum(owed, start=zero) if owed else zero,
            statements_delivered=sum(delivered, start=zero) if delivered else zero,
        )
        .order_by("lead_unit_id")
    )
    return [_clean(r) for r in result]


def unit_evaluations(
    *, end: datetime.date, start: datetime.date | None = None, year: int | None = None
) -> list[dict]:
    """Per lead unit, the ratings of its projects given for months up to ``end`` (from ``start``'s month
    when given), of the campaign year ``year`` (else the year ``end`` falls in): how many, the weighted
    score (the evaluation method: ``weighted_score``) overall and per evaluator role (议 / 评 / 群众评议).
    One query."""
    scores = EvaluationScore.objects.filter(
        evaluation__month__lte=end,
        evaluation__project__year_id=year if year is not None else year_of_day(end),
    )
    if start is not None:
        scores = scores.filter(evaluation__month__gte=month_of(start))
    role = "evaluation__evaluator_role"
    rows = (
        scores.values("evaluation__project__lead_unit_id")
        .annotate(
            ratings=Count("evaluation_id", distinct=True),
            average=weighted_score(),
            average_member=weighted_score(filter=Q(**{role: EvaluatorRole.PARTY_MEMBER})),
            average_supervisor=weighted_score(filter=Q(**{role: EvaluatorRole.SUPERVISOR})),
            average_resident=weighted_score(filter=Q(**{role: EvaluatorRole.RESIDENT})),
        )
        .order_by("evaluation__project__lead_unit_id")
    )
    return [_clean({"lead_unit_id": r.pop("evaluation__project__lead_unit_id"), **r}) for r in rows]


def lookup_names() -> list[tuple[str, str]]:
    """``(name, name_en)`` of every row of the lookup tables that has an English name (one query): what
    a report rendered in English reads the names in its data by."""
    tables = [
        model.objects.exclude(name_en="").order_by().values_list("name", "name_en") for model in LOOKUPS
    ]
    return list(tables[0].union(*tables[1:], all=True))


LOOKUPS = (KeyTask, Program, Domain, TargetGroup)

ROLLUPS = {"program": "program", "domain": "domain", "town": "towns", "lead_unit": "lead_unit"}


def rollup(
    *, on: datetime.date, by: str, agenda_points: float | None = None, year: int | None = None
) -> list[dict]:
    """The registry at ``on`` grouped ``by`` program, domain, town (a project counts in each of its towns)
    or lead unit, in one query: the figures of :func:`project_totals` per group (``group_id``,
    ``group``; a project without a town is in the group ``None``)."""
    field = ROLLUPS[by]
    rows = (
        report_rows(on=on, year=year)
        .values(group_id=F(f"{field}__id"), group=F(f"{field}__name"))
        .annotate(**_figures(on, agenda_points))
        .order_by(f"{field}__order" if by in ("program", "domain", "town") else "group_id", "group_id")
    )
    return [_clean(r) for r in rows]


def unit_reminders(*, on: datetime.date, days: int = 7) -> dict[str, list[dict]]:
    """What the weekly reminder tells each lead unit at ``on``, in three queries: milestones due in the
    next ``days`` days, milestones overdue (planned by ``on``, not done), and active projects without a
    progress statement covering any of the last ``days`` days (with the end of their latest one)."""
    running = ~Q(project__status__in=[ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED]) & Q(
        project__year_id=year_of_day(on)
    )
    undone = Q(done_date__isnull=True) | Q(done_date__gt=on)
    fields = ("project__code", "project__title", "project__lead_unit_id", "name", "planned_date")

    def milestones(**lookups) -> list[dict]:
        rows = Milestone.objects.filter(running, undone, **lookups).order_by("planned_date", "project__code")
        return [
            {
                "code": r["project__code"],
                "title": r["project__title"],
                "lead_unit_id": r["project__lead_unit_id"],
                "milestone": r["name"],
                "planned_date": r["planned_date"].isoformat(),
            }
            for r in rows.values(*fields)
        ]

    since = on - datetime.timedelta(days=days - 1)
    latest = (
        ProgressStatement.objects.filter(project=OuterRef("pk"), period_end__lte=on)
        .order_by()
        .values("project")
        .annotate(d=Max("period_end"))
        .values("d")
    )
    silent = (
        Project.objects.in_year_of(on)
        .annotate(completed_on=_completed_on())
        .filter(_active_at(on))
        .annotate(recent=_statement_in(since, on), last_statement=Subquery(latest, output_field=DateField()))
        .filter(recent=False)
        .order_by("lead_unit_id", "code")
        .values("code", "title", "lead_unit_id", "last_statement")
    )
    return {
        "due_soon": milestones(planned_date__gt=on, planned_date__lte=on + datetime.timedelta(days=days)),
        "overdue": milestones(planned_date__lte=on),
        "silent": [
            {**r, "last_statement": r["last_statement"].isoformat() if r["last_statement"] else None}
            for r in silent
        ],
    }


def campaign_span() -> dict:
    """The first planned start and the last planned end of the registry (None when it is empty)."""
    return Project.objects.aggregate(first=Min("planned_start"), last=Max("planned_end"))


def project_by_code(code: str) -> Project | None:
    """One project by its code, any visibility (the caller decides what to show), or None."""
    return Project.objects.select_related("lead_unit").filter(code=(code or "").strip().upper()).first()


def projects_matching(text: str, *, limit: int = 10) -> list[tuple[str, str]]:
    """``(code, "code title · lead unit")`` of the projects whose code or title holds ``text`` (a picker;
    any visibility: the caller is a supervisor)."""
    text = (text or "").strip()
    found = Project.objects.filter(Q(code__icontains=text) | Q(title__icontains=text)).select_related(
        "lead_unit"
    )
    return [
        (p.code, f"{p.code} {p.title} · {p.lead_unit.short_name}") for p in found.order_by("code")[:limit]
    ]


# --- seasonal campaigns (四季活动) ----------------------------------------------------------------------


def campaign_project_figures(*, campaign_ids, on: datetime.date | None = None) -> dict[int, dict]:
    """For each campaign of ``campaign_ids``, in one query: its projects and their average progress (of
    the started ones, as ``project_figures`` counts the showcase's).

    Without ``on`` (the campaign's page): the public projects today, the showcase's list for everybody
    (``?campaign=``). With ``on`` (the ten-day bulletin): every tagged project, at the end of that day."""
    ids = list(campaign_ids)
    rows = Project.objects.with_schedule(on=on).filter(campaign_id__in=ids)
    if on is None:
        rows = rows.filter(is_public=True)
    day = on or clock.localdate()
    found = {
        row["campaign_id"]: row
        for row in rows.values("campaign_id")
        .annotate(
            total=Count("id"),
            average_progress=Avg("actual_pct", filter=Q(planned_start__lte=day)),
        )
        .order_by("campaign_id")
    }
    return {
        pk: {
            "total": found.get(pk, {}).get("total", 0),
            "average_progress": round(found.get(pk, {}).get("average_progress") or 0.0, 1),
        }
        for pk in ids
    }


def campaign_section(campaign) -> dict:
    """This app's part of a campaign's page (``ProjectsConfig.campaign_sections``): its figures."""
    return {"campaign_projects": campaign_project_figures(campaign_ids=[campaign.pk])[campaign.pk]}
