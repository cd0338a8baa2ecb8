"""Per-client limits (DESIGN §4): submissions (wishes, survey answers, suggestions, follow-ups),
registrations, query-code guesses, API sign-in.

One rule identifies a client on pages and API alike, :func:`client_address`: the address of the peer, or —
behind ``TRUSTED_PROXY_COUNT`` reverse proxies — the address the outermost trusted proxy saw. A header the
client writes itself is never believed, so rotating ``X-Forwarded-For`` does not reset a limit.

Submissions are counted per signed-in account (staff, who enter paper questionnaires and wish cards for
residents, at the higher ``staff_submit`` rate) and per client address for everybody else: a token does
not escape the limit either. Counters are fixed windows in the Django cache; pages call a
:class:`Limiter` and the API the DRF throttle that wraps the same limiter, so a page and its API share one
counter. Rates are read from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at each request.

Limits come before work (docs/trust.md, "Limits before work"): a page declares its limit with
:func:`limited` and :class:`LimitsMiddleware` takes it before anything reads the body (CSRF's check
parses it) or decodes a file; the API's views check their throttles before authentication, permissions
and parsing (:class:`LimitsFirstMixin`). Each attempt is counted with one atomic increment and compared
afterwards, so parallel clients cannot all read "29" and all get through."""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.throttling import BaseThrottle

from .roles import Role, has_role

ANON_SCOPE = SUBMIT_SCOPE = "anon_submit"
USER_SCOPE = "user_submit"
STAFF_SCOPE = "staff_submit"
DEFAULT_RATES = {
    ANON_SCOPE: "30/hour",
    USER_SCOPE: "30/hour",
    STAFF_SCOPE: "600/hour",
    "register": "10/hour",
    "wish_track": "20/hour",
    "token": "20/minute",
}
# Roles that enter submissions on residents' behalf (paper questionnaires, wish cards, hotline calls).
ENTERING_ROLES = (Role.COMMUNITY_STAFF, Role.UNIT_STAFF)
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_of(scope: str, default: str | None = None) -> str:
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    return rates.get(scope) or default or DEFAULT_RATES[scope]


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/hour"`` → ``(30, 3600)``."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request) -> str | None:
    """The client's address, one rule for pages, API, throttles and sign-in lockouts (django-axes);
    ``None`` when the request has none (a test client's ``force_login``).

    With ``TRUSTED_PROXY_COUNT = 0`` (the default: the portal faces its clients) it is ``REMOTE_ADDR``.
    Behind ``n`` proxies, each appending the address of its peer to ``X-Forwarded-For``, it is the ``n``-th
    entry from the right — written by the outermost trusted proxy; whatever stands left of it came from
    the client and is ignored."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            candidate = forwarded[-min(proxies, len(forwarded))]
            if _is_address(candidate):
                address = candidate
    return address


def client_address(request) -> str:
    """:func:`client_ip` as a key of rate limits (``"unknown"`` when there is none)."""
    return client_ip(request) or "unknown"


def _count(key: str, period: int) -> int | None:
    """Add one to ``key`` atomically (``cache.add`` creates it with its expiry, ``cache.incr`` is one
    Redis INCR) and return the new count; None when the cache cannot be reached (the limit is then
    skipped, not an error: an outage of the cache must not refuse every resident)."""
    created = cache.add(key, 1, timeout=period)
    if created is None:
        return None
    if created:
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens the next window
        return 1 if cache.add(key, 1, timeout=period) is not False else cache.incr(key)


class Limiter:
    """A fixed-window limit. ``limiter.take(request)`` counts this attempt and says whether it is within
    the limit — one atomic increment, then the comparison, so N parallel attempts at a limit of L let
    exactly L through. ``give_back`` returns an attempt that should not count (a look-up that found its
    wish). ``per_account=True`` counts a signed-in user by account (``user_submit`` / ``staff_submit``
    rates), everybody else by client address."""

    def __init__(self, scope: str, default_rate: str | None = None, *, per_account: bool = False):
        self.scope = scope
        self.default_rate = default_rate
        self.per_account = per_account

    def bucket(self, request) -> tuple[str, str, str]:
        """``(scope, rate, ident)`` of this request's counter."""
        user = requesting_user(request) if self.per_account else None
        if user is not None and user.is_authenticated:
            scope = STAFF_SCOPE if has_role(user, *ENTERING_ROLES) else USER_SCOPE
            return scope, rate_of(scope), f"user:{user.pk}"
        return self.scope, rate_of(self.scope, self.default_rate), f"addr:{client_address(request)}"

    def _key(self, request) -> tuple[str, int, int]:
        cached = getattr(request, "_limit_keys", None)
        if cached is None:
            cached = {}
            try:
                request._limit_keys = cached
            except AttributeError:
                pass
        if self not in cached:
            scope, rate, ident = self.bucket(request)
            limit, period = parse_rate(rate)
            window = int(time.time() // period)
            cached[self] = (f"limit:{scope}:{ident}:{window}", limit, period)
        return cached[self]

    def take(self, request) -> bool:
        """Count this attempt; False when it is beyond the limit (refused attempts count too, harmlessly:
        the window is over the limit either way)."""
        key, limit, period = self._key(request)
        count = _count(key, period)
        return count is None or count <= limit

    def give_back(self, request) -> None:
        key, _limit, _period = self._key(request)
        try:
            cache.decr(key)
        except ValueError:  # the window ended meanwhile
            pass

    def exceeded(self, request) -> bool:
        """Whether the limit is used up (a read, for display; never decide an attempt with it)."""
        key, limit, _period = self._key(request)
        return (cache.get(key) or 0) >= limit

    def over_limit_after_hit(self, request) -> bool:
        return not self.take(request)

    def seconds_left(self, request) -> int:
        _key, _limit, period = self._key(request)
        return max(1, int(period - time.time() % period))


def requesting_user(request):
    """The account a request comes from, read without its body: the token of an ``Authorization: Token``
    header, else the session's user (``request.user`` of a DRF request would run SessionAuthentication,
    whose CSRF check parses the body). None when there is none or the token is unknown (authentication
    refuses it later)."""
    django_request = getattr(request, "_request", request)
    header = django_request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(header) == 2 and header[0].lower() == "token":
        try:
            return TokenAuthentication().authenticate_credentials(header[1])[0]
        except exceptions.AuthenticationFailed:
            return None
    return getattr(django_request, "user", None)


# Kept under its first name: pages import it.
PageLimiter = Limiter
submit_limiter = Limiter(ANON_SCOPE, per_account=True)
register_limiter = Limiter("register")


class LimiterThrottle(BaseThrottle):
    """A DRF throttle counting on a :class:`Limiter` (the pages' counters)."""

    def __init__(self, limiter: Limiter):
        self.limiter = limiter

    def allow_request(self, request, view) -> bool:
        if self.limiter.take(request):
            return True
        self._wait = self.limiter.seconds_left(request)
        return False

    def wait(self):
        return getattr(self, "_wait", None)


class SubmitThrottle(LimiterThrottle):
    """The API side of ``submit_limiter``: the same counters as the pages."""

    def __init__(self):
        super().__init__(submit_limiter)


AnonymousSubmitThrottle = SubmitThrottle  # the name other modules knew it by


class ClientRateThrottle(BaseThrottle):
    """The view's ``throttle_scope`` per client address (:func:`client_address`; DRF's own ``get_ident``
    believes ``X-Forwarded-For`` whatever sent it, and its history list is read, then written). Sign-in
    attempts are counted per client whoever they claim to be."""

    def allow_request(self, request, view) -> bool:
        self.limiter = Limiter(view.throttle_scope)
        return LimiterThrottle.allow_request(self, request, view)

    def wait(self):
        return getattr(self, "_wait", None)


class LimitsFirstMixin:
    """For API views: the throttles before authentication, permissions and parsing (DRF checks them after
    the first two, and SessionAuthentication's CSRF check reads the body). They identify the client from
    headers and the session only (:func:`requesting_user`)."""

    def initial(self, request, *args, **kwargs):
        self.check_throttles(request)
        request._limits_checked = True
        super().initial(request, *args, **kwargs)

    def check_throttles(self, request):
        if not getattr(request, "_limits_checked", False):
            super().check_throttles(request)


# --- pages: the limit of the route, before the body is read ---------------------------------------------
@dataclass(frozen=True)
class RouteLimit:
    limiter: Limiter
    methods: frozenset[str]
    message: object  # a lazy translation


def limited(limiter: Limiter, *, message: str, methods=("POST",)):
    """Declare a page's limit: :class:`LimitsMiddleware` takes it for ``methods`` before the view runs
    (before CSRF's check parses the body and before any form decodes a file) and answers 429 beyond it.
    The view may ``limiter.give_back(request)`` for an attempt that should not count."""

    def decorate(view):
        view.route_limit = RouteLimit(limiter, frozenset(methods), message)
        return view

    return decorate


def request_body_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.REQUEST_BODY_MAX_BYTES


class LimitsMiddleware:
    """A body larger than ``REQUEST_BODY_MAX_BYTES`` is a 413, and a page's declared limit (:func:`limited`)
    is taken, before the view. Listed before CsrfViewMiddleware, whose ``process_view`` parses the body;
    ``process_view`` runs after every ``process_request``, so the session's user is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request_body_too_large(request):
            return too_large_response(request)
        route = getattr(view_func, "route_limit", None)
        if route is None or request.method not in route.methods:
            return None
        if route.limiter.take(request):
            return None
        response = _light_page("429.html", route.message, status=429)
        response["Retry-After"] = str(route.limiter.seconds_left(request))
        return response


def too_large_response(request) -> HttpResponse:
    megabytes = settings.REQUEST_BODY_MAX_BYTES // (1024 * 1024)
    detail = _("提交的内容过大（最多 %(mb)d MB），请压缩图片后再试。") % {"mb": megabytes}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_large", "detail": detail, "fields": {}}, status=413)
    return _light_page("413.html", detail, status=413)


def _light_page(template: str, message, *, status: int) -> HttpResponse:
    """A page without the request's context (no context processors, session or queries): refusals are
    what a flood gets, so they must cost less than the pages it competes with."""
    return HttpResponse(loader.get_template(template).render({"message": message}), status=status)


# The longest username django-axes stores (AccessAttempt.username and AccessLog.username are 255 long).
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The username django-axes records for a sign-in attempt (``AXES_USERNAME_CALLABLE``), cut to what it
    can store: a 256-character username on any sign-in (the page, the admin's, the API's token) used to
    end in a database error. No account has a name that long, so the cut name locks nobody real out."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", None) or getattr(request, "POST", {})
        username = username.get("username") if hasattr(username, "get") else None
    return username[:AXES_USERNAME_MAX_LENGTH] if isinstance(username, str) else username
