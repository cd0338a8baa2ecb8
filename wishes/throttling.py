"""Per-client limits on anonymous writes and query-code guesses (DESIGN §4).

The API uses DRF's ScopedRateThrottle (scope ``anon_submit``); the pages use the same rate through a
small fixed-window counter in the Django cache, keyed by client address."""

import time

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

SUBMIT_SCOPE = "anon_submit"
# Failed query-code look-ups a client may make (there is no site setting for it; ``WISH_TRACK_RATE``
# overrides it when the site adds one).
DEFAULT_TRACK_RATE = "20/hour"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rates() -> dict[str, str]:
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})


def submit_rate() -> str:
    return _rates().get(SUBMIT_SCOPE, "30/hour")


def track_rate() -> str:
    return getattr(settings, "WISH_TRACK_RATE", DEFAULT_TRACK_RATE)


def parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class PageLimiter:
    """``limiter.exceeded(request)`` before the work, ``limiter.hit(request)`` for each counted attempt."""

    def __init__(self, scope: str, rate):
        self.scope = scope
        self.rate = rate  # a callable, read at each request, so settings overrides apply

    def _key(self, request) -> tuple[str, int, int]:
        limit, period = parse_rate(self.rate())
        window = int(time.time() // period)
        return f"wishes:limit:{self.scope}:{client_address(request)}:{window}", limit, period

    def exceeded(self, request) -> bool:
        from django.core.cache import cache

        key, limit, _period = self._key(request)
        return (cache.get(key) or 0) >= limit

    def hit(self, request) -> None:
        from django.core.cache import cache

        key, _limit, period = self._key(request)
        if not cache.add(key, 1, timeout=period):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=period)


submit_limiter = PageLimiter(SUBMIT_SCOPE, submit_rate)
track_limiter = PageLimiter("track", track_rate)


class WishSubmitThrottle(ScopedRateThrottle):
    """ScopedRateThrottle that reads the rate when it runs (so ``override_settings`` reaches it)."""

    def get_rate(self):
        return _rates().get(self.scope)
