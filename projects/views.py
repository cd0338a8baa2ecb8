"""Pages of the project registry: showcase, project page, ledger, the lead unit's workspace, evaluation
and spreadsheets. Views are thin: forms check input, services write, selectors read."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Town, Unit
from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.forms import submit, submit_outcome
from jiangyan.core.pagecache import cached_page
from jiangyan.core.pagination import list_page
from jiangyan.core.permissions import role_required
from jiangyan.core.roles import Role, has_role
from jiangyan.core.scoping import get_editable_or_404, get_visible_or_404
from jiangyan.core.site import project_sections, section_topics, sections_context
from jiangyan.helpers.xlsx import xlsx_response

from . import importing, selectors, services, spreadsheets
from .choices import EvaluatorRole
from .filtersets import ProjectFilterSet
from .forms import (
    CampaignTagForm,
    CarryOverForm,
    CriterionForm,
    EvaluationForm,
    ImportConfirmForm,
    ImportForm,
    IndicatorValuesForm,
    MilestoneDoneForm,
    PhotoForm,
    RoundForm,
    StatementForm,
    StatusForm,
    YearOpenForm,
)
from .models import (
    WEIGHT_FIELDS,
    CampaignYear,
    Domain,
    EvaluationCriterion,
    EvaluationRound,
    Milestone,
    Program,
    Project,
    TargetGroup,
)


@require_GET
@cached_page(
    topics=("projects",), filterset=ProjectFilterSet, paged=True, share=Project.objects.visible_share
)
def showcase(request):
    """项目展播: public projects (and, for staff, their others) with filters and progress bars."""
    context = list_page(request, selectors.project_list(user=request.user), ProjectFilterSet)
    chosen = context["filter"].form.cleaned_data.get("year") if context["filter"].form.is_valid() else None
    return render(
        request,
        "projects/list.html",
        {
            **context,
            "year": chosen or selectors.current_year(),
            "projects": context["page_obj"].object_list,
            "figures": selectors.project_figures(context["filter"].qs),
            "query": request.GET.urlencode(),
        },
    )


def _detail_context(request, project: Project, **extra) -> dict:
    context = {"project": project, **selectors.project_page_context(user=request.user, project=project)}
    context.update(sections_context(project_sections(), request.user, project))
    context.setdefault("evaluation_form", EvaluationForm(criteria=context["criteria"]))
    context.update(extra)
    return context


def _visible(request, code: str) -> Project:
    return get_visible_or_404(selectors.project_pages(), request.user, code=code)


def _page_topics() -> tuple[str, ...]:
    """A project page shows its project (its evaluation, the name of its seasonal campaign) and the sections
    other apps add to it."""
    return ("project:{code}", "evaluation", "campaign-names", *section_topics(project_sections()))


@require_GET
@cached_page(topics=_page_topics)
def detail(request, code: str):
    """The shareable project page."""
    project = _visible(request, code)
    return render(request, "projects/detail.html", _detail_context(request, project))


@require_GET
def ledger(request, code: str):
    """一单一表: the printable A4 ledger of a project."""
    project = _visible(request, code)
    return render(
        request, "projects/ledger.html", _detail_context(request, project, printed_at=timezone.localtime())
    )


@require_GET
def ledger_xlsx(request, code: str):
    project = _visible(request, code)
    context = selectors.project_page_context(user=request.user, project=project)
    content = spreadsheets.ledger_workbook(
        project=project,
        milestones=context["milestones"],
        indicators=context["indicators"],
        statements=list(context["statements"][:5]),
        averages={k: v["avg"] for k, v in context["averages"].items()},
    )
    return xlsx_response(content, _("%(code)s-一单一表.xlsx") % {"code": project.code})


@require_GET
def export(request):
    """Any filtered list as the importable workbook (plus the schedule columns)."""
    filterset = ProjectFilterSet(request.GET or None, queryset=selectors.project_list(user=request.user))
    content = spreadsheets.export_workbook(selectors.export_list(filterset.qs))
    return xlsx_response(
        content, _("实事项目清单-%(date)s.xlsx") % {"date": f"{timezone.localdate():%Y%m%d}"}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR, Role.PARTY_MEMBER, Role.RESIDENT)
def evaluate(request, code: str):
    """议 / 评 / 群众评议: rate a project, once per round, a score for each criterion asked."""
    project = _visible(request, code)
    if request.method == "GET":
        return redirect(f"{project.get_absolute_url()}#evaluate")
    role = selectors.evaluator_role_of(request.user)
    form = EvaluationForm(request.POST, criteria=selectors.criteria_asked_of(role))
    outcome = submit_outcome(
        request,
        form,
        lambda data: services.evaluation_create(
            actor=request.user, project=project, scores=form.scores(), comment=data["comment"]
        ),
        success=_("感谢您的评价。"),
        announce=selectors.open_round() is None,  # closed: the page shows no form to put the reason on
    )
    if outcome.done:
        return redirect(f"{project.get_absolute_url()}#evaluate")
    return render(request, "projects/detail.html", _detail_context(request, project, evaluation_form=form))


@require_http_methods(["GET", "POST"])
def evaluation_method(request):
    """评价办法: what is evaluated (criteria and each role's weight), when (rounds) and the figures by
    criterion, for everybody to read; the office sets them here (``?criterion=<id>`` / ``?round=<id>``
    opens one to change)."""
    office = has_role(request.user, Role.ADMIN)
    if request.method == "POST" and not office:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    criterion = _pick(request, EvaluationCriterion, "criterion")
    evaluation_round = _pick(request, EvaluationRound, "round")
    criterion_form = round_form = None
    status = 200
    if office:
        posted = request.POST.get("form") if request.method == "POST" else None
        criterion_form = CriterionForm(
            request.POST if posted == "criterion" else None,
            initial=_initial(criterion, ["name", "description", "order", *WEIGHT_FIELDS.values()])
            or dict.fromkeys(WEIGHT_FIELDS.values(), 1),
        )
        round_form = RoundForm(
            request.POST if posted == "round" else None,
            initial=_initial(evaluation_round, ["name", "starts_on", "ends_on"]),
        )
        if posted in ("criterion", "round"):
            form, call, success = (
                (
                    criterion_form,
                    lambda data: services.criterion_set(actor=request.user, criterion=criterion, **data),
                    _("评价内容已保存。"),
                )
                if posted == "criterion"
                else (
                    round_form,
                    lambda data: services.evaluation_round_set(
                        actor=request.user, evaluation_round=evaluation_round, **data
                    ),
                    _("评价轮次已保存。"),
                )
            )
            outcome = submit_outcome(request, form, call, success=success)
            if outcome.done:
                return redirect("projects:method")
            status = outcome.status
        elif request.method == "POST":
            return redirect("projects:method")
    context = {
        "criterion_rows": selectors.criterion_rows(),
        "rounds": selectors.evaluation_rounds()[:24],
        "open_round": selectors.open_round(),
        "roles": [label for _value, label in EvaluatorRole.choices],
        "office": office,
        "criterion": criterion,
        "evaluation_round": evaluation_round,
        "criterion_form": criterion_form,
        "round_form": round_form,
    }
    return render(request, "projects/method.html", context, status=status)


def _pick(request, model, name: str):
    """The criterion or round named by ``?<name>=<id>`` (to change it), or None; a bad id is a 404."""
    value = request.GET.get(name)
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(model, pk=int(value))


def _initial(obj, fields: list[str]) -> dict:
    return {name: getattr(obj, name) for name in fields} if obj is not None else {}


# --- workspace of the lead unit -------------------------------------------------------------------------


@require_GET
@role_required(Role.UNIT_STAFF)
@cached_page(topics=("projects",), paged=True, public=False, share=Project.objects.editable_share)
def workspace(request):
    """The projects of the user's unit, behind ones first."""
    context = list_page(request, selectors.workspace_list(user=request.user))
    return render(
        request, "projects/workspace.html", {**context, "projects": context["page_obj"].object_list}
    )


def _editable(request, code: str) -> Project:
    return get_editable_or_404(
        Project.objects.with_schedule().select_related("lead_unit", "campaign"), request.user, code=code
    )


def _manage(request, project: Project, status: int = 200, **forms):
    indicators = list(project.indicators.all())
    milestones = list(project.milestones.order_by("planned_date", "order", "id"))
    context = {
        "project": project,
        "milestones": milestones,
        "indicators": indicators,
        "statement_form": forms.get("statement_form") or StatementForm(indicators=indicators),
        "indicator_form": forms.get("indicator_form") or IndicatorValuesForm(indicators=indicators),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "milestone_forms": {
            m.pk: (
                forms.get("milestone_form")
                if forms.get("milestone_id") == m.pk
                else MilestoneDoneForm(prefix=f"m{m.pk}")
            )
            for m in milestones
            if m.done_date is None
        },
        "statements": project.statements.select_related("author")[:5],
        "status_form": forms.get("status_form") or _status_form(request, project),
        "campaign_form": forms.get("campaign_form")
        or CampaignTagForm(initial={"campaign": project.campaign_id}),
    }
    return render(request, "projects/manage.html", context, status=status)


def _status_form(request, project: Project, data=None) -> StatusForm:
    return StatusForm(data, choices=services.status_moves_for(actor=request.user, project=project))


@require_GET
@role_required(Role.UNIT_STAFF)
def manage(request, code: str):
    return _manage(request, _editable(request, code))


def _workspace_write(request, project: Project, form, call, *, success: str, **rerender):
    """Run a workspace write through ``submit``: back to the manage page when it is done, otherwise the
    manage page again with the form (``rerender``) and its errors."""
    if submit(request, form, call, success=success) is not None:
        return redirect("projects:manage", code=project.code)
    return _manage(request, project, **rerender)


@require_POST
@role_required(Role.UNIT_STAFF)
def statement_new(request, code: str):
    project = _editable(request, code)
    form = StatementForm(request.POST, request.FILES, indicators=project.indicators.all())

    def call(data):
        return services.statement_create(
            actor=request.user,
            project=project,
            period_start=data["period_start"],
            period_end=data["period_end"],
            text=data["text"],
            photos=data["photos"],
            indicator_values=form.indicator_values(),
        )

    return _workspace_write(request, project, form, call, success=_("进展已提交。"), statement_form=form)


@require_POST
@role_required(Role.UNIT_STAFF)
def milestone_done(request, code: str, pk: int):
    project = _editable(request, code)
    milestone = get_object_or_404(Milestone, pk=pk, project=project)
    if milestone.done_date is not None:
        messages.error(request, _("该节点已完成。"))
        return redirect("projects:manage", code=project.code)
    form = MilestoneDoneForm(request.POST, request.FILES, prefix=f"m{milestone.pk}")

    def call(data):
        return services.milestone_complete(
            actor=request.user,
            milestone=milestone,
            done_date=data["done_date"],
            evidence=data["evidence"],
            photos=data["photos"],
        )

    return _workspace_write(
        request,
        project,
        form,
        call,
        success=_("节点“%(name)s”已标记完成。") % {"name": milestone.name},
        milestone_form=form,
        milestone_id=milestone.pk,
    )


@require_POST
@role_required(Role.UNIT_STAFF)
def indicators_update(request, code: str):
    project = _editable(request, code)
    form = IndicatorValuesForm(request.POST, indicators=project.indicators.all())

    def call(data):
        return services.indicator_update(actor=request.user, project=project, values=form.indicator_values())

    return _workspace_write(request, project, form, call, success=_("指标已更新。"), indicator_form=form)


@require_POST
@role_required(Role.UNIT_STAFF)
def photos_add(request, code: str):
    project = _editable(request, code)
    form = PhotoForm(request.POST, request.FILES)

    def call(data):
        return services.photo_add(
            actor=request.user, project=project, images=data["images"], caption=data["caption"]
        )

    return _workspace_write(request, project, form, call, success=_("照片已上传。"), photo_form=form)


@require_POST
@role_required(Role.UNIT_STAFF)
def campaign_tag(request, code: str):
    """File the project under a seasonal campaign (四季活动), or take it out (``project_tag_campaign``)."""
    project = _editable(request, code)
    form = CampaignTagForm(request.POST)

    def call(data):
        return services.project_tag_campaign(actor=request.user, project=project, campaign=data["campaign"])

    success = _("已更新项目所属的四季活动。")
    return _workspace_write(request, project, form, call, success=success, campaign_form=form)


@require_POST
@role_required(Role.UNIT_STAFF)
def status_change(request, code: str):
    """推进中 / 暂缓 / 已完成 by hand, with a reason (``services.project_status_change``)."""
    project = _editable(request, code)
    form = _status_form(request, project, request.POST)

    def call(data):
        return services.project_status_change(
            actor=request.user, project=project, status=data["status"], reason=data["reason"]
        )

    outcome = submit_outcome(request, form, call, success=_("项目状态已变更。"))
    if outcome.done:
        return redirect("projects:manage", code=project.code)
    return _manage(request, project, status=outcome.status, status_form=form)


# --- spreadsheets ---------------------------------------------------------------------------------------


@require_GET
@role_required(Role.ADMIN)
def import_template(request):
    content = spreadsheets.template_workbook(
        programs=list(Program.objects.values_list("name", flat=True)),
        domains=list(Domain.objects.values_list("name", flat=True)),
        groups=list(TargetGroup.objects.values_list("name", flat=True)),
        units=list(Unit.objects.filter(is_active=True).values_list("name", flat=True)),
        towns=list(Town.objects.values_list("name", flat=True)),
        example_code=selectors.free_project_code(
            year=getattr(selectors.current_year(), "year", None) or timezone.localdate().year
        ),
        year=timezone.localdate().year,
    )
    return xlsx_response(content, _("实事项目导入模板.xlsx"))


def _import_page(request, *, form=None, plan=None, token="", error=None, status=200):
    """The upload form, a preview (``plan``) or the reasons an upload was refused (``error``: its rows, by
    sheet and row, and what the reading found)."""
    return render(
        request,
        "projects/import.html",
        {
            "form": form or ImportForm(),
            "plan": plan,
            "token": token,
            "row_errors": error.row_errors if error else (),
            "book": error.book if error else None,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def import_projects(request):
    """Upload the project list: every row is checked, and the page previews what the import will create
    and change, field by field. Nothing is written until the office confirms (``import_confirm``)."""
    if request.method == "GET":
        return _import_page(request)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form, status=400)
    content = form.cleaned_data["file"].read()
    try:
        plan = services.projects_import_preview(
            actor=request.user, upload=io.BytesIO(content), year=form.cleaned_data["year"]
        )
    except services.ImportRejected as error:
        form.add_error(None, error.message)
        return _import_page(request, form=form, error=error, status=error.status_code)
    except ApplicationError as error:  # a year that may not be opened
        for field, errors in error.fields.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return _import_page(request, form=form, status=error.status_code)
    token = importing.stage_upload(user=request.user, content=content)
    return _import_page(request, plan=plan, token=token)


def _rejected(request, error: services.ImportRejected, *, token: str):
    importing.discard_upload(user=request.user, token=token)
    form = ImportForm()
    form.add_error(None, error.message)
    return _import_page(request, form=form, error=error, status=error.status_code)


def _preview_again(request, *, content: bytes, token: str, status: int, year: int):
    try:
        plan = services.projects_import_preview(actor=request.user, upload=io.BytesIO(content), year=year)
    except services.ImportRejected as error:
        return _rejected(request, error, token=token)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("projects:import")
    return _import_page(request, plan=plan, token=token, status=status)


@require_POST
@role_required(Role.ADMIN)
def import_confirm(request):
    """Write the previewed import, provided it still does exactly what the preview showed."""
    form = ImportConfirmForm(request.POST)
    content = (
        importing.staged_upload(user=request.user, token=form.cleaned_data["token"])
        if form.is_valid()
        else None
    )
    if content is None:
        messages.error(request, _("预览已过期或文件已失效，请重新上传。"))
        return redirect("projects:import")
    token = form.cleaned_data["token"]
    try:
        result = services.projects_import(
            actor=request.user,
            upload=io.BytesIO(content),
            expected_digest=form.cleaned_data["digest"],
            year=form.cleaned_data["year"],
        )
    except services.ImportRejected as error:  # the registry changed since the preview and now refuses it
        return _rejected(request, error, token=token)
    except ConflictError as error:
        messages.error(request, error.message)
        return _preview_again(
            request, content=content, token=token, status=error.status_code, year=form.cleaned_data["year"]
        )
    importing.discard_upload(user=request.user, token=token)
    messages.success(
        request,
        _("导入完成：新建 %(created)d 个项目，更新 %(updated)d 个，%(unchanged)d 个无变化。")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect("projects:import")


# --- campaign years (the office) ---------------------------------------------------------------------------


def _years_page(request, *, form=None, status=200):
    return render(
        request,
        "projects/years.html",
        {"years": selectors.campaign_years(), "form": form or YearOpenForm()},
        status=status,
    )


@require_GET
@role_required(Role.ADMIN)
def years(request):
    """项目年度: the years opened, the current one, and where to open a year or carry projects over."""
    return _years_page(request)


@require_POST
@role_required(Role.ADMIN)
def year_open(request):
    form = YearOpenForm(request.POST)
    done = submit(
        request,
        form,
        lambda data: services.campaign_year_open(actor=request.user, year=data["year"], title=data["title"]),
        success=_("年度已开启，并设为当前年度。"),
    )
    if done is None:
        return _years_page(request, form=form, status=400)
    return redirect("projects:years")


@require_POST
@role_required(Role.ADMIN)
def year_current(request, year: int):
    form = forms.Form(request.POST)
    done = submit(
        request,
        form,
        lambda data: services.campaign_year_make_current(actor=request.user, year=year),
        success=_("当前年度已更改。"),
    )
    if done is None:
        for message in form.non_field_errors():
            messages.error(request, message)
    return redirect("projects:years")


def _carry_page(request, *, year: int, form=None, plan=None, status=200):
    if plan is None:
        plan = services.projects_carry_over_preview(actor=request.user, year=year)
    form = form or CarryOverForm(candidates=plan.candidates)
    return render(
        request, "projects/carry_over.html", {"year": year, "plan": plan, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def carry_over(request, year: int):
    """Choose which unfinished projects of the year before ``year`` carry over, and preview the new codes
    they get; nothing is written until the office confirms (``carry_over_confirm``)."""
    get_object_or_404(CampaignYear, year=year)
    if request.method == "GET":
        return _carry_page(request, year=year)
    empty = services.projects_carry_over_preview(actor=request.user, year=year)
    form = CarryOverForm(request.POST, candidates=empty.candidates)
    if not form.is_valid():
        return _carry_page(request, year=year, form=form, plan=empty, status=400)
    plan = services.projects_carry_over_preview(
        actor=request.user, year=year, codes=form.cleaned_data["projects"]
    )
    form = CarryOverForm(initial={"projects": form.cleaned_data["projects"]}, candidates=plan.candidates)
    return _carry_page(request, year=year, form=form, plan=plan)


@require_POST
@role_required(Role.ADMIN)
def carry_over_confirm(request, year: int):
    get_object_or_404(CampaignYear, year=year)
    empty = services.projects_carry_over_preview(actor=request.user, year=year)
    form = CarryOverForm(request.POST, candidates=empty.candidates)
    if not form.is_valid() or not form.cleaned_data.get("digest"):
        messages.error(request, _("转入的项目已有变化，请重新选择并预览。"))
        return redirect("projects:carry-over", year=year)
    codes = form.cleaned_data["projects"]
    try:
        created = services.projects_carry_over(
            actor=request.user, year=year, codes=codes, expected_digest=form.cleaned_data["digest"]
        )
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("projects:carry-over", year=year)
    messages.success(request, _("已转入 %(n)d 个续建项目。") % {"n": len(created)})
    return redirect("projects:years")
