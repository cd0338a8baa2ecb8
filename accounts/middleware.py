"""The sign-in rules applied to every request of a signed-in person (docs/security.md), after
django-otp's middleware has said whether the session passed the second step:

1. a session ends when it has been idle too long, when it is older than its absolute lifetime, and — for
   staff with ``STAFF_SINGLE_SESSION`` — when the account has signed in elsewhere since (with a notice);
2. a session that owes a second step reaches nothing but the second step (pages redirect to it; the API
   treats the session as signed out, so a client cannot skip it);
3. a password the office set, or a staff password older than ``STAFF_PASSWORD_MAX_AGE_DAYS``, must be
   changed before anything else.

Requests without a session cookie pass untouched (no session read, no ``Vary: Cookie``)."""

import time
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, SimpleLazyObject, empty
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from .backends import confirmed_devices
from .policy import (
    SESSION_LAST_SEEN,
    SESSION_SECOND_STEP,
    SESSION_SIGNED_IN_AT,
    is_staff_account,
    password_change_due,
)

# A session's "last seen" is written at most this often: not a session write on every request.
LAST_SEEN_RESOLUTION = 60


def concrete(user):
    """``user`` without its ``SimpleLazyObject`` wrappers (evaluated)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def session_end_reason(request, user) -> str:
    """Why this session must end now, or ``""``."""
    session = request.session
    now = int(time.time())
    staff = is_staff_account(user)
    if staff and settings.STAFF_SINGLE_SESSION and user.current_session_key:
        if session.session_key != user.current_session_key:
            return _("您的账号已在别处登录，本处已退出。如非本人操作，请立即修改密码。")
    signed_in_at = session.get(SESSION_SIGNED_IN_AT)
    last_seen = session.get(SESSION_LAST_SEEN)
    if signed_in_at is None or last_seen is None:  # a session from before these rules: its clocks start now
        session[SESSION_SIGNED_IN_AT] = signed_in_at or now
        session[SESSION_LAST_SEEN] = now
        return ""
    idle = settings.STAFF_SESSION_IDLE_SECONDS if staff else settings.SESSION_IDLE_SECONDS
    lifetime = settings.STAFF_SESSION_MAX_SECONDS if staff else settings.SESSION_MAX_SECONDS
    if now - last_seen > idle:
        return _("您已长时间未操作，为保护账号安全已自动退出，请重新登录。")
    if now - signed_in_at > lifetime:
        return _("登录已超过有效期，请重新登录。")
    if now - last_seen >= LAST_SEEN_RESOLUTION:
        session[SESSION_LAST_SEEN] = now
    return ""


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's middleware without its query: whether the session's device is one of the person's
    confirmed ones is read with the user (``accounts.backends``, the same rule: the device exists, is the
    user's and is confirmed); the device itself is loaded only if something asks for more than that."""

    def _verify_user_sync(self, request, user):
        confirmed = confirmed_devices(user) if user.is_authenticated else None
        if confirmed is None:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id and self._normalize_persistent_id(persistent_id) in confirmed:
            device_id = self._normalize_persistent_id(persistent_id)
            user.otp_device = SimpleLazyObject(partial(Device.from_persistent_id, device_id))
        elif persistent_id:
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


class SignInPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def open_paths(self) -> tuple[str, ...]:
        """What a session that owes a step may still reach: the steps themselves and sign-out."""
        return (
            reverse("accounts:two_factor"),
            reverse("accounts:logout"),
            reverse("accounts:password_change"),
            reverse("set_language"),
            reverse("healthz"),
            settings.STATIC_URL,
            settings.MEDIA_URL,
        )

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.user.is_authenticated:
            return self.get_response(request)
        # From here on the person themselves, not the two lazy wrappers (django.contrib.auth's and
        # django-otp's) that every read of ``request.user`` would pass through for the rest of the request.
        request.user = user = concrete(request.user)
        api = request.path.startswith("/api/")
        reason = session_end_reason(request, user)
        if reason:
            logout(request)
            if not api:
                messages.warning(request, reason)
                return _redirect(request, reverse(settings.LOGIN_URL))
            return self.get_response(request)
        owes_second_step = request.session.get(SESSION_SECOND_STEP, is_staff_account(user))
        if is_staff_account(user):
            owes_second_step = True
        due = ""
        if owes_second_step and not user.is_verified():
            due = reverse("accounts:two_factor")
        elif password_change_due(user):
            due = reverse("accounts:password_change")
        if not due or request.path.startswith(self.open_paths()):
            return self.get_response(request)
        if api:  # the API sees a session that owes a step as no sign-in at all
            request.user = AnonymousUser()
            request._cached_user = request.user
            return self.get_response(request)
        return _redirect(request, due)


def _redirect(request, to: str):
    if request.method == "GET":
        to = f"{to}?{urlencode({'next': request.get_full_path()})}"
    response = redirect(to)
    if request.headers.get("HX-Request"):
        response["HX-Redirect"] = to
    return response
