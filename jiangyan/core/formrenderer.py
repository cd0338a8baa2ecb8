"""The form renderer of the site (``FORM_RENDERER``): Django's, except that a ``<select>`` is written in
Python. Django renders each option through two included templates (``select_option.html``, ``attrs.html``);
a list page's filter form has a hundred options (units, towns, communities), and those includes cost more
than the page's queries. The output is the same markup, option for option (``tests/jiangyan/
test_formrenderer.py`` compares it with Django's templates); a widget with its own templates is rendered
by them as before."""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    # As ``attrs.html``: False leaves the attribute out, True writes its bare name.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict) -> str:
    return format_html(
        '<option value="{}"{}>{}</option>',
        str(option["value"]),
        mark_safe(_attrs(option["attrs"])),
        option["label"],
    )


def select_html(widget: dict) -> SafeString:
    """``select.html`` for the context of a ``Select`` widget (``widget.get_context()['widget']``)."""
    parts = [format_html('<select name="{}"{}>', widget["name"], mark_safe(_attrs(widget["attrs"])))]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts += [f"\n  {_option(option)}\n" for option in group_choices]  # the option template's newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if (
            template_name == SELECT
            and widget is not None
            and all(o["template_name"] == OPTION for _n, group, _i in widget["optgroups"] for o in group)
        ):
            return select_html(widget)
        return super().render(template_name, context, request=request)
