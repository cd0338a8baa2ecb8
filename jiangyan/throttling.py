"""Per-client limits on anonymous writes (DESIGN §4): wish submissions, survey answers, suggestions,
query-code guesses.

The API uses ``AnonymousSubmitThrottle`` (DRF, scope ``anon_submit``); pages use a ``PageLimiter``, a
fixed-window counter in the Django cache keyed by client address. Both read their rate from
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at each request, so one setting governs both."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

SUBMIT_SCOPE = "anon_submit"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_of(scope: str, default: str) -> str:
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope, default)


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/hour"`` → ``(30, 3600)``."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class PageLimiter:
    """``limiter.exceeded(request)`` before the work, ``limiter.hit(request)`` for each counted attempt."""

    def __init__(self, scope: str, default_rate: str):
        self.scope = scope
        self.default_rate = default_rate

    def _key(self, request) -> tuple[str, int, int]:
        limit, period = parse_rate(rate_of(self.scope, self.default_rate))
        window = int(time.time() // period)
        return f"limit:{self.scope}:{client_address(request)}:{window}", limit, period

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
        """Count this attempt of an anonymous client and say whether it is one too many."""
        if request.user.is_authenticated:
            return False
        if self.exceeded(request):
            return True
        self.hit(request)
        return False


submit_limiter = PageLimiter(SUBMIT_SCOPE, "30/hour")


class AnonymousSubmitThrottle(SimpleRateThrottle):
    """DRF throttle of anonymous submissions; signed-in users are accountable and not throttled. The rate
    is read per request, so a settings change reaches it."""

    scope = SUBMIT_SCOPE

    def get_rate(self):
        return rate_of(SUBMIT_SCOPE, "30/hour")

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
