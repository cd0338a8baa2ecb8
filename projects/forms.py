"""Forms of the project registry. They check input; the services decide and write."""

import datetime

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiangyan.helpers.uploads import ImageUploadField, MultipleImageField

from . import inputs, selectors
from .choices import SCORE_CHOICES, ProjectStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VALUE_FIELD = {"max_digits": 14, "decimal_places": 2, "min_value": 0, "max_value": 10**12 - 1}


def plain_number(value) -> str:
    """90.00 → "90", 12.50 → "12.5": a figure as people write it."""
    return f"{value.normalize():f}" if value is not None else ""


class IndicatorValuesMixin:
    """Adds one optional decimal field per indicator of the project (``indicator_<id>``)."""

    def add_indicator_fields(self, indicators, *, required: bool) -> None:
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=_("{name}（目标 {target} {unit}）").format(
                    name=indicator.name, target=plain_number(indicator.target_value), unit=indicator.unit
                ),
                required=required,
                initial=indicator.current_value,
                **VALUE_FIELD,
                error_messages={"invalid": _("请输入数字。"), "min_value": _("不能为负数。")},
            )

    def indicator_values(self) -> dict:
        return {
            i.pk: self.cleaned_data[f"indicator_{i.pk}"]
            for i in self.indicators
            if self.cleaned_data.get(f"indicator_{i.pk}") is not None
        }


class StatementForm(
    IndicatorValuesMixin,
    inputs.STATEMENT_CREATE.form(
        period_start={"widget": DATE_WIDGET},
        period_end={"widget": DATE_WIDGET},
        text={"label": _("本期进展"), "widget": forms.Textarea(attrs={"rows": 5})},
        photos={"help_text": _("最多 6 张，JPG/PNG/WEBP，每张不超过 5 MB")},
    ),
):
    """A progress statement (领办单位述): period, text, photos and optional indicator values."""

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_start"].initial = today - datetime.timedelta(days=6)
        self.fields["period_end"].initial = today
        self.add_indicator_fields(indicators, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("截止日期不能早于起始日期。"))
        if end and end > timezone.localdate():
            self.add_error("period_end", _("截止日期不能晚于今天。"))
        return data


class MilestoneDoneForm(
    inputs.MILESTONE_COMPLETE.form(
        done_date={"widget": DATE_WIDGET},
        evidence={"widget": forms.Textarea(attrs={"rows": 3}), "help_text": _("文字说明或照片至少一项")},
    )
):
    """Mark a milestone done with its evidence."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_date"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("done_date") and data["done_date"] > timezone.localdate():
            self.add_error("done_date", _("完成日期不能晚于今天。"))
        if (
            not (data.get("evidence") or "").strip()
            and not data.get("photos")
            and not self.errors.get("photos")
            and not self.errors.get("evidence")
        ):
            self.add_error("evidence", _("请填写完成佐证或上传照片。"))
        return data


class IndicatorValuesForm(IndicatorValuesMixin, forms.Form):
    """The current values of a project's indicators."""

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_indicator_fields(indicators, required=True)


CampaignTagForm = inputs.PROJECT_TAG_CAMPAIGN.form(
    campaign={"empty_label": _("不归入活动"), "help_text": _("如：春风行动系列招聘会归入春送岗位")}
)


class StatusForm(
    inputs.PROJECT_STATUS_CHANGE.form(
        status={"label": _("改为"), "choices": ()},
        reason={"widget": forms.Textarea(attrs={"rows": 2}), "help_text": _("将记入办理记录")},
    )
):
    """Change a project's status by hand, with a reason; ``choices``: the moves open to this user
    (``services.status_moves_for``). The service decides again."""

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, ProjectStatus(value).label) for value in choices]


class PhotoForm(forms.Form):
    images = MultipleImageField(label=_("照片"), max_files=9, required=True)
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class SinglePhotoForm(forms.Form):
    image = ImageUploadField(label=_("照片"))


class EvaluationForm(inputs.EVALUATION_CREATE.form(comment={"widget": forms.Textarea(attrs={"rows": 3})})):
    """A rating: one 1–5 choice per criterion asked of the evaluator's role (``criterion_<id>``, built from
    the office's criteria: ``selectors.criteria_asked_of``), then the comment."""

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        comment = self.fields.pop("comment")
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择评分。"), "invalid_choice": inputs.SCORE_MESSAGE},
            )
        self.fields["comment"] = comment

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


CriterionForm = inputs.CRITERION_SET.form(description={"widget": forms.TextInput})


class RoundForm(
    inputs.EVALUATION_ROUND_SET.form(starts_on={"widget": DATE_WIDGET}, ends_on={"widget": DATE_WIDGET})
):
    """A round of evaluation: its name and days (both included)."""

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("截止日期不能早于开始日期。"))
        return data


def import_year_choices() -> list[tuple[int, str]]:
    """The years a list may go into: every year opened, and the year after the latest (opened by the
    import: 新开年度)."""
    years = selectors.year_choices()
    if not years:  # the registry's first list: the year its codes name (else this year), or this year
        this = timezone.localdate().year
        return [
            ("", _("按项目编号中的年度（首次导入）")),
            (this, _("%(year)d年度（新开，导入后设为当前年度）") % {"year": this}),
        ]
    latest = years[0][0]
    return [(latest + 1, _("%(year)d年度（新开，导入后设为当前年度）") % {"year": latest + 1}), *years]


def _current_or_next() -> int | str:
    current = selectors.current_year()
    return current.year if current else ""


class ImportForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("导入年度"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=import_year_choices,
        initial=_current_or_next,
        help_text=_("新的一年：选择新开年度，导入其清单；上一年度未完成的项目随后可选择转入。"),
    )
    file = forms.FileField(
        label=_("项目清单（xlsx）"),
        validators=[FileExtensionValidator(["xlsx"], message=_("请上传 .xlsx 文件。"))],
        help_text=_("请先下载模板填写；整表校验通过才会写入。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 10 MB。"))
        return upload


class ImportConfirmForm(forms.Form):
    """Confirms a previewed import: the staged file (its SHA-256) and the preview's digest."""

    token = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    year = forms.IntegerField(min_value=2000, max_value=2100, widget=forms.HiddenInput, required=False)


class YearOpenForm(forms.Form):
    """Open a campaign year without importing (its list comes later)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=60, required=False, help_text=_("如 2026年度"))


class CarryOverForm(forms.Form):
    """The unfinished projects of last year chosen to carry over (their codes), and the preview's digest
    when confirming."""

    projects = forms.MultipleChoiceField(label=_("转入的项目"), widget=forms.CheckboxSelectMultiple)
    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [
            (p.code, f"{p.code} {p.title} · {p.lead_unit.short_name} · {p.get_status_display()}")
            for p in candidates
        ]
