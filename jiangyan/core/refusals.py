"""The audit of permission refusals (a middleware of its own: it writes audit events, which the other
middleware never do)."""

import logging

from django.db import DatabaseError

from .audit import audit_security

logger = logging.getLogger(__name__)


class RefusalAuditMiddleware:
    """Every permission refusal (403: a page or API call outside the person's role or scope, a failed CSRF
    check, a locked-out sign-in) leaves a security event in the audit record (等保 安全审计). A database
    that cannot take the event does not turn the refusal into an error: it is logged instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            try:
                audit_security(
                    actor=getattr(request, "user", None),
                    verb="security.forbidden",
                    subject=f"{request.method} {request.path}"[:200],
                    after={"ip": request.META.get("REMOTE_ADDR", "")},
                )
            except DatabaseError:
                logger.exception("the refusal of %s could not be audited", request.path)
        return response
