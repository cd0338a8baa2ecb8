"""Forms of the surveys app. They shape input; the services decide (required answers, types, windows)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PhoneField
from accounts.models import Community, Unit
from projects import selectors as project_selectors

from . import inputs
from .choices import PAPER_CHANNELS, RATING_MAX, RATING_MIN, TEXT_MAX_LENGTH, QuestionKind
from .models import ProblemItem, Question, Suggestion, Survey


def _communities():
    return Community.objects.select_related("town")


class SurveyAnswerForm(forms.Form):
    """One field ``q_<id>`` per question (all optional here: ``response_submit`` checks required answers and
    types, so page and API give the same messages), plus who/where fields. ``staff`` adds the channel of a
    paper questionnaire; ``fixed_community`` hides the community (community staff enter their own)."""

    def __init__(
        self,
        *args,
        survey: Survey,
        questions: list[Question],
        staff: bool = False,
        fixed_community: Community | None = None,
        anonymous: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = questions
        self.fixed_community = fixed_community
        self.fields["community"] = forms.ModelChoiceField(
            label=_("所在社区（村）"), queryset=_communities(), required=staff and fixed_community is None
        )
        if fixed_community is not None:
            self.fields["community"].initial = fixed_community.pk
            self.fields["community"].widget = forms.HiddenInput()
            self.fields["community"].queryset = _communities().filter(pk=fixed_community.pk)
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("收集渠道"), choices=[(c.value, c.label) for c in PAPER_CHANNELS]
            )
        self.fields["phone"] = PhoneField(
            landline=staff,
            required=False,
            help_text=_("每个手机号限填一次。") if anonymous else _("选填；每个手机号限填一次。"),
        )
        # Optional for the form (response_submit gives the message, as the API does), but an anonymous
        # online answer needs it: say so up front with the required mark.
        self.fields["phone"].marked_required = anonymous and not staff
        for question in questions:
            self.fields[question.field_name] = self._field_for(question)

    @staticmethod
    def _field_for(question: Question) -> forms.Field:
        common: dict[str, Any] = {"label": question.text, "required": False, "help_text": question.help_text}
        if question.kind == QuestionKind.SINGLE:
            return forms.TypedChoiceField(
                coerce=int,
                choices=[(o.pk, o.text) for o in question.options.all()],
                widget=forms.RadioSelect,
                **common,
            )
        if question.kind == QuestionKind.MULTIPLE:
            return forms.TypedMultipleChoiceField(
                coerce=int,
                choices=[(o.pk, o.text) for o in question.options.all()],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if question.kind == QuestionKind.RATING:
            return forms.TypedChoiceField(
                coerce=int,
                choices=[(s, f"{s}") for s in range(RATING_MIN, RATING_MAX + 1)],
                widget=forms.RadioSelect(attrs={"class": "rating"}),
                **common,
            )
        if question.kind == QuestionKind.NUMBER:
            attrs = {"inputmode": "decimal"}
            if question.min_value is not None:
                attrs["min"] = f"{question.min_value:g}"
            if question.max_value is not None:
                attrs["max"] = f"{question.max_value:g}"
            return forms.FloatField(
                widget=forms.NumberInput(attrs={**attrs, "step": "any"}),
                error_messages={"invalid": _("请输入数字。")},
                **common,
            )
        return forms.CharField(max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}), **common)

    def question_fields(self):
        return [(q, self[q.field_name]) for q in self.questions]

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(q.field_name) for q in self.questions}

    def submission(self) -> dict[str, Any]:
        """The keyword arguments of ``services.response_submit`` (besides actor and survey)."""
        data = {
            "answers": self.answers(),
            "phone": self.cleaned_data.get("phone") or "",
            "community": self.cleaned_data.get("community") or self.fixed_community,
        }
        if "channel" in self.fields:
            data["channel"] = self.cleaned_data["channel"]
        return data


SuggestionForm = inputs.SUGGESTION_SUBMIT.form(
    text={
        "label": _("您的建议"),
        "widget": forms.Textarea(attrs={"rows": 6, "placeholder": _("例如：建议在小区附近增设老年助餐点")}),
    },
)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("问卷数据（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("请使用本页提供的模板；全部行校验通过才会导入，否则一行也不写入。"),
    )


class CodingForm(forms.Form):
    """Code the chosen suggestions into one problem item (one candidate's button, or the bulk bar)."""

    suggestions = forms.ModelMultipleChoiceField(queryset=Suggestion.objects.all(), required=False)
    problem_item = forms.ModelChoiceField(
        queryset=ProblemItem.objects.all(),
        error_messages={"required": _("请选择问题清单条目。"), "invalid_choice": _("请选择问题清单条目。")},
    )
    back = forms.CharField(required=False)


class SuggestionItemsForm(forms.Form):
    """Code one suggestion into several problem items: the candidates ticked, in their order, and one more
    by its code (any case or width). The first is the main item; none at all is the service's refusal."""

    suggestion = forms.ModelChoiceField(queryset=Suggestion.objects.all())
    problem_items = forms.ModelMultipleChoiceField(queryset=ProblemItem.objects.all(), required=False)
    extra_code = forms.CharField(label=_("其他条目编号"), required=False, max_length=20)
    back = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        ticked = {item.pk: item for item in data.get("problem_items") or []}
        order = [int(pk) for pk in self.data.getlist("problem_items") if str(pk).isdigit()]
        items = [ticked[pk] for pk in dict.fromkeys(order) if pk in ticked]
        code = unicodedata.normalize("NFKC", data.get("extra_code") or "").strip().upper()
        if code:
            extra = ProblemItem.objects.filter(code__iexact=code).first()
            if extra is None:
                self.add_error("extra_code", _("没有编号为 %(code)s 的条目。") % {"code": code})
            else:
                items.append(extra)
        data["problem_items"] = items
        return data


DutyItemForm = inputs.DUTY_ITEM_CREATE.form(
    unit={"queryset": Unit.objects.filter(is_active=True)},
    action={"label": _("履职举措"), "widget": forms.Textarea(attrs={"rows": 3})},
    deadline={"widget": forms.DateInput(attrs={"type": "date"})},
)


class DutyStatusForm(
    inputs.DUTY_ITEM_UPDATE.form(progress_note={"widget": forms.Textarea(attrs={"rows": 2})})
):
    def __init__(self, *args, statuses=None, **kwargs):
        """``statuses``: the choices offered (``selectors.duty_item_statuses_for``); all when posted."""
        super().__init__(*args, **kwargs)
        if statuses is not None:
            self.fields["status"].choices = statuses


class LinkProjectsForm(forms.Form):
    projects = forms.ModelMultipleChoiceField(
        label=_("转化项目"),
        queryset=None,
        required=False,
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("可选多个项目；全部不选即取消关联。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = project_selectors.project_choices()
