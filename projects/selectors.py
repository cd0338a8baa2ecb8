"""Reads of the project registry: lists with their schedule, the project page, evaluation averages and
the home page's figures."""

import datetime

from django.db.models import Avg, Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from jiangyan.models import AuditEvent
from jiangyan.roles import Role, has_role

from .choices import EvaluatorRole, ProjectStatus
from .models import (
    Evaluation,
    Milestone,
    ProgressStatement,
    Project,
    ProjectPhoto,
    ProjectQuerySet,
    TargetGroup,
    evaluator_role_of,
    month_of,
)

SILVER_GROUP = "老年"  # 银发项目 are the projects for this target group


def _milestones_in_order() -> Prefetch:
    return Prefetch("milestones", queryset=Milestone.objects.order_by("planned_date", "order", "id"))


def project_rows(*, on: datetime.date | None = None) -> ProjectQuerySet:
    """Every project with its schedule at ``on`` and what a list row shows (not yet scoped to a user)."""
    return (
        Project.objects.with_schedule(on=on)
        .select_related("program__key_task", "domain", "lead_unit")
        .prefetch_related("target_groups", "towns")
    )


def project_list(*, user, on: datetime.date | None = None) -> ProjectQuerySet:
    """Projects ``user`` may see, with their schedule at ``on`` and what a list row shows, in a fixed
    number of queries whatever the page size."""
    return project_rows(on=on).visible_to(user)


def project_pages(*, on: datetime.date | None = None) -> ProjectQuerySet:
    """What the project page (and the API's detail) shows of a project: the list row plus cooperating
    units, communities, milestones in order and indicators. Fetch one with ``get_visible_or_404``."""
    return project_rows(on=on).prefetch_related(
        "cooperating_units", "communities__town", _milestones_in_order(), "indicators"
    )


def workspace_list(*, user, on: datetime.date | None = None) -> QuerySet:
    """The projects ``user`` maintains (their unit's), with schedule and the date of the latest statement."""
    return (
        Project.objects.editable_by(user)
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


def evaluation_averages(*, project: Project) -> dict[str, dict]:
    """Average score and count per evaluator role (议 / 评 / 群众评议) and overall, for ``project``."""
    rows = (
        Evaluation.objects.filter(project=project)
        .values("evaluator_role")
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by()
    )
    labels = dict(EvaluatorRole.choices)
    result = {str(labels[r["evaluator_role"]]): {"avg": float(r["avg"]), "n": r["n"]} for r in rows}
    total = sum(r["n"] for r in result.values())
    if total:
        result[_("综合")] = {"avg": sum(r["avg"] * r["n"] for r in result.values()) / total, "n": total}
    return result


def unit_evaluation_averages(*, since: datetime.date | None = None) -> QuerySet:
    """Per lead unit: number of projects rated, ratings, average score overall and per evaluator role."""
    scope = Q(led_projects__evaluations__isnull=False)
    if since:
        scope &= Q(led_projects__evaluations__month__gte=since)
    score = "led_projects__evaluations__score"
    role = "led_projects__evaluations__evaluator_role"
    return (
        Unit.objects.filter(scope)
        .annotate(
            ratings=Count("led_projects__evaluations", filter=scope),
            average=Avg(score, filter=scope),
            average_member=Avg(score, filter=scope & Q(**{role: EvaluatorRole.PARTY_MEMBER})),
            average_supervisor=Avg(score, filter=scope & Q(**{role: EvaluatorRole.SUPERVISOR})),
            average_resident=Avg(score, filter=scope & Q(**{role: EvaluatorRole.RESIDENT})),
        )
        .order_by("-average", "id")
    )


def project_evaluations(*, user, project: Project) -> QuerySet:
    """The ratings of ``project`` that ``user`` may read (``EvaluationQuerySet.visible_to``), newest first;
    the project page and the API list the same ones."""
    return Evaluation.objects.visible_to(user).filter(project=project).select_related("evaluator")


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


def project_page_context(*, user, project: Project) -> dict:
    """Everything the project page shows besides the project itself."""
    role = evaluator_role_of(user)
    rated = (
        role is not None
        and Evaluation.objects.filter(
            project=project, evaluator=user, month=month_of(timezone.localdate())
        ).exists()
    )
    return {
        "milestones": list(project.milestones.all()),
        "indicators": list(project.indicators.all()),
        "photos": ProjectPhoto.objects.filter(project=project)[:24],
        "statements": project_statements(project=project)[:10],
        "reviews": project_evaluations(user=user, project=project)[:20],
        "averages": evaluation_averages(project=project),
        "events": project_history(user=user, project=project)[:50],
        "can_edit": Project.objects.editable_by(user).filter(pk=project.pk).exists(),
        "evaluator_role": role,
        "already_rated": rated,
    }


def project_figures(projects: ProjectQuerySet) -> dict:
    """Totals of ``projects`` (a list annotated ``with_schedule``): count, completed, behind, average
    progress and the 银发项目 among them. The home page and the showcase count the same list this way."""
    figures = projects.aggregate(
        total=Count("id", distinct=True),
        completed=Count("id", filter=Q(status=ProjectStatus.COMPLETED), distinct=True),
        behind=Count("id", filter=Q(is_behind=True), distinct=True),
        average_progress=Avg("actual_pct"),
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
    """Totals of the projects the showcase lists for ``user`` (the public ones for a visitor)."""
    return project_figures(project_list(user=user, on=on))


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/projects/_home.html``)."""
    featured = (
        project_list(user=request.user)
        .filter(is_public=True)
        .exclude(status=ProjectStatus.SUSPENDED)
        .order_by("-actual_pct", "code")[:4]
    )
    return {"project_figures": showcase_figures(user=request.user), "featured_projects": featured}


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


def projects_visible_to(user) -> QuerySet:
    """The projects ``user`` may see (``ProjectQuerySet.visible_to``), for other apps' links and prefetches:
    a page of another registry never names a project its reader could not open."""
    return Project.objects.visible_to(user)


def project_choices() -> QuerySet:
    """Every project as a choice (code and title), in code order."""
    return Project.objects.only("code", "title").order_by("code")
