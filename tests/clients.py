"""Signing a test client in as a person, second step included.

Staff must pass a second step (docs/security.md), so ``client.force_login(user)`` alone leaves a staff
session that reaches nothing but the second step. :func:`sign_in` does what a person does: the password
step (``force_login``) and, when the person owes one, the second step with a confirmed authenticator."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import needs_second_step


def authenticator_of(user) -> TOTPDevice:
    """The person's confirmed authenticator (created when they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def sign_in(client, user, *, second_step: bool = True):
    """Sign ``client`` (a Django or DRF test client) in as ``user``; with ``second_step`` (the default)
    the session has passed the second step when the person owes one. Returns the client."""
    client.force_login(user)
    if second_step and needs_second_step(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_of(user).persistent_id
        session.save()
    return client
