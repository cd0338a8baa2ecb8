"""Sign-in lockout (django-axes) per account and per address alike, with a limit for each.

Axes counts the failures of the account (on any address) and of the address (on any account) and locks
at one limit, ``AXES_FAILURE_LIMIT``. An address is allowed ``AXES_ADDRESS_FAILURE_LIMIT`` failures: the
office behind one NAT address should not lock itself out after five mistyped passwords, but an address
trying one password on a hundred accounts is stopped after twenty. The address's count is scaled to the
account's limit so axes' single comparison applies both."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class PortalAxesHandler(AxesDatabaseHandler):
    """``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``: axes gives the attempts of each, in order."""

    def get_failures(self, request, credentials=None) -> int:
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = max(1, getattr(settings, "AXES_ADDRESS_FAILURE_LIMIT", account_limit))
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(by_account, by_address * account_limit // address_limit)
