"""Checks of text shared by forms, serializers and services."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# A lone surrogate (from a JSON escape such as "\ud800") cannot be encoded as UTF-8, and PostgreSQL stores
# no NUL character: text with either ends in a database error unless it is refused first.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable_text(value: str) -> bool:
    """True when the database can store ``value`` (no NUL character, no lone surrogate)."""
    return _UNSTORABLE.search(value) is None


# Characters that reorder what is displayed (U+202A–U+202E embeddings and overrides, U+2066–U+2069
# isolates, U+200E/U+200F and U+061C marks): "报修‮单名‬" shows other text than it stores, in lists, exports
# and notifications alike. The portal's text is Chinese and needs none of them.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def has_bidi_controls(value: str) -> bool:
    return BIDI_CONTROLS.search(value) is not None


@deconstructible
class ProhibitBidiControlsValidator:
    """Refuse text with a direction control character, with a message saying what to remove. Every text
    field of the forms and the API has it (``install_text_validators``)."""

    code = "bidi_control"

    def __call__(self, value) -> None:
        if isinstance(value, str) and has_bidi_controls(value):
            raise ValidationError(bidi_message(), code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, ProhibitBidiControlsValidator)


def bidi_message() -> str:
    return _("含有改变文字显示方向的隐藏控制字符（如 U+202E），显示的内容会与实际不符，请删除后再提交。")


def date_window() -> tuple[datetime.date, datetime.date]:
    """The dates a form or the API accepts: ``PORTAL_DATE_RANGE`` = (years before, years after) today.
    0001-01-01 for a statement or 9999-12-31 for a deadline is a typing error or a probe, and would
    overflow the arithmetic of schedules and reminders."""
    from django.utils import timezone

    before, after = settings.PORTAL_DATE_RANGE
    today = timezone.localdate()
    return today.replace(year=today.year - before, day=min(today.day, 28)), today.replace(
        year=today.year + after, day=min(today.day, 28)
    )


def date_range_message(start: datetime.date, end: datetime.date) -> str:
    return _("日期须在 %(start)s 至 %(end)s 之间。") % {"start": start.isoformat(), "end": end.isoformat()}


def outside_date_window(value) -> tuple[datetime.date, datetime.date] | None:
    """The window when ``value`` (a date or datetime) falls outside it, else None."""
    if not isinstance(value, datetime.date):
        return None
    day = value.date() if isinstance(value, datetime.datetime) else value
    start, end = date_window()
    return None if start <= day <= end else (start, end)


def install_date_checks() -> None:
    """Every date and datetime a form field or a serializer field takes must fall in :func:`date_window`
    (the conversion methods are wrapped, as for the text checks)."""
    from django import forms
    from rest_framework import serializers

    if getattr(forms.DateField, "_portal_date_checks", False):
        return
    for field_class in (forms.DateField, forms.DateTimeField):
        original = field_class.to_python

        def to_python(self, value, _original=original):
            value = _original(self, value)
            window = outside_date_window(value)
            if window:
                raise ValidationError(date_range_message(*window), code="date_range")
            return value

        field_class.to_python = to_python
    for field_class in (serializers.DateField, serializers.DateTimeField):
        original = field_class.to_internal_value

        def to_internal_value(self, data, _original=original):
            value = _original(self, data)
            window = outside_date_window(value)
            if window:
                raise serializers.ValidationError(date_range_message(*window), code="date_range")
            return value

        field_class.to_internal_value = to_internal_value
    forms.DateField._portal_date_checks = True


def install_text_validators() -> None:
    """Give every text field of Django's forms and DRF's serializers the bidi check, as both frameworks
    already give them the NUL check: one declaration for every page and every API input. The classes'
    conversion methods are wrapped (not ``__init__``), so fields created before this runs have it too."""
    from django import forms
    from rest_framework import serializers

    if getattr(forms.CharField, "_portal_text_checks", False):
        return
    form_to_python = forms.CharField.to_python
    api_to_internal = serializers.CharField.to_internal_value

    def to_python(self, value):
        value = form_to_python(self, value)
        ProhibitBidiControlsValidator()(value)
        return value

    def to_internal_value(self, data):
        value = api_to_internal(self, data)
        if isinstance(value, str) and has_bidi_controls(value):
            raise serializers.ValidationError(bidi_message(), code=ProhibitBidiControlsValidator.code)
        return value

    forms.CharField.to_python = to_python
    serializers.CharField.to_internal_value = to_internal_value
    forms.CharField._portal_text_checks = True
