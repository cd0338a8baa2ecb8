"""Validation rules of the organisation's data, shared by forms, serializers and services."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# 010 and 02x are the three-digit area codes; every other one has four digits (0523 for Taizhou).
LANDLINE_DIGITS_RE = re.compile(r"^(0[12]\d|0[3-9]\d{2})(\d{7,8})$")


def validate_contact_phone(value: str, *, landline: bool) -> str:
    """A person's contact number: a mobile, or where ``landline`` (staff writing down a caller's or a
    visited household's number) also a landline with its area code, written one way whatever the
    spacing: ``0523 8881 2345`` → ``0523-88812345`` (so one number is one answer, one look-up)."""
    digits = (value or "").strip().replace(" ", "").replace("-", "")
    if landline and (match := LANDLINE_DIGITS_RE.match(digits)):
        return f"{match[1]}-{match[2]}"
    if PHONE_RE.match(digits):
        return digits
    if landline:
        raise ValidationError(
            _("请输入 11 位手机号码或带区号的固定电话（如 0523-88812345）。"), code="bad_phone"
        )
    raise ValidationError(_("请输入 11 位手机号码。"), code="bad_phone")


def validate_public_phone(value: str) -> str:
    """A number the public may call: a landline with its area code (``0523-88812345``) or a mobile."""
    value = (value or "").strip().replace(" ", "")
    if not (LANDLINE_RE.match(value) or PHONE_RE.match(value.replace("-", ""))):
        raise ValidationError(
            _("请输入带区号的固定电话（如 0523-88812345）或 11 位手机号码。"), code="bad_phone"
        )
    return value
