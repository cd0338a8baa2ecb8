"""Pages of the surveys app. Thin: forms shape input, services write, selectors read."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiangyan.exceptions import ApplicationError, add_error_to_form
from jiangyan.models import AuditEvent
from jiangyan.permissions import role_required
from jiangyan.roles import Role, has_role, is_admin
from jiangyan.throttling import submit_limiter

from . import selectors, services
from .coding import rank_suggestions
from .filtersets import DutyItemFilterSet, ProblemItemFilterSet, SuggestionFilterSet
from .forms import (
    DutyItemForm,
    DutyStatusForm,
    ImportForm,
    LinkProjectsForm,
    SuggestionForm,
    SurveyAnswerForm,
)
from .models import DutyItem, ProblemItem, Suggestion, Survey

STAFF_ROLES = (Role.COMMUNITY_STAFF,)
READ_ROLES = (Role.SUPERVISOR,)  # admins hold every role


def _survey_for(request, pk: int) -> Survey:
    return get_object_or_404(Survey.objects.visible_to(request.user), pk=pk)


# --- answering ------------------------------------------------------------------------------------------


@require_GET
def survey_list(request):
    now = timezone.now()
    surveys = list(Survey.objects.visible_to(request.user).annotate(n_responses=Count("responses")))
    return render(
        request,
        "surveys/survey_list.html",
        {
            "open_surveys": [s for s in surveys if s.opens_at <= now < s.closes_at and s.published],
            "other_surveys": [s for s in surveys if not (s.opens_at <= now < s.closes_at and s.published)],
        },
    )


@require_http_methods(["GET", "POST"])
def survey_answer(request, pk: int):
    survey = _survey_for(request, pk)
    questions = list(survey.questions.prefetch_related("options"))
    closed_reason = survey.window_error()
    login_needed = not survey.allow_anonymous and not request.user.is_authenticated
    anonymous = not request.user.is_authenticated
    form = SurveyAnswerForm(
        request.POST or None,
        survey=survey,
        questions=questions,
        anonymous=anonymous,
        initial={"community": getattr(request.user, "community_id", None)},
    )
    status = 200
    if request.method == "POST":
        if closed_reason:
            messages.error(request, f"{closed_reason}，不能提交。")
            status = 400
        elif submit_limiter.over_limit_after_hit(request):
            messages.error(request, _("提交过于频繁，请稍后再试。"))
            status = 429
        elif form.is_valid():
            try:
                services.response_submit(
                    survey=survey,
                    answers=form.answers(),
                    actor=request.user,
                    phone=form.cleaned_data.get("phone") or "",
                    community=form.cleaned_data.get("community"),
                )
            except ApplicationError as exc:
                add_error_to_form(form, exc)
                messages.error(request, exc.message)
                status = exc.status_code
            else:
                return redirect("surveys:thanks", pk=survey.pk)
        else:
            status = 400
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "form": form,
            "closed_reason": closed_reason,
            "login_needed": login_needed,
        },
        status=status,
    )


@require_GET
def survey_thanks(request, pk: int):
    survey = _survey_for(request, pk)
    return render(request, "surveys/thanks.html", {"survey": survey})


@role_required(*STAFF_ROLES)
@require_http_methods(["GET", "POST"])
def survey_enter(request, pk: int):
    """Community staff (their community) and the office (any) enter paper questionnaires."""
    survey = _survey_for(request, pk)
    questions = list(survey.questions.prefetch_related("options"))
    fixed = None if is_admin(request.user) else request.user.community
    if fixed is None and not is_admin(request.user):
        raise PermissionDenied("您的账号未关联社区，不能录入问卷。")
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
        if form.is_valid():
            try:
                services.response_submit(
                    survey=survey,
                    answers=form.answers(),
                    actor=request.user,
                    phone=form.cleaned_data.get("phone") or "",
                    community=form.cleaned_data.get("community") or fixed,
                    channel=form.cleaned_data["channel"],
                )
            except ApplicationError as exc:
                add_error_to_form(form, exc)
                messages.error(request, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("已录入一份问卷，可继续录入下一份。"))
                return redirect("surveys:enter", pk=survey.pk)
        else:
            status = 400
    return render(
        request,
        "surveys/enter.html",
        {
            "survey": survey,
            "form": form,
            "closed_reason": survey.window_error(),
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
        if form.is_valid():
            try:
                count = services.responses_import(
                    survey=survey, file=form.cleaned_data["file"], actor=request.user
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
                row_errors = exc.fields.get("file", [])
                status = 400
            else:
                messages.success(request, f"已导入 {count} 份问卷。")
                return redirect("surveys:import", pk=survey.pk)
        else:
            status = 400
    return render(
        request,
        "surveys/import.html",
        {"survey": survey, "form": form, "row_errors": row_errors},
        status=status,
    )


def _xlsx_response(filename: str, header: list[str], rows, title: str) -> FileResponse:
    """A write-only workbook spooled to a temporary file (memory stays flat for 100,000 rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@role_required(Role.ADMIN)
@require_GET
def survey_import_template(request, pk: int):
    survey = _survey_for(request, pk)
    questions = list(survey.questions.prefetch_related("options"))
    header = [*services.IMPORT_FIXED_COLUMNS, *[services.import_header(q) for q in questions]]
    notes = [["题目", "题型", "必答", "可选答案（多选用；分隔）"]] + [
        [
            services.import_header(q),
            str(q.get_kind_display()),
            "是" if q.required else "否",
            "；".join(o.text for o in q.options.all()) or ("1–5" if q.kind == "rating" else ""),
        ]
        for q in questions
    ]
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "答卷"
    sheet.append(header)
    help_sheet = workbook.create_sheet("填写说明")
    for row in notes:
        help_sheet.append(row)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-template.xlsx"'
    workbook.save(response)
    return response


# --- analytics and exports ------------------------------------------------------------------------------


@role_required(*READ_ROLES)
@require_GET
def analytics_index(request):
    survey = Survey.objects.visible_to(request.user).first()
    if survey is None:
        raise Http404("暂无问卷")
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
    return _xlsx_response(f"survey-{survey.pk}-responses.xlsx", header, rows, "答卷")


@role_required(*READ_ROLES)
@require_GET
def export_suggestions(request):
    survey = None
    if request.GET.get("survey", "").isdigit():
        survey = _survey_for(request, int(request.GET["survey"]))
    header, rows = selectors.coded_suggestions_table(survey)
    return _xlsx_response("coded-suggestions.xlsx", header, rows, "已编码建议")


# --- suggestions and coding -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def suggest(request):
    form = SuggestionForm(
        request.POST or None, initial={"community": getattr(request.user, "community_id", None)}
    )
    status = 200
    if request.method == "POST":
        if submit_limiter.over_limit_after_hit(request):
            messages.error(request, _("提交过于频繁，请稍后再试。"))
            status = 429
        elif form.is_valid():
            try:
                suggestion = services.suggestion_submit(
                    text=form.cleaned_data["text"],
                    community=form.cleaned_data.get("community"),
                    actor=request.user,
                )
            except ApplicationError as exc:
                add_error_to_form(form, exc)
                status = 400
            else:
                messages.success(request, _("感谢您的建议！收藏本页，可随时查看它被转化为哪些实事。"))
                return redirect(suggestion)
        else:
            status = 400
    return render(request, "surveys/suggest.html", {"form": form}, status=status)


@require_GET
def suggestion_detail(request, pk: int):
    """Public: the chain suggestion → problem item → duty items → projects (text only, no personal data)."""
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("problem_item__category", "community__town"), pk=pk
    )
    chain = selectors.suggestion_chain(suggestion)
    events = AuditEvent.objects.for_object(suggestion) if is_admin(request.user) else None
    return render(
        request, "surveys/suggestion_detail.html", {"suggestion": suggestion, "events": events, **chain}
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def coding(request):
    if request.method == "POST":
        ids = request.POST.getlist("suggestions")
        item = ProblemItem.objects.filter(pk=request.POST.get("problem_item") or 0).first()
        if item is None:
            messages.error(request, _("请选择问题清单条目。"))
        else:
            try:
                count = services.suggestions_code(
                    suggestion_ids=[i for i in ids if str(i).isdigit()], problem_item=item, actor=request.user
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"已将 {count} 条建议编码为 {item.code} {item.title}。")
        return redirect(f"{reverse('surveys:coding')}?{request.POST.get('back', '')}")

    filterset = SuggestionFilterSet(
        request.GET, queryset=Suggestion.objects.uncoded().select_related("community__town", "survey")
    )
    page = Paginator(filterset.qs.order_by("id"), 20).get_page(request.GET.get("page"))
    candidates = rank_suggestions(page.object_list)
    items = ProblemItem.objects.in_bulk({c.item_id for cs in candidates.values() for c in cs})
    rows = [
        {"suggestion": s, "candidates": [(items[c.item_id], c.score) for c in candidates.get(s.pk, [])]}
        for s in page.object_list
    ]
    return render(
        request,
        "surveys/coding.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "all_items": ProblemItem.objects.select_related("category").only(
                "id", "code", "title", "category__name"
            ),
            "uncoded_total": Suggestion.objects.uncoded().count(),
            "back": request.GET.urlencode(),
        },
    )


# --- problem list and duty list -------------------------------------------------------------------------


@role_required(Role.SUPERVISOR, Role.UNIT_STAFF)
@require_GET
def problem_list(request):
    queryset = selectors.problem_items_with_status(ProblemItem.objects.visible_to(request.user))
    filterset = ProblemItemFilterSet(request.GET, queryset=queryset)
    page = Paginator(filterset.qs.order_by("code"), 50).get_page(request.GET.get("page"))
    links = selectors.project_links([i.pk for i in page.object_list])
    for item in page.object_list:
        item.linked_projects = links.get(item.pk, [])
    return render(
        request,
        "surveys/problem_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "funnel": selectors.conversion_funnel(),
        },
    )


@role_required(Role.SUPERVISOR, Role.UNIT_STAFF)
@require_http_methods(["GET", "POST"])
def problem_detail(request, pk: int):
    item = get_object_or_404(ProblemItem.objects.visible_to(request.user).select_related("category"), pk=pk)
    duty_form = DutyItemForm(prefix="duty")
    link_form = LinkProjectsForm(prefix="link", initial={"projects": [p.code for p in item.projects.all()]})
    if request.method == "POST":
        if not is_admin(request.user):
            raise PermissionDenied("只有办公室可以转化问题清单。")
        try:
            if request.POST.get("action") == "add_duty":
                duty_form = DutyItemForm(request.POST, prefix="duty")
                if duty_form.is_valid():
                    services.duty_item_create(problem_item=item, actor=request.user, **duty_form.cleaned_data)
                    messages.success(request, _("已新增履职事项。"))
                    return redirect(item)
            elif request.POST.get("action") == "link_projects":
                link_form = LinkProjectsForm(request.POST, prefix="link")
                if link_form.is_valid():
                    services.problem_item_link_projects(
                        problem_item=item, projects=link_form.cleaned_data["projects"], actor=request.user
                    )
                    messages.success(request, _("已更新转化项目。"))
                    return redirect(item)
        except ApplicationError as exc:
            add_error_to_form(duty_form, exc)
            messages.error(request, exc.message)
    suggestions = item.suggestions.select_related("community__town").order_by("-submitted_at", "-id")
    return render(
        request,
        "surveys/problem_detail.html",
        {
            "item": item,
            "suggestions": suggestions[:50],
            "suggestion_count": suggestions.count(),
            "duty_items": item.duty_items.select_related("unit").prefetch_related("projects"),
            "projects": selectors.project_links([item.pk]).get(item.pk, []),
            "duty_form": duty_form,
            "link_form": link_form,
            "events": AuditEvent.objects.for_object(item),
        },
    )


@role_required(Role.SUPERVISOR, Role.UNIT_STAFF)
@require_GET
def duty_list(request):
    queryset = DutyItem.objects.visible_to(request.user).select_related("unit", "problem_item__category")
    filterset = DutyItemFilterSet(request.GET, queryset=queryset)
    page = Paginator(filterset.qs.order_by("deadline", "id"), 30).get_page(request.GET.get("page"))
    editable = set(
        DutyItem.objects.editable_by(request.user)
        .filter(pk__in=[d.pk for d in page.object_list])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "surveys/duty_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "editable": editable,
            "statuses": DutyStatusForm.base_fields["status"].choices,
        },
    )


@role_required(Role.SUPERVISOR, Role.UNIT_STAFF)
@require_http_methods(["GET", "POST"])
def duty_detail(request, pk: int):
    duty_item = get_object_or_404(
        DutyItem.objects.visible_to(request.user).select_related("unit", "problem_item__category"), pk=pk
    )
    can_edit = DutyItem.objects.editable_by(request.user).filter(pk=pk).exists()
    form = DutyStatusForm(initial={"status": duty_item.status, "progress_note": duty_item.progress_note})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只能办理本单位的履职事项。")
        form = DutyStatusForm(request.POST)
        if form.is_valid():
            try:
                services.duty_item_update(duty_item=duty_item, actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                add_error_to_form(form, exc)
            else:
                messages.success(request, _("已更新履职事项。"))
                return redirect(duty_item.get_absolute_url())
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
        },
    )


@role_required(Role.SUPERVISOR, Role.UNIT_STAFF)
@require_POST
def duty_status(request, pk: int):
    """The one-line status form of the duty list."""
    duty_item = get_object_or_404(DutyItem.objects.editable_by(request.user), pk=pk)
    form = DutyStatusForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["progress_note"] if "progress_note" in request.POST else None
        services.duty_item_update(
            duty_item=duty_item, actor=request.user, status=form.cleaned_data["status"], progress_note=note
        )
        messages.success(request, f"已更新：{duty_item.problem_item.title}")
    else:
        messages.error(request, _("状态无效。"))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/surveys/duties/") else reverse("surveys:duties"))
