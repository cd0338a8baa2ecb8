"""Public pages served from the cache to anonymous visitors, answered before the rest of the request's work.

The day a campaign is announced on the district's WeChat account, thousands of residents open the same few
pages. For an anonymous ``GET`` of a public page the answer depends only on the data, the language and the
reading mode, so :class:`AnonymousPageCacheMiddleware` — right after WhiteNoise, before sessions, language,
CSRF and authentication — answers it from the cache (Redis in production, a file cache shared by web and
worker on the embedded default) and stores what the rest of the stack produced when it had to.

Freshness: every key carries the data's *generation*, a counter that :func:`data_changed` moves on. Every
state change of the registries records an audit event (``jiangyan.audit``), which calls it when its
transaction commits; so do the tasks that change data without an event (the daily schedule refresh, report
generation) and the demo seeder. A change therefore shows at once; ``PAGE_CACHE_SECONDS`` only bounds how
long an unused page stays in the cache.

Never cached: a signed-in visitor, a request carrying any cookie but the language and reading-mode ones
(session, messages, CSRF), a response that sets a cookie (a page that handed out a CSRF token has a form
and a per-visitor token in it), anything but a 200, and paths that match none of ``PAGE_CACHE_PATTERNS``.
"""

import hashlib
import re
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from rest_framework.response import Response

GENERATION_KEY = "pagecache:generation"
# Cookies that may shape an anonymous page (and so are part of its key); any other cookie bypasses the cache.
KEY_COOKIES = ("django_language", "display")


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): any new value differs from the cached pages' keys
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)


def data_changed() -> None:
    """The public data changed: every cached page is stale once the current transaction commits."""
    transaction.on_commit(_bump)


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    if any(name not in KEY_COOKIES for name in request.COOKIES):
        return False
    return bool(_patterns().match(request.path_info))


@memoize
def _patterns() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in settings.PAGE_CACHE_PATTERNS))


def _key(request) -> str:
    cookies = "|".join(request.COOKIES.get(name, "") for name in KEY_COOKIES)
    raw = f"{request.get_host()}|{request.get_full_path()}|{cookies}"
    return f"page:{generation()}:{hashlib.sha256(raw.encode()).hexdigest()}"


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            if "no-store" not in response.get("Cache-Control", "") and "private" not in response.get(
                "Cache-Control", ""
            ):
                headers = {k: v for k, v in response.items() if k.lower() != "set-cookie"}
                cache.set(key, (response.content, headers), timeout=settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
        return response


def cached_list(list_view):
    """Wrap an API viewset's ``list``: the answer for this user, path (filters, page) and language is kept
    under the data's generation, so a signed-in client paging through a list pays for the queries and the
    serialisation once per change of the data. Authentication and permissions still run on every request;
    only what they allow is reused. Anonymous clients are answered earlier, by the middleware."""

    def list(self, request, *args, **kwargs):
        if not settings.PAGE_CACHE_SECONDS:
            return list_view(self, request, *args, **kwargs)
        who = request.user.pk if request.user.is_authenticated else "anonymous"
        raw = f"{who}|{request.get_full_path()}|{request.LANGUAGE_CODE}|{request.accepted_renderer.format}"
        key = f"list:{generation()}:{hashlib.sha256(raw.encode()).hexdigest()}"
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = list_view(self, request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.data, timeout=settings.PAGE_CACHE_SECONDS)
        return response

    list.cached = True
    return list


def remember(name: str, compute, *parts):
    """``compute()``, kept until the data changes: for aggregates a signed-in page shows to many people
    (the supervisors' dashboard). ``parts`` name what else the answer depends on (date, language)."""
    if not settings.PAGE_CACHE_SECONDS:
        return compute()
    key = f"agg:{generation()}:{name}:" + ":".join(str(p) for p in parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=settings.PAGE_CACHE_SECONDS)
    return value
