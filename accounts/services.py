"""Writes of the accounts app."""

import time

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from jiangyan.core.audit import audit_record
from jiangyan.core.exceptions import ApplicationError, field_error
from jiangyan.core.roles import Role, require_role
from jiangyan.core.throttling import client_ip
from jiangyan.helpers.crypto import blind_index
from jiangyan.helpers.masking import mask_phone

from .models import Community, PasswordHistory, User, resident_username
from .policy import SESSION_LAST_SEEN, SESSION_SECOND_STEP, SESSION_SIGNED_IN_AT, is_staff_account


def ensure_role_groups() -> None:
    for role in Role.values:
        Group.objects.get_or_create(name=role)


def _phone_taken() -> ApplicationError:
    return field_error("phone", _("该手机号已注册，请直接登录。"), code="duplicate_phone")


@transaction.atomic
def resident_register(
    *, phone: str, password: str, real_name: str = "", community: Community | None = None
) -> User:
    """Create a resident account, signed in with the phone number (found through its blind index); the new
    resident is the actor of its audit event. ``password`` is already validated. A phone number already in
    use (as a phone or as a username) is refused on the ``phone`` field.

    The username is a pseudonym (``resident_username``), not the phone: the phone is personal information,
    encrypted at rest, and the username is not."""
    if (
        User.objects.filter(phone_index=blind_index(phone)).exists()
        or User.objects.filter(username=phone).exists()
    ):
        raise _phone_taken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=resident_username(),
                phone=phone,
                password=password,
                real_name=real_name,
                community=community,
            )
    except IntegrityError as exc:  # a simultaneous registration of the same phone
        raise _phone_taken() from exc
    group, _created = Group.objects.get_or_create(name=Role.RESIDENT)
    user.groups.add(group)
    audit_record(actor=user, verb="account.register", target=user, after={"role": Role.RESIDENT})
    return user


# --- Sign-in, second step, passwords (docs/security.md) -------------------------------------------------


def _attempted_account(username: str) -> User:
    """The account a failed attempt named (residents' usernames are their phone numbers), or an unsaved
    stand-in to hang the event on; a number typed as an unknown name is kept masked."""
    username = (username or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        return user
    shown = mask_phone(username) if username.isdigit() else username
    return User(username=shown or "?")


def _where(request) -> dict:
    return {"address": client_ip(request) or "", "path": getattr(request, "path", "")[:200]}


def needs_second_step(user: User) -> bool:
    """Staff always; anyone else once they have enrolled an authenticator (it is optional for them)."""
    return is_staff_account(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _claim_session(request, user: User) -> None:
    """Make the request's session the one a staff account holds (STAFF_SINGLE_SESSION)."""
    session_key = request.session.session_key
    if is_staff_account(user) and session_key and user.current_session_key != session_key:
        User.objects.filter(pk=user.pk).update(current_session_key=session_key)
        user.current_session_key = session_key


def sign_in_recorded(*, request, user: User, channel: str = "page") -> None:
    """The password step succeeded (a page sign-in, or ``channel="api"``: a token was issued). Starts the
    session's clocks, notes whether it owes a second step and, for staff, makes it the account's one
    session."""
    second_step = needs_second_step(user)
    session = getattr(request, "session", None)
    if channel == "page" and session is not None:
        now = int(time.time())
        session[SESSION_SIGNED_IN_AT] = now
        session[SESSION_LAST_SEEN] = now
        session[SESSION_SECOND_STEP] = second_step
        _claim_session(request, user)
    audit_record(
        actor=user,
        verb="auth.signed_in",
        target=user,
        after={**_where(request), "channel": channel, "second_step": second_step},
    )


def sign_in_failed_recorded(*, request, username: str) -> None:
    target = _attempted_account(username)
    audit_record(actor=None, verb="auth.sign_in_failed", target=target, after=_where(request))


def locked_out_recorded(*, request, username: str) -> None:
    target = _attempted_account(username)
    audit_record(actor=None, verb="auth.locked_out", target=target, after=_where(request))


def second_step_failed_recorded(*, request, user: User) -> None:
    audit_record(actor=user, verb="auth.second_step_failed", target=user, after=_where(request))


def second_step_passed(*, request, user: User, device) -> None:
    """Mark the session as having passed the second step with ``device``."""
    otp_login(request, device)
    audit_record(
        actor=user,
        verb="auth.second_step_passed",
        target=user,
        after={**_where(request), "device": device.name},
    )


def recovery_codes_issue(*, user: User) -> list[str]:
    """Fresh recovery codes (the old ones stop working), each usable once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(settings.OTP_STATIC_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator the person is enrolling (not confirmed until a code from it is entered)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def two_factor_enrol(*, request, user: User, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code it shows: the session passes the second step and the
    person gets their recovery codes. ``None`` when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or not device.verify_token(token):
        second_step_failed_recorded(request=request, user=user)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_issue(user=user)
    audit_record(actor=user, verb="auth.two_factor_enrolled", target=user, after={"device": device.name})
    otp_login(request, device)
    return codes


@transaction.atomic
def two_factor_reset(*, actor, user: User) -> int:
    """The office removes every second-step device of ``user`` (a lost phone): their next sign-in enrols
    again, and a session that passed with a removed device no longer counts as passed."""
    require_role(actor, Role.ADMIN)
    locked = User.objects.select_for_update().get(pk=user.pk)
    removed = 0
    for device in devices_for_user(locked, confirmed=None):
        device.delete()
        removed += 1
    audit_record(actor=actor, verb="auth.two_factor_reset", target=locked, after={"devices": removed})
    return removed


def _password_set(user: User, new_password: str, *, must_change: bool) -> None:
    user.set_password(new_password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
        : settings.STAFF_PASSWORD_HISTORY
    ]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
    # API tokens are sessions too: a new password ends them all.
    Token.objects.filter(user=user).delete()


@transaction.atomic
def password_change(*, user: User, new_password: str, request=None) -> None:
    """The person sets their own password (already validated). Every other session ends (their session
    hash no longer matches); the current one, when given, stays signed in."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _password_set(locked, new_password, must_change=False)
    user.password, user.must_change_password = locked.password, False
    user.password_changed_at = locked.password_changed_at
    if request is not None:
        update_session_auth_hash(request, locked)  # a new session key: still the account's one session
        _claim_session(request, locked)
    audit_record(actor=user, verb="auth.password_changed", target=locked)


@transaction.atomic
def password_set_by_office(*, actor, user: User, new_password: str) -> None:
    """An initial or reset password, set by the office: to be changed at the next sign-in."""
    require_role(actor, Role.ADMIN)
    locked = User.objects.select_for_update().get(pk=user.pk)
    _password_set(locked, new_password, must_change=True)
    user.password, user.must_change_password = locked.password, True
    audit_record(actor=actor, verb="auth.password_reset", target=locked)
