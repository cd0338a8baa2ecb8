from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jiangyan import privacy
from jiangyan.forms import submit
from jiangyan.permissions import role_required
from jiangyan.throttling import limited, register_limiter

from .forms import ResidentRegistrationForm, SignInForm
from .services import resident_register


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
