"""Forms of the wish pages. They check the shape of the input (required, type, length); the services
decide and write, and their refusals come back onto these forms (``jiangyan.core.forms.submit``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import PhoneField
from accounts.models import Community

from . import inputs
from .choices import RESIDENT_CHANNELS, WishChannel
from .services import default_promised_date


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        return f"{obj.town.name} · {obj.name}"


class WishSubmitForm(
    inputs.WISH_CREATE.form(
        channel={
            "choices": [(c.value, c.label) for c in RESIDENT_CHANNELS],
            "widget": forms.HiddenInput,
        },
        community={"field_class": CommunityChoiceField, "empty_label": _("请选择")},
        category={"empty_label": _("请选择")},
        title={
            "label": pgettext_lazy("心愿表单的标题栏", "我的心愿"),
            "widget": forms.TextInput(attrs={"placeholder": _("如：修理漏水的水龙头")}),
        },
        text={"widget": forms.Textarea(attrs={"rows": 4}), "help_text": _("说说需要什么帮助、方便的时间。")},
        wisher_phone={
            "field_class": PhoneField,
            "help_text": _("只有认领党员和社区工作人员能看到完整号码。"),
        },
    )
):
    """A resident's wish on one phone screen: where, what, who."""


class WishEntryForm(WishSubmitForm):
    """Community staff enter a wish from a card, a box, the hotline or a visit."""

    # Paper and phone channels only (a resident online uses the resident's form); 心愿卡 first and chosen.
    channel = inputs.WISH_CREATE["channel"].form_field(
        choices=[(c.value, c.label) for c in WishChannel if c != WishChannel.ONLINE], initial=WishChannel.CARD
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


ClaimForm = inputs.WISH_CLAIM.form(
    promised_date={
        "widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        "initial": default_promised_date,
    }
)


class ApproveForm(forms.Form):
    """Approval asks nothing more than the button."""


ReleaseForm = inputs.WISH_RELEASE.form(reason={"label": _("原因")})
RejectForm = inputs.WISH_REJECT.form(reason={"label": _("原因")})
WithdrawForm = inputs.WISH_WITHDRAW.form(reason={"label": _("撤回原因（可选）")})
CampaignTagForm = inputs.WISH_TAG_CAMPAIGN.form(
    campaign={"empty_label": _("不归入活动"), "help_text": _("如：棉被、取暖器归入冬送温暖")}
)
FulfilForm = inputs.WISH_FULFIL.form(note={"widget": forms.Textarea(attrs={"rows": 3})})
FeedbackForm = inputs.WISH_FEEDBACK.form(
    satisfaction={"widget": forms.RadioSelect},
    comment={"label": _("意见（可选）"), "widget": forms.Textarea(attrs={"rows": 2})},
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


# --- dispatch (派单) -------------------------------------------------------------------------------------
# The member is the button pressed on the suggestion list (each carries its member's id).
DispatchForm = inputs.WISH_DISPATCH.form(
    member={"widget": forms.HiddenInput}, note={"widget": forms.Textarea(attrs={"rows": 2})}
)
OfferAcceptForm = inputs.OFFER_ACCEPT.form(
    promised_date={
        "widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        "initial": default_promised_date,
    }
)
OfferDeclineForm = inputs.OFFER_DECLINE.form(reason={"widget": forms.Textarea(attrs={"rows": 2})})
OfferWithdrawForm = inputs.OFFER_WITHDRAW.form(reason={"label": _("撤回原因（可选）")})


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


HelpTeamForm = inputs.HELP_TEAM_SAVE.form(
    members={"field_class": MemberChoiceField, "help_text": _("按住 Ctrl（手机上逐个点选）可选多名党员。")},
    town={"empty_label": _("不服务全镇")},
    communities={"help_text": _("服务全镇（街道）时可不选。")},
)


def help_team_initial(team) -> dict:
    """The office's form of ``team`` as it is now."""
    return {
        "kind": team.kind,
        "name": team.name,
        "town": team.town_id,
        "communities": [c.pk for c in team.communities.all()],
        "categories": list(team.categories),
        "members": [m.pk for m in team.members.all()],
        "active": team.active,
    }
