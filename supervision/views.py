"""Pages of the supervision loop. Thin: a form shapes the input, ``jiangyan.core.forms.submit`` calls the
service and puts its refusal on the form, a selector reads."""

import json
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiangyan.core.forms import submit, submit_outcome
from jiangyan.core.pagecache import cached_page, remember
from jiangyan.core.pagination import list_page
from jiangyan.core.permissions import role_required
from jiangyan.core.roles import Role, has_role
from jiangyan.core.scoping import Share, get_editable_or_404, get_object_or_404, get_visible_or_404
from jiangyan.helpers.xlsx import xlsx_response
from projects import selectors as projects

from . import dashboard, reports, selectors, services, spreadsheets
from .choices import ReportKind
from .filtersets import (
    ContactPointFilterSet,
    DashboardFilterSet,
    InspectionFilterSet,
    OrderFilterSet,
    ReportFilterSet,
)
from .forms import (
    AnswerForm,
    CloseForm,
    ContactPointForm,
    InspectionForm,
    LeaderForm,
    OrderIssueForm,
    ReturnForm,
)
from .models import ContactPoint, Inspection, Report, SupervisionOrder

ORDER_ROLES = (Role.SUPERVISOR, Role.UNIT_STAFF, Role.COMMUNITY_STAFF)


def _filtered_list(request, filterset_class, queryset, template: str):
    """A list page: the app's FilterSet over the list's selector, paginated."""
    return render(request, template, list_page(request, queryset, filterset_class))


def _run(request, call: Callable[[dict], object], *, success: str) -> bool:
    """A button without fields: the service's refusal becomes a message on the page it comes back to."""
    form = forms.Form(request.POST)
    if submit(request, form, call, success=success) is not None:
        return True
    for message in form.non_field_errors():
        messages.error(request, message)
    return False


# --- dashboard -----------------------------------------------------------------------------------------


# What the dashboard shows: every registry's figures, the supervision loop and the stored bulletins' totals
# (behind over time) (``jiangyan.core.pagecache``).
DASHBOARD_TOPICS = ("projects", "wishes:any", "surveys", "trace", "supervision", "reports")


def _supervisors(user) -> Share:
    """Every supervisor (and admin) sees the same dashboard."""
    return Share("supervisors")


@require_GET
@role_required(Role.SUPERVISOR)
@cached_page(topics=DASHBOARD_TOPICS, public=False, share=_supervisors, filterset=DashboardFilterSet)
def dashboard_view(request):
    # The same page for every supervisor: computed and rendered once per change of what it shows, day,
    # campaign year and language (jiangyan.core.pagecache); only the header around it is the reader's.
    filterset = DashboardFilterSet(request.GET or None)
    chosen = projects.year_of(request.GET.get("year")) or projects.current_year()
    year = chosen.year if chosen else None
    earlier = chosen is not None and not chosen.is_current

    def body() -> str:
        data = dashboard.dashboard(year=year, earlier=earlier)
        charts = {name: json.dumps(option, ensure_ascii=False) for name, option in data["charts"].items()}
        return render_to_string("supervision/_dashboard.html", {"d": data, "charts": charts})

    html = remember(
        "dashboard", body, timezone.localdate(), year, request.LANGUAGE_CODE, topics=DASHBOARD_TOPICS
    )
    return render(
        request,
        "supervision/dashboard.html",
        {"body": mark_safe(html), "filter": filterset, "year": chosen},  # noqa: S308 (our template)
    )


# --- reports (supervisors) and bulletins (everybody) ------------------------------------------------------


@require_GET
@role_required(Role.SUPERVISOR)
def report_list(request):
    return _filtered_list(
        request, ReportFilterSet, selectors.report_list(user=request.user), "supervision/report_list.html"
    )


@require_GET
@role_required(Role.SUPERVISOR)
def report_detail(request, pk: int):
    report = get_visible_or_404(Report.objects, request.user, pk=pk)
    return render(
        request,
        "supervision/report_detail.html",
        {
            "report": report,
            "body": reports.body(report),  # the stored page in Chinese, from its data in another language
            "events": selectors.report_history(report),
            # The buttons drawn: exactly the moves this person may make now (``choices.REPORT_MOVES``).
            "actions": selectors.report_actions_for(request.user, report),
        },
    )


REPORT_ACTIONS = {
    "approve": (services.report_approve, gettext_lazy("报告已审核。")),
    "publish": (services.report_publish, gettext_lazy("通报已向社会公布。")),
}


@require_POST
@role_required(Role.SUPERVISOR)
def report_action(request, pk: int, name: str):
    report = get_editable_or_404(Report.objects, request.user, pk=pk)
    if name == "regenerate":
        period = services.report_period(report.kind, report.period_start)
        _run(
            request,
            lambda data: services.report_generate(actor=request.user, kind=report.kind, period=period),
            success=_("报告已按最新数据重新生成。"),
        )
    elif name in REPORT_ACTIONS:
        service, success = REPORT_ACTIONS[name]
        _run(request, lambda data: service(actor=request.user, report=report), success=str(success))
    else:
        raise Http404
    return redirect("supervision:report", pk=report.pk)


@require_GET
@role_required(Role.SUPERVISOR)
def report_xlsx(request, pk: int):
    report = get_visible_or_404(Report.objects, request.user, pk=pk)
    return xlsx_response(spreadsheets.report_workbook(report), spreadsheets.report_filename(report))


@require_GET
@role_required(Role.UNIT_STAFF, Role.COMMUNITY_STAFF)
def report_mine(request, pk: int):
    """A unit's or a community's own part of a weekly reminder (where its notification points)."""
    report = get_object_or_404(Report.objects.filter(kind=ReportKind.WEEKLY), pk=pk)
    user = request.user
    units = [b for b in report.data.get("units", []) if b["unit_id"] == user.unit_id]
    communities = [b for b in report.data.get("communities", []) if b["community_id"] == user.community_id]
    if not has_role(user, Role.UNIT_STAFF):
        units = []
    if not has_role(user, Role.COMMUNITY_STAFF):
        communities = []
    return render(
        request,
        "supervision/report_mine.html",
        {"report": report, "units": units, "communities": communities, "names": reports.glossary()},
    )


@require_GET
@cached_page(topics=("reports",), paged=True)
def bulletin_list(request):
    return render(
        request,
        "supervision/bulletin_list.html",
        list_page(request, selectors.bulletin_list()),
    )


@require_GET
@cached_page(topics=("reports",))
def bulletin_detail(request, pk: int):
    report = get_object_or_404(Report.objects.published(), pk=pk)
    return render(
        request, "supervision/bulletin_detail.html", {"report": report, "body": reports.body(report)}
    )


@require_GET
def bulletin_xlsx(request, pk: int):
    report = get_object_or_404(Report.objects.published(), pk=pk)
    return xlsx_response(spreadsheets.report_workbook(report), spreadsheets.report_filename(report))


# --- supervision orders -----------------------------------------------------------------------------------


@require_GET
@role_required(*ORDER_ROLES)
def order_list(request):
    return _filtered_list(
        request, OrderFilterSet, selectors.order_list(user=request.user), "supervision/order_list.html"
    )


def _issue_initial(request) -> dict:
    """``/orders/new/?project=JY2021-001`` (or ``wish=``, ``duty_item=``, ``inspection=``): filled in."""
    initial = {}
    for kind in selectors.TARGET_KINDS:
        if request.GET.get(kind):
            initial.update(target_kind=kind, target=request.GET[kind][:30])
    if request.GET.get("inspection", "").isdigit():
        initial["inspection"] = request.GET["inspection"]
    return initial


def _form_page(
    request, form, call: Callable[[dict], object], *, success: str, template: str, context: dict | None = None
):
    """A page that creates a record: its form, and on a valid POST the service, then the record's page."""
    status = 200
    if request.method == "POST":
        outcome = submit_outcome(request, form, call, success=success)
        if outcome.done:
            return redirect(outcome.result.get_absolute_url())
        status = outcome.status
    return render(request, template, {"form": form, **(context or {})}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
def order_new(request):
    initial = _issue_initial(request)
    form = OrderIssueForm(request.POST or None, initial=initial)
    # A target handed over by a link (a project, a duty item): the page names it, not just its key.
    chosen = initial.get("target") and selectors.order_target(initial["target_kind"], initial["target"])
    return _form_page(
        request,
        form,
        lambda data: services.order_issue(actor=request.user, **form.service_kwargs()),
        success=_("督办单已下发，责任单位（社区）已收到通知。"),
        template="supervision/order_form.html",
        context={"chosen_target": chosen or None},
    )


@role_required(Role.SUPERVISOR)
@require_GET
def order_targets(request):
    """The order form's picker: the targets of the chosen kind that match what was typed (``<option>``s of
    the target input's list)."""
    choices = selectors.order_target_choices(
        request.GET.get("target_kind", ""), request.GET.get("target", "")[:30]
    )
    return render(request, "supervision/_order_target_options.html", {"choices": choices})


ORDER_ACTIONS = {
    "answer": (AnswerForm, services.order_answer, gettext_lazy("已答复，督查人员将审核办结。")),
    "return": (ReturnForm, services.order_return, gettext_lazy("已退回重办。")),
    "close": (CloseForm, services.order_close, gettext_lazy("督办单已办结。")),
}


def _order(request, pk: int) -> SupervisionOrder:
    return get_visible_or_404(
        SupervisionOrder.objects.select_related(
            "project",
            "wish__community__town",
            "duty_item__problem_item",
            "unit",
            "community__town",
            "issued_by",
        ),
        request.user,
        pk=pk,
    )


@require_GET
@role_required(*ORDER_ROLES)
def order_detail(request, pk: int):
    order = _order(request, pk)
    return _order_page(request, order)


def _order_page(request, order: SupervisionOrder, status: int = 200, **bound):
    context = {
        "order": order,
        **selectors.order_page(user=request.user, order=order),
        **{
            f"{name}_form": bound.get(name) or form_class()
            for name, (form_class, _s, _m) in ORDER_ACTIONS.items()
        },
    }
    return render(request, "supervision/order_detail.html", context, status=status)


@require_POST
@role_required(*ORDER_ROLES)
def order_action(request, pk: int, name: str):
    order = _order(request, pk)
    if name not in ORDER_ACTIONS:
        raise Http404
    form_class, service, success = ORDER_ACTIONS[name]
    form = form_class(request.POST)
    outcome = submit_outcome(
        request, form, lambda data: service(actor=request.user, order=order, **data), success=str(success)
    )
    if outcome.done:
        return redirect(order.get_absolute_url())
    return _order_page(request, order, status=outcome.status, **{name: form})


# --- inspections and contact points ------------------------------------------------------------------------


@require_GET
@role_required(Role.SUPERVISOR)
def inspection_list(request):
    return _filtered_list(
        request,
        InspectionFilterSet,
        selectors.inspection_list(user=request.user),
        "supervision/inspection_list.html",
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
def inspection_new(request):
    form = InspectionForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        form,
        lambda data: services.inspection_record(actor=request.user, **form.service_kwargs()),
        success=_("巡回指导记录已保存。"),
        template="supervision/inspection_form.html",
    )


@require_GET
@role_required(Role.SUPERVISOR)
def inspection_detail(request, pk: int):
    inspection = get_visible_or_404(
        Inspection.objects.select_related("recorded_by").prefetch_related(
            "inspectors", "projects", "communities__town", "units"
        ),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "supervision/inspection_detail.html",
        {"inspection": inspection, **selectors.inspection_page(inspection=inspection)},
    )


def _office_form_page(request, form_class, call, *, success: str, template: str, context) -> object:
    """A list page with the office's form under it: everybody reads, only the office posts."""
    office = has_role(request.user, Role.ADMIN)
    form = form_class(request.POST or None) if office else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        outcome = submit_outcome(request, form, lambda data: call(data), success=success)
        if outcome.done:
            return redirect(request.path)
        status = outcome.status
    return render(request, template, {**context(), "form": form, "office": office}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
def contact_points(request):
    """Every leader's contact points (filtered by leader and by whether each was visited this month: the
    lists the dashboard's figures open); the office assigns new ones here."""
    return _office_form_page(
        request,
        ContactPointForm,
        lambda data: services.contact_point_assign(actor=request.user, **data),
        success=_("联系点已分配。"),
        template="supervision/contact_points.html",
        context=lambda: {
            **list_page(
                request, selectors.contact_points(user=request.user), ContactPointFilterSet, per_page=50
            ),
            "my_leader": selectors.leader_of(request.user),
        },
    )


@require_POST
@role_required(Role.ADMIN)
def contact_point_remove(request, pk: int):
    point = get_editable_or_404(ContactPoint.objects, request.user, pk=pk)
    _run(
        request,
        lambda data: services.contact_point_remove(actor=request.user, contact_point=point),
        success=_("联系点已取消。"),
    )
    return redirect("supervision:contact-points")


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
def leader_list(request):
    """The leaders (四套班子成员) with their places, visits this month and places not visited; the office
    records a leader (or changes a leader's post) here."""
    return _office_form_page(
        request,
        LeaderForm,
        lambda data: services.leader_appoint(actor=request.user, **data),
        success=_("联系领导已保存。"),
        template="supervision/leader_list.html",
        context=lambda: {"leaders": dashboard.leader_rows()},
    )
