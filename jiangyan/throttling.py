"""Per-client limits (DESIGN §4): submissions (wishes, survey answers, suggestions, follow-ups),
registrations, query-code guesses, API sign-in.

One rule identifies a client on pages and API alike, :func:`client_address`: the address of the peer, or —
behind ``TRUSTED_PROXY_COUNT`` reverse proxies — the address the outermost trusted proxy saw. A header the
client writes itself is never believed, so rotating ``X-Forwarded-For`` does not reset a limit.

Submissions are counted per signed-in account (staff, who enter paper questionnaires and wish cards for
residents, at the higher ``staff_submit`` rate) and per client address for everybody else: a token does
not escape the limit either. Counters are fixed windows in the Django cache; pages call a
:class:`Limiter` and the API the DRF throttle that wraps the same limiter, so a page and its API share one
counter. Rates are read from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at each request."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

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


class Limiter:
    """A fixed-window limit: ``limiter.exceeded(request)`` before the work, ``limiter.hit(request)`` for
    each counted attempt (or ``over_limit_after_hit`` for both). ``per_account=True`` counts a signed-in
    user by account (``user_submit`` / ``staff_submit`` rates), everybody else by client address."""

    def __init__(self, scope: str, default_rate: str | None = None, *, per_account: bool = False):
        self.scope = scope
        self.default_rate = default_rate
        self.per_account = per_account

    def bucket(self, request) -> tuple[str, str, str]:
        """``(scope, rate, ident)`` of this request's counter."""
        user = getattr(request, "user", None)
        if self.per_account and user is not None and user.is_authenticated:
            scope = STAFF_SCOPE if has_role(user, *ENTERING_ROLES) else USER_SCOPE
            return scope, rate_of(scope), f"user:{user.pk}"
        return self.scope, rate_of(self.scope, self.default_rate), f"addr:{client_address(request)}"

    def _key(self, request) -> tuple[str, int, int]:
        scope, rate, ident = self.bucket(request)
        limit, period = parse_rate(rate)
        window = int(time.time() // period)
        return f"limit:{scope}:{ident}:{window}", limit, period

    def exceeded(self, request) -> bool:
        key, limit, _period = self._key(request)
        return (cache.get(key) or 0) >= limit

    def hit(self, request) -> None:
        key, _limit, period = self._key(request)
        if not cache.add(key, 1, timeout=period):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=period)

    def over_limit_after_hit(self, request) -> bool:
        """Count this attempt and say whether it is one too many (a refused attempt is not counted)."""
        if self.exceeded(request):
            return True
        self.hit(request)
        return False

    def seconds_left(self, request) -> int:
        _key, _limit, period = self._key(request)
        return max(1, int(period - time.time() % period))


# Kept under its first name: pages import it.
PageLimiter = Limiter
submit_limiter = Limiter(ANON_SCOPE, per_account=True)
register_limiter = Limiter("register")


class SubmitThrottle(BaseThrottle):
    """The API side of ``submit_limiter``: the same counters as the pages."""

    limiter = submit_limiter

    def allow_request(self, request, view) -> bool:
        if self.limiter.over_limit_after_hit(request):
            self._wait = self.limiter.seconds_left(request)
            return False
        return True

    def wait(self):
        return getattr(self, "_wait", None)


AnonymousSubmitThrottle = SubmitThrottle  # the name other modules knew it by


class ClientRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle with the client identified by :func:`client_address` (DRF's own ``get_ident``
    believes ``X-Forwarded-For`` whatever sent it). Sign-in attempts are counted per client whoever they
    claim to be."""

    def get_ident(self, request):
        return client_address(request)

    def get_rate(self):
        return rate_of(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
