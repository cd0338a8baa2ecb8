from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiangyan.core import privacy
from jiangyan.core.forms import submit
from jiangyan.core.permissions import role_required
from jiangyan.core.throttling import limited, register_limiter

from .forms import EnrolForm, OneTimeCodeForm, PasswordChangeForm, ResidentRegistrationForm, SignInForm
from .policy import is_staff_account
from .services import (
    password_change,
    recovery_codes_issue,
    resident_register,
    second_step_failed_recorded,
    second_step_passed,
    totp_device_pending,
    two_factor_enrol,
)


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


@require_http_methods(["GET", "POST"])
@limited(register_limiter, message=gettext_lazy("注册过于频繁，请稍后再试。"))
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ResidentRegistrationForm(request.POST or None)
    if request.method == "POST":
        user = submit(
            request,
            form,
            lambda data: resident_register(
                phone=data["phone"],
                password=data["password1"],
                real_name=data["real_name"],
                community=data["community"],
            ),
        )
        if user is not None:
            login(request, user, backend="accounts.backends.UsernameOrPhoneBackend")
            messages.success(request, _("注册成功，欢迎使用办实事平台。"))
            return redirect("home")
    return render(request, "accounts/register.html", {"form": form})


@role_required()
def me(request):
    return render(request, "accounts/me.html", {"profile": request.user.member_profile_or_none})


@role_required()
@never_cache
def me_data(request):
    """The person's own data, everything the portal holds about them, as a JSON download (audited)."""
    body = privacy.subject_download(actor=request.user, user=request.user)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@role_required()
@require_POST
def me_erase(request):
    """The person asks for the deletion of their data: confirmed with the box on their page, then their
    account is closed and their contact details erased (those of wishes still being handled when they end)."""
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("请勾选确认后再申请删除。"))
        return redirect("accounts:me")
    user = request.user
    privacy.subject_erase(actor=user, user=user)
    logout(request)
    messages.success(request, _("您的个人信息已删除，账号已注销。"))
    return redirect("home")


def _next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _with_next(request, name: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return f"{reverse(name)}?{urlencode({'next': target})}" if target else reverse(name)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The second step: a code of the person's authenticator, or a recovery code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not user_has_device(user, confirmed=True):
        return redirect(_with_next(request, "accounts:two_factor_setup"))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["otp_token"].replace(" ", ""))
        if device is not None:
            second_step_passed(request=request, user=user, device=device)
            return redirect(_next(request))
        second_step_failed_recorded(request=request, user=user)
        form.add_error("otp_token", _("口令不正确或已过期，请重新输入。多次输错须等待片刻再试。"))
    return render(request, "accounts/two_factor.html", {"form": form, "next": request.GET.get("next", "")})


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), enter a code it shows."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(_with_next(request, "accounts:two_factor"))
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor_enrol(
            request=request, user=user, token=form.cleaned_data["otp_token"].replace(" ", "")
        )
        if codes is not None:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("otp_token", _("口令不正确，请核对手机时间后重新输入验证器上当前显示的数字。"))
    device = totp_device_pending(user=user)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": is_staff_account(user),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
def two_factor_qr(request):
    """The QR code of the authenticator being enrolled, as SVG from our own origin (no CDN, no script)."""
    if not request.user.is_authenticated:
        raise Http404
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-id").first()
    if device is None:
        raise Http404
    out = BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12).save(out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
@role_required()
def recovery_codes_renew(request):
    """New recovery codes for a person who has passed the second step (the old ones stop working)."""
    if not request.user.is_verified():
        return redirect("accounts:two_factor")
    codes = recovery_codes_issue(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:me")})


@never_cache
@require_http_methods(["GET", "POST"])
@role_required()
def password_change_view(request):
    """Change one's password: required at the next sign-in after the office set it, and when a staff
    password has expired. Every other session of the person ends."""
    form = PasswordChangeForm(request.user, request.POST or None)
    due = request.user.must_change_password
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda data: password_change(
                user=request.user, new_password=data["new_password1"], request=request
            ),
            success=_("密码已修改，其他设备上的登录已退出。"),
        )
        if done is not None:
            return redirect(_next(request, "accounts:me"))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "due": due, "next": request.GET.get("next", "")},
    )
