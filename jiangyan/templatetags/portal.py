"""Template filters and tags loaded in every template (``builtins``): masking, role checks, numbers, cached
fragments."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from jiangyan.core import fragments
from jiangyan.core.pagecache import shared_render
from jiangyan.core.roles import has_role as _has_role
from jiangyan.helpers import masking, numbers

register = template.Library()

register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)
register.filter("mask_address", masking.mask_address)


@register.filter
def has_role(user, roles: str) -> bool:
    """``{% if user|has_role:"supervisor,admin" %}``"""
    return _has_role(user, *[r.strip() for r in roles.split(",")])


@register.inclusion_tag("partials/status_badge.html")
def status_badge(obj, overdue: bool = True) -> dict:
    """``{% status_badge wish %}``: the badge of ``obj``'s status in the tone its model declares
    (``status_tones``, from the app's choices); past its deadline (``is_overdue``) it reads 已逾期 in the bad
    tone, unless ``overdue=False`` (a page that shows lateness on its own)."""
    late = overdue and getattr(obj, "is_overdue", False)
    tone = "bad" if late else obj.status_tones.get(obj.status, "")
    return {"label": obj.get_status_display(), "tone": tone, "late": late}


@register.filter
def listing(items) -> str:
    """``{{ project.towns.all|listing }}``: names joined as the language writes a list (、 in Chinese), each
    in the reader's language where it has one (``local_name``: lookups, units)."""
    return pgettext("列表分隔符", "、").join(getattr(item, "local_name", None) or str(item) for item in items)


@register.filter
def percent(value, digits: int = 0) -> str:
    """``{{ x|percent:1 }}`` → ``62.5%``, rounded by the one rule of ``jiangyan.helpers.numbers``."""
    return numbers.percent(value, int(digits))


@register.filter
def score(value) -> str:
    """``{{ average|score }}`` → ``3.63``, rounded by the one rule of ``jiangyan.helpers.numbers``."""
    return numbers.score(value)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag
def render_each(template_name: str, objects, name: str, version: str = "fragment_version", **context) -> str:
    """``{% render_each "projects/_row.html" projects name="p" %}``: the template for each object, from the
    fragment cache while the object's ``fragment_version()`` (or the method ``version``) is the same
    (``jiangyan.core.fragments``). The template sees only ``name`` and ``context``, never the request or the
    reader."""
    return fragments.render_each(template_name, objects, name=name, context=context, version=version)


@register.simple_tag(takes_context=True)
def personal(context, template_name: str) -> str:
    """``{% personal "partials/personal/notice.html" %}``: a part of the page that is the reader's own (the
    header's name and notices, the messages). Included here — or, in a page rendered to be shared by every
    reader of the same roles and scope, a marker each request fills in (``jiangyan.core.pagecache``)."""
    request = context.get("request")
    if request is not None and shared_render(request):
        return mark_safe(f"<!--personal:{template_name}-->")  # noqa: S308 (a template name of ours)
    return context.template.engine.get_template(template_name).render(context)


@register.inclusion_tag("partials/consent.html")
def consent(purpose: str):
    """The notice of a form that collects personal information (PIPL 告知同意): why, who sees it, how long
    it is kept (the retention settings, so the notice cannot drift from the erasure task)."""
    days = {
        "wish": settings.WISH_CONTACT_RETENTION_DAYS,
        "survey": settings.SURVEY_PHONE_RETENTION_DAYS,
    }[purpose]
    return {"purpose": purpose, "days": days}
