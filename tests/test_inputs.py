"""Each service input is declared once (``<app>/inputs.py``, ``jiangyan.core.inputs``), and the page's form
and the API's input serializer built from it agree: the same fields, the same limits (length, range, choices,
required-ness) and, for the same bad value, the same message — which is also the service's own."""

import importlib

import pytest
from django import forms
from django.http import QueryDict
from django.utils import translation
from rest_framework import serializers

from campaigns import api as campaigns_api
from campaigns import forms as campaigns_forms
from jiangyan.core import inputs as declared
from jiangyan.core.exceptions import ApplicationError
from jiangyan.core.inputs import Choice, Codes, Date, Images, Input, Integer, Ref, Text
from projects import api as projects_api
from projects import forms as projects_forms
from supervision import api as supervision_api
from supervision import forms as supervision_forms
from surveys import api as surveys_api
from surveys import forms as surveys_forms
from tests.wishes.test_pages import form_data
from wishes import api as wishes_api
from wishes import forms as wishes_forms
from wishes.inputs import WISH_CREATE
from wishes.models import Wish

APPS = ("accounts", "campaigns", "projects", "surveys", "wishes", "supervision")

# (the page's form, the API's input serializer) of every declared service input.
PAIRS = [
    (wishes_forms.WishSubmitForm, wishes_api.WishCreateInput),
    (wishes_forms.ClaimForm, wishes_api.ClaimInput),
    (wishes_forms.ReleaseForm, wishes_api.ReasonInput),
    (wishes_forms.RejectForm, wishes_api.RejectInput),
    (wishes_forms.FulfilForm, wishes_api.FulfilInput),
    (wishes_forms.FeedbackForm, wishes_api.FeedbackInput),
    (wishes_forms.WithdrawForm, wishes_api.WithdrawInput),
    (wishes_forms.DispatchForm, wishes_api.DispatchInput),
    (wishes_forms.OfferAcceptForm, wishes_api.OfferAcceptInput),
    (wishes_forms.OfferDeclineForm, wishes_api.OfferDeclineInput),
    (wishes_forms.OfferWithdrawForm, wishes_api.OfferWithdrawInput),
    (wishes_forms.CampaignTagForm, wishes_api.WishCampaignInput),
    (wishes_forms.HelpTeamForm, wishes_api.HelpTeamInput),
    (supervision_forms.OrderIssueForm, supervision_api.OrderIssueInput),
    (supervision_forms.AnswerForm, supervision_api.AnswerInput),
    (supervision_forms.ReturnForm, supervision_api.ReturnInput),
    (supervision_forms.CloseForm, supervision_api.CloseInput),
    (supervision_forms.InspectionForm, supervision_api.InspectionInput),
    (supervision_forms.LeaderForm, supervision_api.LeaderInput),
    (supervision_forms.ContactPointForm, supervision_api.ContactPointInput),
    (projects_forms.StatementForm, projects_api.StatementInput),
    (projects_forms.MilestoneDoneForm, projects_api.MilestoneCompleteInput),
    (projects_forms.StatusForm, projects_api.StatusInput),
    (projects_forms.EvaluationForm, projects_api.EvaluationInput),
    (projects_forms.CriterionForm, projects_api.CriterionInput),
    (projects_forms.RoundForm, projects_api.RoundInput),
    (projects_forms.CampaignTagForm, projects_api.ProjectCampaignInput),
    (campaigns_forms.CampaignForm, campaigns_api.CampaignInput),
    (campaigns_forms.CampaignUpdateForm, campaigns_api.CampaignUpdateInput),
    (surveys_forms.SuggestionForm, surveys_api.SuggestionInput),
    (surveys_forms.DutyItemForm, surveys_api.DutyItemInput),
    (surveys_forms.DutyStatusForm, surveys_api.DutyItemUpdateInput),
]

# Where a page offers fewer choices than the service takes (the resident's form, online and card only;
# the API lets the service decide who may use which channel): (form, field).
NARROWED = {
    (wishes_forms.WishSubmitForm, "channel"),
    (projects_forms.StatusForm, "status"),  # the moves open to this person now (``status_moves_for``)
}

# Fields that one side asks in a shape of its own, outside the declaration: (serializer, field).
UNDECLARED = {
    # The page asks one field per indicator of the project; the API takes the list.
    (projects_api.StatementInput, "indicator_values"),
    # The page asks one field per criterion asked of the evaluator's role; the API takes the list.
    (projects_api.EvaluationInput, "scores"),
}

# Forms that need their page's arguments to be built.
FORM_KWARGS: dict = {}


def declarations() -> list[Input]:
    found = []
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.inputs")
        except ModuleNotFoundError:
            continue
        found += list(module.INPUTS)
    return found


def test_every_declared_input_has_its_page_and_its_api_here():
    paired = [form.declaration for form, _serializer in PAIRS]
    assert all(form.declaration is serializer.declaration for form, serializer in PAIRS)
    assert sorted(map(repr, paired)) == sorted(map(repr, declarations()))


# --- the same fields and limits --------------------------------------------------------------------------
def form_limits(field: forms.Field) -> dict:
    choices = getattr(field, "choices", None)
    if isinstance(field, forms.ModelChoiceField):
        choices = None
    return {
        "required": field.required,
        "max_length": getattr(field, "max_files", getattr(field, "max_length", None)),
        "min_length": getattr(field, "min_length", None),
        "min_value": getattr(field, "min_value", None),
        "max_value": getattr(field, "max_value", None),
        "choices": [value for value, _label in choices if value != ""] if choices else None,
    }


def api_limits(field: serializers.Field) -> dict:
    choices = getattr(field, "choices", None) if isinstance(field, serializers.ChoiceField) else None
    return {
        "required": field.required,
        "max_length": getattr(field, "max_length", None),
        "min_length": getattr(field, "min_length", None),
        "min_value": getattr(field, "min_value", None),
        "max_value": getattr(field, "max_value", None),
        "choices": list(choices) if choices else None,
    }


def sides(form_class, serializer_class):
    declaration = form_class.declaration
    form = form_class(**FORM_KWARGS.get(form_class, {}))
    serializer = serializer_class()
    return declaration, form, serializer


@pytest.mark.django_db
@pytest.mark.parametrize("form_class,serializer_class", PAIRS, ids=lambda c: c.__name__)
def test_the_page_and_the_api_take_the_same_fields_with_the_same_limits(form_class, serializer_class):
    declaration, form, serializer = sides(form_class, serializer_class)
    writable = {
        name
        for name, field in serializer.fields.items()
        if not field.read_only and (serializer_class, name) not in UNDECLARED
    }
    page = {name for name, field in declaration.fields.items() if field.only != declared.API}
    api = {name for name, field in declaration.fields.items() if field.only != declared.PAGE}
    assert set(form.fields) == page
    assert writable == api
    for name in page & api:
        on_page, in_api = form_limits(form.fields[name]), api_limits(serializer.fields[name])
        if isinstance(declaration[name], Codes):  # one line of codes on the page, a list in the API
            assert on_page.pop("max_length") == declaration[name].max_length
            assert in_api.pop("max_length") is None
            assert serializer.fields[name].child.max_length == declaration[name].code_length
        if (form_class, name) in NARROWED:
            assert set(on_page.pop("choices") or ()) < set(in_api.pop("choices")), name
        assert on_page == in_api, name
        for key, value in declaration[name].limits().items():
            key = "max_length" if key == "max_files" else key
            if key in in_api:
                assert in_api[key] == (list(value) if key == "choices" else value), (name, key)


# --- the same message for the same bad value ---------------------------------------------------------------
def bad_values(field) -> list:
    """The values a field refuses, one of each kind of refusal."""
    if isinstance(field, Text):
        wrong = ["字" * (field.max_length + 1)]
        if field.min_length:
            wrong.append("字" * (field.min_length - 1))
        return [*wrong, ""] if field.required else wrong
    if isinstance(field, Choice):
        return ["no-such-choice", ""] if field.required else ["no-such-choice"]
    if isinstance(field, Integer):
        wrong = ["x"]
        wrong += [field.min_value - 1] if field.min_value is not None else []
        wrong += [field.max_value + 1] if field.max_value is not None else []
        return wrong
    if isinstance(field, Date):
        return ["31.02.2021", ""] if field.required else ["31.02.2021"]
    if isinstance(field, Ref):
        return [[987654321] if field.many else 987654321]
    return []


def messages_for(form_class, serializer_class, name, value):
    form_value = value
    if isinstance(value, list):
        data = {name: [str(v) for v in value]}
        form = form_class(_multi(data), **FORM_KWARGS.get(form_class, {}))
    else:
        form = form_class({name: form_value}, **FORM_KWARGS.get(form_class, {}))
    form.is_valid()
    serializer = serializer_class(data={name: value})
    serializer.is_valid()
    return [str(m) for m in form.errors.get(name, [])], [str(m) for m in serializer.errors.get(name, [])]


def _multi(data):
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    return query


CASES = [
    (form_class, serializer_class, name, value)
    for form_class, serializer_class in PAIRS
    for name, field in form_class.declaration.fields.items()
    if not field.only and not isinstance(field, Images)
    for value in bad_values(field)
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "form_class,serializer_class,name,value",
    CASES,
    ids=[f"{f.__name__}.{n}={str(v)[:12]!r}" for f, _s, n, v in CASES],
)
def test_a_bad_value_gets_the_same_message_on_the_page_and_in_the_api(
    form_class, serializer_class, name, value, language
):
    with translation.override(language):
        on_page, in_api = messages_for(form_class, serializer_class, name, value)
        assert on_page and on_page == in_api
        field = form_class.declaration[name]
        if isinstance(field, Text) and value:
            with pytest.raises(ApplicationError) as refused:
                field.clean(value, name)
            assert refused.value.fields[name] == on_page  # the service says it the same way


def test_text_read_from_the_model_keeps_the_models_limit():
    assert WISH_CREATE["title"].max_length == Wish._meta.get_field("title").max_length == 60
    assert WISH_CREATE["text"].max_length == Wish._meta.get_field("text").max_length == 1000


# --- through the pages and the API -------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_overlong_wish_title_is_refused_alike_by_the_page_and_the_api(client, api_client, community):
    title = "修" * 61
    page = client.post("/wishes/new/", form_data(community, title=title))
    api = api_client.post("/api/v1/wishes/", form_data(community, title=title), format="json")
    assert page.status_code in (200, 400) and api.status_code == 400
    message = api.json()["fields"]["title"]
    assert message == ["心愿不能超过 60 字。"]
    assert message[0] in page.content.decode()
