"""What each wish service takes, declared once (``jiangyan.core.inputs``): the page's forms (``forms.py``),
the API's input serializers (``api.py``) and the services' own checks read their limits and messages here."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Community, Town, User
from campaigns.selectors import campaign_choices
from jiangyan.core.inputs import (
    API,
    CHOOSE,
    PAGE,
    Boolean,
    Choice,
    Date,
    Images,
    Input,
    Ref,
    Text,
    message,
    text_of,
)
from jiangyan.core.roles import Role

from .choices import Satisfaction, TeamKind, WishCategory, WishChannel
from .models import DispatchOffer, HelpTeam, Wish


@dataclass(frozen=True, kw_only=True)
class Choices(Choice):
    """Several of ``choices``: check boxes on the page, a list in the API; one message for every way of
    getting it wrong."""

    def errors(self) -> dict:
        choose = message(CHOOSE, label=self.label)
        return {**super().errors(), "invalid_list": choose, "not_a_list": choose, "empty": choose}

    def form_field(self, **options) -> forms.Field:
        options.setdefault("widget", forms.CheckboxSelectMultiple)
        return super().form_field(field_class=forms.MultipleChoiceField, **options)

    def api_field(self, **options) -> serializers.Field:
        kwargs = self._api_kwargs(options, blank_default=list)
        return serializers.MultipleChoiceField(choices=self.options(), **kwargs)


# A reason goes into the wish's history (and, for a rejection, into ``Wish.reject_reason``).
REASON_LENGTH = Wish._meta.get_field("reject_reason").max_length
# The wisher follows up or withdraws without an account by the wish's query code (the page keeps it in
# the session of the tracking page, so only the API takes it).
QUERY_CODE = text_of(Wish, "query_code", required=False, only=API)

WISH_CREATE = Input(
    "wish_create",
    community=Ref(label=_("所在社区（村）"), queryset=Community.objects.select_related("town")),
    category=Choice(label=_("心愿类别"), choices=WishCategory),
    title=text_of(Wish, "title"),
    text=text_of(Wish, "text"),
    urgent=Boolean(label=_("生活帮帮团急需（居家隔离、行动不便，急需生活物资）")),
    wisher_name=text_of(Wish, "wisher_name", label=_("姓名")),
    wisher_phone=text_of(Wish, "wisher_phone"),
    wisher_address=text_of(Wish, "wisher_address"),
    photos=Images(label=_("照片（可选）"), max_files=3, only=PAGE),
    channel=Choice(label=_("征集渠道"), choices=WishChannel, default=WishChannel.ONLINE, required=False),
)

WISH_CLAIM = Input("wish_claim", promised_date=Date(label=_("承诺完成日期"), required=False))

WISH_RELEASE = Input("wish_release", reason=Text(label=_("释放原因"), max_length=REASON_LENGTH))

WISH_REJECT = Input("wish_reject", reason=text_of(Wish, "reject_reason", required=True))

WISH_FULFIL = Input(
    "wish_fulfil",
    note=text_of(Wish, "fulfil_note", max_length=1000, required=True),
    photos=Images(label=_("照片（可选）"), max_files=6),
)

WISH_FEEDBACK = Input(
    "wish_feedback",
    satisfaction=Choice(label=_("满意程度"), choices=Satisfaction),
    comment=text_of(Wish, "feedback_comment"),
    query_code=QUERY_CODE,
)

WISH_WITHDRAW = Input(
    "wish_withdraw",
    reason=Text(label=_("撤回原因"), max_length=REASON_LENGTH, required=False),
    query_code=QUERY_CODE,
)

# 派单: staff offer an open wish to a party member (``services.wish_dispatch``); the member accepts (a claim,
# with its promised date) or declines with a reason; staff may withdraw the offer.
OFFER_REASON_LENGTH = DispatchOffer._meta.get_field("reason").max_length
WISH_DISPATCH = Input(
    "wish_dispatch",
    member=Ref(
        label=_("派给党员"),
        queryset=User.objects.filter(groups__name=Role.PARTY_MEMBER, is_active=True).select_related(
            "member_profile__registered_community"
        ),
    ),
    note=text_of(DispatchOffer, "note", label=_("派单说明（可选）")),
)
OFFER_ACCEPT = Input("offer_accept", promised_date=Date(label=_("承诺完成日期"), required=False))
OFFER_DECLINE = Input(
    "offer_decline", reason=Text(label=_("婉拒原因"), max_length=OFFER_REASON_LENGTH, min_length=2)
)
OFFER_WITHDRAW = Input(
    "offer_withdraw", reason=Text(label=_("撤回原因"), max_length=OFFER_REASON_LENGTH, required=False)
)


# The community's staff file a wish under a seasonal campaign (四季活动), or take it out (no campaign).
WISH_TAG_CAMPAIGN = Input(
    "wish_tag_campaign",
    campaign=Ref(label=_("四季活动"), queryset=campaign_choices(), required=False),
)


# The office's form of a help team (``services.help_team_save``); members are party members.
HELP_TEAM_SAVE = Input(
    "help_team_save",
    kind=Choice(label=_("帮帮团类型"), choices=TeamKind),
    name=text_of(HelpTeam, "name"),
    town=Ref(label=_("服务全镇（街道）"), queryset=Town.objects.all(), required=False),
    communities=Ref(
        label=_("服务社区（村）"),
        queryset=Community.objects.select_related("town"),
        many=True,
        required=False,
    ),
    categories=Choices(label=_("受理类别"), choices=WishCategory),
    members=Ref(
        label=_("成员"),
        queryset=User.objects.with_role(Role.PARTY_MEMBER).filter(is_active=True).order_by("username"),
        many=True,
        required=False,
    ),
    active=Boolean(label=_("启用")),
)

INPUTS = (
    *(WISH_CREATE, WISH_CLAIM, WISH_RELEASE, WISH_REJECT, WISH_FULFIL, WISH_FEEDBACK, WISH_WITHDRAW),
    *(WISH_DISPATCH, OFFER_ACCEPT, OFFER_DECLINE, OFFER_WITHDRAW),
    WISH_TAG_CAMPAIGN,
    HELP_TEAM_SAVE,
)
