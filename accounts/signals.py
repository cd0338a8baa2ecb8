"""Sign-in events into the audit record, wherever they happen: the sign-in page, the Django admin's, the
API token endpoint (Django's auth signals and django-axes' lockout signal)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def _signed_in(sender, request, user, **kwargs):
    services.sign_in_recorded(request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    services.sign_in_failed_recorded(request=request, username=str(credentials.get("username") or ""))


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    services.locked_out_recorded(request=request, username=str(username or ""))
