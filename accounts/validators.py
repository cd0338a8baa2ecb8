"""Validation rules of the organisation's data, shared by forms, serializers and services."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> str:
    """A mainland mobile number, spaces and dashes removed: ``138 1234-5678`` → ``13812345678``."""
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if not PHONE_RE.match(value):
        raise ValidationError(_("请输入 11 位手机号码。"), code="bad_phone")
    return value


LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def validate_public_phone(value: str) -> str:
    """A number the public may call: a landline with its area code (``0523-88812345``) or a mobile."""
    value = (value or "").strip().replace(" ", "")
    if not (LANDLINE_RE.match(value) or PHONE_RE.match(value.replace("-", ""))):
        raise ValidationError(
            _("请输入带区号的固定电话（如 0523-88812345）或 11 位手机号码。"), code="bad_phone"
        )
    return value
