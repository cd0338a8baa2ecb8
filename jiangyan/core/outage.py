"""A dependency that is down is a 503 with the portal's maintenance page, never a 500 (docs/resilience.md).

The database (``OperationalError``, ``InterfaceError``: it refuses connections, restarts, or dropped the
connection mid-query), and the cache or broker where no fallback exists (their connection errors). Public
pages an anonymous visitor asks for are answered from the page cache before anything reads the database
(``jiangyan.core.pagecache``: a stale copy too, when recomputing it fails so); everything else gets
``templates/503.html`` — rendered without a context, it reads neither the database nor the cache — or, under
``/api/``, the API's error envelope, with ``Retry-After``.

Two ways in, one answer: :class:`DependencyDownMiddleware` for what a view raises, and the 500 handler
(``jiangyan.views.server_error``) for what fails outside any view (the session saved after the view, the
user loaded by a middleware)."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .exceptions import envelope

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30
DOWN = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, BrokerError)


def dependency_down(exc: BaseException | None) -> bool:
    """``exc`` (or what caused it) says the database, the cache or the broker cannot be reached."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DOWN):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def unavailable(request) -> HttpResponse:
    """The maintenance answer: the page, or the API's envelope under ``/api/``; 503 with Retry-After."""
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            envelope(code="unavailable", detail=_("平台维护中，请稍后再试。")), status=503
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response.dependency_down = True  # the page cache may answer with its previous copy instead
    return response


class DependencyDownMiddleware:
    """A view that fails because the database (or the cache or broker) is down answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not dependency_down(exception):
            return None
        log.warning("%s %s: dependency down: %r", request.method, request.path, exception)
        return unavailable(request)
