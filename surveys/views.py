"""Pages of the surveys app. Thin: a form shapes the input, ``jiangyan.core.forms.submit`` calls the service
and puts its errors on the form, a selector reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiangyan.core.forms import submit_outcome
from jiangyan.core.pagecache import cached_page
from jiangyan.core.pagination import list_page
from jiangyan.core.permissions import role_required
from jiangyan.core.roles import Role, has_role, is_admin
from jiangyan.core.scoping import get_editable_or_404, get_visible_or_404
from jiangyan.core.site import duty_sections, sections_context
from jiangyan.core.throttling import limited, submit_limiter
from jiangyan.helpers.xlsx import content_disposition, xlsx_response
from jiangyan.models import AuditEvent

from . import selectors, services, spreadsheets
from .filtersets import DutyItemFilterSet, ProblemItemFilterSet, SuggestionFilterSet, SurveyFilterSet
from .forms import (
    CodingForm,
    DutyItemForm,
    DutyStatusForm,
    ImportForm,
    LinkProjectsForm,
    SuggestionForm,
    SuggestionItemsForm,
    SurveyAnswerForm,
)
from .models import DutyItem, ProblemItem, Suggestion, Survey

STAFF_ROLES = (Role.COMMUNITY_STAFF,)
READ_ROLES = (Role.SUPERVISOR,)  # admins hold every role
LIST_ROLES = (Role.SUPERVISOR, Role.UNIT_STAFF)


def _survey_for(request, pk: int) -> Survey:
    return get_visible_or_404(Survey.objects, request.user, pk=pk)


def _xlsx(file, filename: str) -> FileResponse:
    response = FileResponse(file, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


# --- answering ------------------------------------------------------------------------------------------


@require_GET
@cached_page(topics=("surveys",), filterset=SurveyFilterSet)
def survey_list(request):
    filterset = SurveyFilterSet(request.GET, queryset=selectors.survey_list(user=request.user))
    now = timezone.now()
    surveys = list(filterset.qs)
    open_now = {s.pk for s in surveys if s.published and s.opens_at <= now < s.closes_at}
    return render(
        request,
        "surveys/survey_list.html",
        {
            "filter": filterset,
            "open_surveys": [s for s in surveys if s.pk in open_now],
            "other_surveys": [s for s in surveys if s.pk not in open_now],
        },
    )


ANSWERED_SESSION_KEY = "answered_surveys"


@require_http_methods(["GET", "POST"])
@limited(submit_limiter, message=gettext_lazy("提交过于频繁，请稍后再试。"))
def survey_answer(request, pk: int):
    survey = _survey_for(request, pk)
    questions = list(survey.questions.prefetch_related("options"))
    closed_reason = survey.window_error()
    # A second visit is told at once, before the questions, not after filling them in again: an account
    # (or its phone) that answered is refused; a browser that sent an answer is told so, and may still
    # answer for somebody else in the family (``?another=1``) — the phone number decides on submission.
    answered_by_account = not closed_reason and selectors.has_answered(survey=survey, user=request.user)
    answered_here = survey.pk in request.session.get(ANSWERED_SESSION_KEY, [])
    already_answered = answered_by_account or (
        answered_here and request.method == "GET" and not request.GET.get("another")
    )
    form = SurveyAnswerForm(
        request.POST or None,
        survey=survey,
        questions=questions,
        anonymous=not request.user.is_authenticated,
        initial={"community": getattr(request.user, "community_id", None)},
    )
    status = 200
    if request.method == "POST":
        if closed_reason:
            messages.error(request, _("%(reason)s，不能提交。") % {"reason": closed_reason})
            status = 400
        elif answered_by_account:
            status = 409
        else:  # within the limit (LimitsMiddleware took it before the body was read)
            outcome = submit_outcome(
                request,
                form,
                lambda _data: services.response_submit(
                    actor=request.user, survey=survey, **form.submission()
                ),
                announce=True,
            )
            if outcome.done:
                answered = request.session.get(ANSWERED_SESSION_KEY, [])
                request.session[ANSWERED_SESSION_KEY] = [*answered, survey.pk]
                return redirect("surveys:thanks", pk=survey.pk)
            status = outcome.status
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "form": form,
            "closed_reason": closed_reason,
            "already_answered": already_answered,
            "may_answer_for_another": already_answered and not answered_by_account,
            "survey_ended": survey.closes_at <= timezone.now(),
            "login_needed": not survey.allow_anonymous and not request.user.is_authenticated,
            # The form is drawn for exactly the moves this person may make now (``choices.SURVEY_MOVES``).
            "actions": selectors.survey_actions_for(request.user, survey),
        },
        status=status,
    )


@require_GET
def survey_thanks(request, pk: int):
    return render(request, "surveys/thanks.html", {"survey": _survey_for(request, pk)})


@role_required(*STAFF_ROLES)
@require_http_methods(["GET", "POST"])
def survey_enter(request, pk: int):
    """Community staff (their community) and the office (any) enter paper questionnaires."""
    survey = _survey_for(request, pk)
    questions = list(survey.questions.prefetch_related("options"))
    fixed = None if is_admin(request.user) else request.user.community
    if fixed is None and not is_admin(request.user):
        raise PermissionDenied(_("您的账号未关联社区，不能录入问卷。"))
    form = SurveyAnswerForm(
        request.POST or None,
        survey=survey,
        questions=questions,
        staff=True,
        fixed_community=fixed,
        anonymous=False,
    )
    status = 200
    if request.method == "POST":
        outcome = submit_outcome(
            request,
            form,
            lambda _data: services.response_submit(actor=request.user, survey=survey, **form.submission()),
            success=_("已录入一份问卷，可继续录入下一份。"),
            announce=True,
        )
        if outcome.done:
            return redirect("surveys:enter", pk=survey.pk)
        status = outcome.status
    return render(
        request,
        "surveys/enter.html",
        {
            "survey": survey,
            "form": form,
            "closed_reason": survey.window_error(),
            "actions": selectors.survey_actions_for(request.user, survey),
        },
        status=status,
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def survey_import(request, pk: int):
    survey = _survey_for(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    status = 200
    if request.method == "POST":
        outcome = submit_outcome(
            request,
            form,
            lambda data: services.responses_import(actor=request.user, survey=survey, file=data["file"]),
            announce=True,
        )
        if outcome.done:
            messages.success(request, _("已导入 %(n)d 份问卷。") % {"n": outcome.result})
            return redirect("surveys:import", pk=survey.pk)
        row_errors = outcome.error.fields.get("file", []) if outcome.error else []
        status = outcome.status
    return render(
        request,
        "surveys/import.html",
        {"survey": survey, "form": form, "row_errors": row_errors},
        status=status,
    )


@role_required(Role.ADMIN)
@require_GET
def survey_import_template(request, pk: int):
    survey = _survey_for(request, pk)
    workbook = spreadsheets.import_template(list(survey.questions.prefetch_related("options")))
    return xlsx_response(workbook, _("%(title)s-导入模板.xlsx") % {"title": survey.title})


# --- analytics and exports ------------------------------------------------------------------------------


@role_required(*READ_ROLES)
@require_GET
def analytics_index(request):
    """Opens the survey with the most responses (the district survey, not the latest one-answer test)."""
    survey = selectors.most_answered_survey(user=request.user)
    if survey is None:
        raise Http404(_("暂无问卷"))
    return redirect("surveys:analytics", pk=survey.pk)


@role_required(*READ_ROLES)
@require_GET
def survey_analytics(request, pk: int):
    survey = _survey_for(request, pk)
    data = selectors.survey_analytics(survey)
    return render(request, "surveys/analytics.html", {"survey": survey, "data": data})


@role_required(*READ_ROLES)
@require_GET
def survey_analytics_json(request, pk: int):
    survey = _survey_for(request, pk)
    return JsonResponse(selectors.survey_analytics(survey), json_dumps_params={"ensure_ascii": False})


@role_required(*READ_ROLES)
@require_GET
def export_responses(request, pk: int):
    survey = _survey_for(request, pk)
    header, rows = selectors.responses_table(survey)
    filename = _("%(title)s-答卷.xlsx") % {"title": survey.title}
    heading = _("%(title)s · 答卷") % {"title": survey.title}
    return _xlsx(spreadsheets.rows_file(header, rows, title=_("答卷"), heading=heading), filename)


@role_required(*READ_ROLES)
@require_GET
def export_suggestions(request):
    survey = None
    if request.GET.get("survey", "").isdigit():
        survey = _survey_for(request, int(request.GET["survey"]))
    header, rows = selectors.coded_suggestions_table(survey)
    source = survey.title if survey else _("全部问卷")
    filename = _("%(title)s-已编码建议.xlsx") % {"title": source}
    heading = _("%(title)s · 已编码建议") % {"title": source}
    return _xlsx(spreadsheets.rows_file(header, rows, title=_("已编码建议"), heading=heading), filename)


# --- suggestions and coding -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@limited(submit_limiter, message=gettext_lazy("提交过于频繁，请稍后再试。"))
def suggest(request):
    form = SuggestionForm(
        request.POST or None, initial={"community": getattr(request.user, "community_id", None)}
    )
    status = 200
    if request.method == "POST":  # within the limit (LimitsMiddleware took it before the body was read)
        outcome = submit_outcome(
            request,
            form,
            lambda data: services.suggestion_submit(
                actor=request.user, text=data["text"], community=data.get("community")
            ),
            success=_("感谢您的建议！收藏本页，可随时查看它被转化为哪些实事。"),
        )
        if outcome.done:
            return redirect(outcome.result)
        status = outcome.status
    return render(request, "surveys/suggest.html", {"form": form}, status=status)


@require_GET
@cached_page(topics=("surveys", "trace"))
def suggestion_detail(request, pk: int):
    """Public: the chain suggestion → problem item → duty items → projects (text only, no personal data)."""
    suggestion = get_visible_or_404(
        Suggestion.objects.select_related("problem_item__category", "community__town"), request.user, pk=pk
    )
    chain = selectors.suggestion_chain(suggestion, user=request.user)
    events = AuditEvent.objects.for_object(suggestion) if is_admin(request.user) else None
    return render(
        request, "surveys/suggestion_detail.html", {"suggestion": suggestion, "events": events, **chain}
    )


def _code_many(request) -> None:
    """The bulk bar, or one candidate's button: the chosen suggestions into one problem item."""
    form = CodingForm(request.POST)
    outcome = submit_outcome(
        request,
        form,
        lambda data: services.suggestions_code(
            actor=request.user,
            problem_item=data["problem_item"],
            suggestion_ids=[s.pk for s in data["suggestions"]],
        ),
        announce=True,
    )
    if outcome.done:
        item = form.cleaned_data["problem_item"]
        messages.success(
            request,
            _("已将 %(n)d 条建议编码为 %(code)s %(title)s。")
            % {"n": outcome.result, "code": item.code, "title": item.title},
        )
    elif outcome.form_invalid:
        messages.error(request, next(iter(form.errors.values()))[0])


def _code_items(request) -> None:
    """One suggestion into several problem items (it names more than one problem)."""
    form = SuggestionItemsForm(request.POST)
    outcome = submit_outcome(
        request,
        form,
        lambda data: services.suggestion_code(
            actor=request.user, suggestion=data["suggestion"], problem_items=data["problem_items"]
        ),
        announce=True,
    )
    if outcome.done:
        messages.success(
            request,
            _("已将建议 #%(id)d 编码为 %(codes)s。")
            % {
                "id": outcome.result.pk,
                "codes": "、".join(i.code for i in form.cleaned_data["problem_items"]),
            },
        )
    elif outcome.form_invalid:
        messages.error(request, next(iter(form.errors.values()))[0])


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def coding(request):
    if request.method == "POST":
        if request.POST.get("action") == "items":
            _code_items(request)
        else:
            _code_many(request)
        return redirect(f"{reverse('surveys:coding')}?{request.POST.get('back', '')}")

    uncoded = selectors.suggestion_list(user=request.user, uncoded=True)
    context = list_page(request, uncoded, SuggestionFilterSet, per_page=20)
    return render(
        request,
        "surveys/coding.html",
        {
            **context,
            "rows": selectors.coding_rows(list(context["page_obj"].object_list)),
            "all_items": selectors.coding_item_choices(),
            "uncoded_total": uncoded.count(),
            "back": request.GET.urlencode(),
        },
    )


# --- problem list and duty list -------------------------------------------------------------------------


@role_required(*LIST_ROLES)
@require_GET
def problem_list(request):
    context = list_page(
        request, selectors.problem_item_list(user=request.user), ProblemItemFilterSet, per_page=50
    )
    page = context["page_obj"]
    links = selectors.project_links([i.pk for i in page.object_list], user=request.user)
    for item in page.object_list:
        item.linked_projects = links.get(item.pk, [])
    return render(
        request,
        "surveys/problem_list.html",
        {**context, "funnel": selectors.conversion_funnel()},
    )


@role_required(*LIST_ROLES)
@require_http_methods(["GET", "POST"])
def problem_detail(request, pk: int):
    item = get_visible_or_404(ProblemItem.objects.select_related("category"), request.user, pk=pk)
    duty_form = DutyItemForm(prefix="duty")
    link_form = LinkProjectsForm(prefix="link", initial={"projects": [p.code for p in item.projects.all()]})
    status = 200
    if request.method == "POST":
        if not is_admin(request.user):
            raise PermissionDenied(_("只有办公室可以转化问题清单。"))
        outcome = None
        if request.POST.get("action") == "add_duty":
            duty_form = DutyItemForm(request.POST, prefix="duty")
            outcome = submit_outcome(
                request,
                duty_form,
                lambda data: services.duty_item_create(actor=request.user, problem_item=item, **data),
                success=_("已新增履职事项。"),
                announce=True,
            )
        elif request.POST.get("action") == "link_projects":
            link_form = LinkProjectsForm(request.POST, prefix="link")
            outcome = submit_outcome(
                request,
                link_form,
                lambda data: services.problem_item_link_projects(
                    actor=request.user, problem_item=item, projects=data["projects"]
                ),
                success=_("已更新转化项目。"),
                announce=True,
            )
        if outcome is not None and outcome.done:
            return redirect(item)
        status = outcome.status if outcome is not None else 400
    return render(
        request,
        "surveys/problem_detail.html",
        {
            "item": item,
            **selectors.problem_item_page(item, user=request.user),
            "duty_form": duty_form,
            "link_form": link_form,
            "events": AuditEvent.objects.for_object(item),
        },
        status=status,
    )


@role_required(*LIST_ROLES)
@require_GET
def duty_list(request):
    context = list_page(request, selectors.duty_item_list(user=request.user), DutyItemFilterSet, per_page=30)
    for duty_item in context["page_obj"].object_list:
        # Per row, the statuses its moves lead to (``choices.DUTY_MOVES``), its own first.
        duty_item.status_choices = selectors.duty_item_statuses_for(request.user, duty_item)
    return render(
        request,
        "surveys/duty_list.html",
        {
            **context,
            "editable": selectors.editable_duty_item_ids(
                user=request.user, duty_items=list(context["page_obj"].object_list)
            ),
        },
    )


@role_required(*LIST_ROLES)
@require_http_methods(["GET", "POST"])
def duty_detail(request, pk: int):
    duty_item = get_visible_or_404(
        DutyItem.objects.select_related("unit", "problem_item__category"), request.user, pk=pk
    )
    can_edit = DutyItem.objects.editable_by(request.user).filter(pk=pk).exists()
    # The status choices are exactly the moves this person may make now (``choices.DUTY_MOVES``).
    statuses = selectors.duty_item_statuses_for(request.user, duty_item)
    form = DutyStatusForm(
        initial={"status": duty_item.status, "progress_note": duty_item.progress_note}, statuses=statuses
    )
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只能办理本单位的履职事项。"))
        form = DutyStatusForm(request.POST)  # every status: a refused move is the service's 409
        outcome = submit_outcome(
            request,
            form,
            lambda data: services.duty_item_update(actor=request.user, duty_item=duty_item, **data),
            success=_("已更新履职事项。"),
        )
        if outcome.done:
            return redirect(duty_item.get_absolute_url())
        status = outcome.status
    return render(
        request,
        "surveys/duty_detail.html",
        {
            "duty": duty_item,
            "form": form,
            "can_edit": can_edit,
            "projects": duty_item.projects.all(),
            "events": AuditEvent.objects.for_object(duty_item),
            "has_role_admin": has_role(request.user, Role.ADMIN),
            **sections_context(duty_sections(), request.user, duty_item),
        },
        status=status,
    )


@role_required(*LIST_ROLES)
@require_POST
def duty_status(request, pk: int):
    """The one-line status form of the duty list (it has no note field: the note is then kept)."""
    duty_item = get_editable_or_404(DutyItem.objects.select_related("problem_item"), request.user, pk=pk)
    form = DutyStatusForm(request.POST)
    keep_note = "progress_note" not in request.POST
    outcome = submit_outcome(
        request,
        form,
        lambda data: services.duty_item_update(
            actor=request.user,
            duty_item=duty_item,
            status=data["status"],
            progress_note=None if keep_note else data["progress_note"],
        ),
        success=_("已更新：%(title)s") % {"title": duty_item.problem_item.title},
        announce=True,
    )
    if outcome.form_invalid:
        messages.error(request, _("状态无效。"))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/surveys/duties/") else reverse("surveys:duties"))
