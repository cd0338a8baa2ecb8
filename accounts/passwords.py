"""The staff password rule (等保 身份鉴别): at least ``STAFF_PASSWORD_MIN_LENGTH`` characters of three
kinds (lower case, upper case, digits, other), not containing the username or phone number, none of the
last ``STAFF_PASSWORD_HISTORY`` passwords. Other people keep Django's validators alone."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .policy import is_staff_account


def character_kinds(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def _is_staff(user) -> bool:
    if user is None:
        return False
    if getattr(user, "_staff_password_rule", False):  # a staff account being created (admin add form)
        return True
    return is_staff_account(user)


class StaffPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if not _is_staff(user):
            return
        errors = []
        minimum = settings.STAFF_PASSWORD_MIN_LENGTH
        if len(password) < minimum or character_kinds(password) < 3:
            errors.append(
                ValidationError(
                    _("工作人员的密码至少 %(min)d 位，并含大写字母、小写字母、数字、符号中的三种。")
                    % {"min": minimum},
                    code="staff_password_weak",
                )
            )
        folded = password.casefold()
        for value in (user.username, getattr(user, "phone", "")):
            if value and len(value) >= 3 and value.casefold() in folded:
                errors.append(ValidationError(_("密码不能包含用户名或手机号。"), code="password_has_name"))
                break
        if user.pk is not None:
            recent = user.password_history.values_list("password", flat=True)[
                : settings.STAFF_PASSWORD_HISTORY
            ]
            if any(check_password(password, old) for old in recent):
                errors.append(
                    ValidationError(
                        _("不能使用最近 %(n)d 次用过的密码。") % {"n": settings.STAFF_PASSWORD_HISTORY},
                        code="password_reused",
                    )
                )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("工作人员的密码至少 %(min)d 位，并含大写字母、小写字母、数字、符号中的三种。") % {
            "min": settings.STAFF_PASSWORD_MIN_LENGTH
        }
