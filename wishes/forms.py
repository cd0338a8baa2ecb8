"""Forms of the wish pages. They check the shape of the input (required, type, length); the services
decide and write, and their refusals come back onto these forms (``jiangyan.forms.submit``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import PhoneField
from accounts.models import Community
from jiangyan.uploads import MultipleImageField

from .choices import RESIDENT_CHANNELS, Satisfaction, WishCategory, WishChannel
from .services import default_promised_date


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        return f"{obj.town.name} · {obj.name}"


class WishSubmitForm(forms.Form):
    """A resident's wish on one phone screen: where, what, who."""

    community = CommunityChoiceField(
        label=_("所在社区（村）"), queryset=Community.objects.select_related("town"), empty_label=_("请选择")
    )
    category = forms.ChoiceField(label=_("心愿类别"), choices=[("", _("请选择")), *WishCategory.choices])
    title = forms.CharField(
        label=pgettext_lazy("心愿表单的标题栏", "我的心愿"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("如：修理漏水的水龙头")}),
    )
    text = forms.CharField(
        label=_("详细说明"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说说需要什么帮助、方便的时间。"),
    )
    urgent = forms.BooleanField(label=_("生活帮帮团急需（居家隔离、行动不便，急需生活物资）"), required=False)
    wisher_name = forms.CharField(label=_("姓名"), max_length=50)
    wisher_phone = PhoneField(label=_("联系电话"), help_text=_("只有认领党员和社区工作人员能看到完整号码。"))
    wisher_address = forms.CharField(label=_("地址"), max_length=200, required=False)
    photos = MultipleImageField(label=_("照片（可选）"), max_files=3)
    channel = forms.ChoiceField(
        choices=[(c.value, c.label) for c in RESIDENT_CHANNELS],
        initial=WishChannel.ONLINE,
        widget=forms.HiddenInput,
    )


class WishEntryForm(WishSubmitForm):
    """Community staff enter a wish from a card, a box, the hotline or a visit."""

    # Paper and phone channels only (a resident online uses the resident's form); 心愿卡 first and chosen.
    channel = forms.ChoiceField(
        label=_("征集渠道"),
        choices=[(c.value, c.label) for c in WishChannel if c != WishChannel.ONLINE],
        initial=WishChannel.CARD,
    )
    field_order = ["channel", "community"]

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities
        # Staff write down somebody else's wish: the labels say whose.
        self.fields["title"].label = _("心愿内容")
        self.fields["title"].widget.attrs["placeholder"] = _("照心愿卡或来电内容填写，如：修理漏水的水龙头")
        self.fields["text"].help_text = _("需要什么帮助、方便上门的时间等。")
        self.fields["wisher_name"].label = _("心愿人姓名")
        self.fields["wisher_phone"].label = _("心愿人联系电话")
        self.fields["wisher_phone"].help_text = _("手机或带区号的固定电话。")
        self.fields["wisher_phone"].landline = True
        self.fields["wisher_address"].label = _("心愿人地址")
        self.fields["photos"].label = _("心愿卡或现场照片（可选）")


class ClaimForm(forms.Form):
    promised_date = forms.DateField(
        label=_("承诺完成日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        initial=default_promised_date,
    )


class ApproveForm(forms.Form):
    """Approval asks nothing more than the button."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因（可选）"), max_length=200, required=False)


class FulfilForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleImageField(label=_("照片（可选）"), max_files=6)


class FeedbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("满意程度"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度。")},
    )
    comment = forms.CharField(
        label=_("意见（可选）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrackForm(forms.Form):
    query_code = forms.CharField(
        label=_("查询码"),
        max_length=12,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_query_code(self):
        return self.cleaned_data["query_code"].strip().upper().replace(" ", "")
