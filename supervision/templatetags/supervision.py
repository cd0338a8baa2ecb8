"""Filters of the report pages: signed changes, changes of rank and names in the reader's language
(``{% load supervision %}``)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def signed(value, digits: int = 0) -> str:
    """``+3`` / ``−2.5`` / ``0``; ``—`` when there is nothing to compare with."""
    if value is None or value == "":
        return "—"
    number = float(value)
    text = f"{abs(number):.{int(digits)}f}"
    if round(number, int(digits)) == 0:
        return f"{0:.{int(digits)}f}"
    return f"+{text}" if number > 0 else f"−{text}"


@register.filter
def trend_class(value, good: str = "up") -> str:
    """``better`` or ``worse`` for a change, when a rise is ``good="up"`` (or a fall, ``"down"``)."""
    if value in (None, "") or float(value) == 0:
        return ""
    rising = float(value) > 0
    return "better" if rising == (good == "up") else "worse"


@register.filter
def rank_change(value) -> str:
    """``↑2`` / ``↓1`` / ``—`` (new, or no earlier bulletin)."""
    if value in (None, ""):
        return "—"
    if value == 0:
        return _("持平")
    return f"↑{value}" if value > 0 else f"↓{-value}"


@register.filter
def name_in(value, names):
    """A name in a report's data (a unit, a program …) as ``names`` (``supervision.reports.glossary``, the
    reader's language) has it; as stored when it has none."""
    return names.name(value) if hasattr(names, "name") else value


@register.filter
def get(mapping, key):
    """``{{ row|get:"progress" }}`` — a dict's value by a key held in a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None
