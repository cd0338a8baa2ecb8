"""Template filters loaded in every template (``builtins``): masking and role checks."""

from django import template
from django.utils.translation import pgettext

from jiangyan import masking
from jiangyan.roles import has_role as _has_role

register = template.Library()

register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)
register.filter("mask_address", masking.mask_address)


@register.filter
def has_role(user, roles: str) -> bool:
    """``{% if user|has_role:"supervisor,admin" %}``"""
    return _has_role(user, *[r.strip() for r in roles.split(",")])


@register.filter
def listing(items) -> str:
    """``{{ project.towns.all|listing }}``: names joined as the language writes a list (、 in Chinese)."""
    return pgettext("列表分隔符", "、").join(str(item) for item in items)


@register.filter
def percent(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):.{int(digits)}f}%"


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()
