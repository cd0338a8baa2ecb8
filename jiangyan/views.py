"""Site-wide pages: the public home page, the health check, the display preferences, the audit log of the
office and the error handlers (pages, or the API's error envelope under /api/)."""

import sys

from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from jiangyan.core import outage, privacy, selectors
from jiangyan.core.audit import personal_data_downloaded
from jiangyan.core.exceptions import envelope
from jiangyan.core.filtersets import AuditEventFilterSet
from jiangyan.core.middleware import DISPLAY_COOKIE, DISPLAY_MODES
from jiangyan.core.pagecache import cached_page
from jiangyan.core.pagination import list_page
from jiangyan.core.permissions import role_required
from jiangyan.core.roles import Role
from jiangyan.core.site import home_sections, section_topics, sections_context
from jiangyan.helpers import xlsx

from . import health


@cached_page(topics=lambda: section_topics(home_sections()))
def home(request):
    """The public home page: the sections the apps declare (``home_sections`` on their AppConfig)."""
    return render(request, "home.html", sections_context(home_sections(), request))


@require_GET
def favicon(request):
    """``/favicon.ico``, which browsers ask for whatever the page links to (the static file's hashed URL)."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


@never_cache
@require_GET
def healthz(request):
    """JSON health of database, broker, cache, worker and beat (``jiangyan.health``); 503 when one is down."""
    healthy, checks = health.report()
    return JsonResponse({"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503)


# No CSRF token: the switch only sets the visitor's own reading-mode cookie (a forged request can change
# nothing but how the portal looks), and leaving the token out lets every public page be cached.
@csrf_exempt
@require_POST
def display_preferences(request):
    """Large text / high contrast switch. A cookie, so it works for anonymous residents too."""
    modes = [m for m in request.POST.getlist("mode") if m in DISPLAY_MODES]
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        DISPLAY_COOKIE,
        ",".join(modes),
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,
    )
    return response


# --- the audit log ----------------------------------------------------------------------------------------
AUDIT_PAGE_SIZE = 50


@require_GET
@role_required(Role.ADMIN)
def audit_log(request):
    """Every recorded action (state changes, imports, full views of personal data), searchable and
    filterable by actor, verb, object type and dates; the same filters export to a spreadsheet."""
    context = list_page(request, selectors.audit_log(), AuditEventFilterSet, per_page=AUDIT_PAGE_SIZE)
    return render(
        request,
        "jiangyan/audit_log.html",
        {**context, "events": context["page_obj"].object_list, "query": request.GET.urlencode()},
    )


@require_GET
@role_required(Role.ADMIN)
def audit_export(request):
    filterset = AuditEventFilterSet(request.GET or None, queryset=selectors.audit_log())
    day = f"{timezone.localdate():%Y-%m-%d}"
    spool = xlsx.rows_file(
        selectors.audit_header(),
        selectors.audit_rows(filterset.qs),
        title=_("操作记录"),
        heading=_("姜堰区“我为群众办实事”平台操作记录（%(day)s 导出）") % {"day": day},
    )
    return xlsx.xlsx_file_response(
        spool, _("操作记录-%(day)s.xlsx") % {"day": f"{timezone.localdate():%Y%m%d}"}
    )


def _error_page(template: str, status: int, code: str, detail):
    """Django's error handler for ``status``: the page ``template``, or under ``/api/`` the API's error
    envelope (a URL the router does not know is a 404 of the API too, in the shape its schema documents)."""

    def view(request, exception=None):
        if request.path.startswith(API_PREFIX):
            return JsonResponse(envelope(code=code, detail=str(detail)), status=status)
        return render(request, template, status=status)

    return view


API_PREFIX = outage.API_PREFIX
bad_request = _error_page("400.html", 400, "bad_request", gettext_lazy("请求无效。"))
page_not_found = _error_page("404.html", 404, "not_found", gettext_lazy("您要找的内容不存在或无权查看。"))
permission_denied = _error_page(
    "403.html", 403, "permission_denied", gettext_lazy("您没有执行该操作的权限。")
)


def server_error(request):
    """The 500 page reads nothing but static files and the catalogue: no context processors (they query
    the database, which may be what failed). Under ``/api/`` the error envelope. A failure because the
    database (or the cache or broker) is down is the maintenance answer, a 503 (``jiangyan.core.outage``)."""
    if outage.dependency_down(sys.exc_info()[1]):
        return outage.unavailable(request)
    if request.path.startswith(API_PREFIX):
        detail = str(gettext_lazy("服务暂时不可用，请稍后再试。"))
        return JsonResponse(envelope(code="error", detail=detail), status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())


# The language switch, like the reading-mode one, sets only the visitor's own preference: no CSRF token, so
# public pages carry nothing per visitor (``jiangyan.core.pagecache``).
switch_language = csrf_exempt(set_language)


# --- personal-information requests (PIPL) ----------------------------------------------------------------


def _request_subject(text: str) -> dict[str, str]:
    """A phone number (digits) or a wish's query code, from what the office typed."""
    text = (text or "").strip()
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) == 11 and len(digits) == len(text.replace("-", "").replace(" ", "")):
        return {"phone": digits}
    return {"query_code": text.upper()} if text else {}


@role_required(Role.ADMIN)
@never_cache
def privacy_requests(request):
    """The office answers a personal-information request: finds what the portal holds by a wish's query
    code or a phone number, downloads it (JSON) or erases it. Every view, download and erasure is audited."""
    text = request.POST.get("q") if request.method == "POST" else request.GET.get("q")
    subject = _request_subject(text)
    if request.method == "POST":
        if not subject:
            return render(request, "jiangyan/privacy_requests.html", {"q": "", "missing": True}, status=400)
        erased = privacy.subject_erase(actor=request.user, **subject)
        return render(request, "jiangyan/privacy_requests.html", {"q": text, "erased": erased})
    if subject and request.GET.get("format") == "json":
        response = HttpResponse(
            privacy.subject_download(actor=request.user, **subject), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response
    found = None
    if subject:
        found = privacy.subject_data(**subject)
        personal_data_downloaded(actor=request.user, subject=text, fields=sorted(found), note="viewed")
    return render(request, "jiangyan/privacy_requests.html", {"q": text or "", "found": found})
