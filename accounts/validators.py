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
