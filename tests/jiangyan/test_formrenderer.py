"""The site's form renderer writes a ``<select>`` in Python; it must give exactly the markup of Django's
templates, for every kind of select the portal has."""

from django import forms
from django.forms.renderers import DjangoTemplates

from jiangyan.core.formrenderer import PortalFormRenderer, select_html
from projects.filtersets import ProjectFilterSet
from projects.models import Project
from wishes.filtersets import WishFilterSet
from wishes.models import Wish


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙 & <丙>")])
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("组一", [("1", "一"), ("2", "二")]), ("组二", [("3", '三"')])], required=False
    )
    many = forms.MultipleChoiceField(choices=[(1, "一"), (2, "二"), (3, "三")])
    attrs = forms.ChoiceField(
        choices=[("x", "X")], widget=forms.Select(attrs={"data-x": 'a"b', "disabled": True, "hidden": False})
    )
    yes = forms.NullBooleanField()


def both(form_class, data, **kwargs) -> tuple[list[str], list[str]]:
    rendered = {}
    for renderer in (DjangoTemplates(), PortalFormRenderer()):
        form = form_class(data, renderer=renderer, **kwargs)
        rendered[type(renderer)] = [str(bound) for bound in form]
    return rendered[DjangoTemplates], rendered[PortalFormRenderer]


def test_selects_render_as_django_renders_them():
    data = {"plain": "b", "grouped": "3", "many": ["1", "3"], "attrs": "x", "yes": "true"}
    django_html, ours = both(Everything, data)
    assert ours == django_html
    assert any("<optgroup" in html for html in ours) and any(" selected" in html for html in ours)
    assert "乙 &amp; &lt;丙&gt;" in ours[0]
    # And it is the Python writer that answered, not Django's templates behind it.
    field = Everything(data)["grouped"]
    context = field.field.widget.get_context("grouped", "3", {"id": "id_grouped"})
    assert select_html(context["widget"]) == django_html[1]


def test_the_filter_forms_of_the_lists_render_as_django_renders_them(db):
    from tests.factories import CommunityFactory

    CommunityFactory.create_batch(3)
    lists = ((ProjectFilterSet, Project.objects.all()), (WishFilterSet, Wish.objects.all()))
    for filterset, queryset in lists:
        django_html, ours = [], []
        for renderer, out in ((DjangoTemplates(), django_html), (PortalFormRenderer(), ours)):
            form = filterset({"status": "bogus", "q": "x"}, queryset=queryset).form
            form.renderer = renderer
            out += [str(bound) for bound in form]
        assert ours == django_html
