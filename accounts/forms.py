from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Community, User
from .validators import validate_contact_phone


class PhoneField(forms.CharField):
    """A mobile number; with ``landline`` (staff entry from a call or a visit) a landline too."""

    def __init__(self, *, landline: bool = False, **kwargs):
        self.landline = landline
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("联系电话") if landline else _("手机号"))
        super().__init__(**kwargs)
        # No HTML pattern: the browser would block a wrong number with its own generic message and the
        # person would never see ours ("请输入 11 位手机号码"). The server checks (validate_contact_phone).
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value):
        value = super().clean(value)
        return validate_contact_phone(value, landline=self.landline) if value else value


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("用户名（手机号）或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class ResidentRegistrationForm(forms.Form):
    """A resident signs up. Whether the phone number is free is the service's rule
    (``accounts.services.resident_register``); its refusal shows on the ``phone`` field."""

    phone = PhoneField()
    real_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    community = forms.ModelChoiceField(
        label=_("所在社区（村）"), queryset=Community.objects.select_related("town"), required=False
    )
    password1 = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if p1 and "phone" in cleaned:
            try:
                password_validation.validate_password(
                    p1,
                    User(
                        username=cleaned["phone"],
                        phone=cleaned["phone"],
                        real_name=cleaned.get("real_name", ""),
                    ),
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
