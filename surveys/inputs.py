"""What the survey services take, declared once (``jiangyan.core.inputs``): the page's forms (``forms.py``)
and the API's input serializers (``api.py``) are built here. A survey's answers are not: their fields follow
the survey's questions (``forms.SurveyAnswerForm``), and ``response_submit`` checks them for both."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Community, Unit
from jiangyan.core.inputs import API, Choice, Date, Input, Ref, Text, message, text_of

from .choices import TEXT_MAX_LENGTH, DutyStatus
from .models import DutyItem, ProblemItem
from .services import SUGGESTION_MIN_LENGTH

# The service's own words (``suggestion_submit``): an empty suggestion is one too short.
TOO_SHORT = message(gettext_noop("请至少写 %(n)d 个字。"), n=SUGGESTION_MIN_LENGTH)
TOO_LONG = message(gettext_noop("不能超过 %(n)d 字。"), n=TEXT_MAX_LENGTH)

SUGGESTION_SUBMIT = Input(
    "suggestion_submit",
    text=Text(
        label=_("建议内容"),
        max_length=TEXT_MAX_LENGTH,
        min_length=SUGGESTION_MIN_LENGTH,
        messages={code: TOO_SHORT for code in ("required", "blank", "null", "min_length")}
        | {"max_length": TOO_LONG},
    ),
    community=Ref(
        label=_("所在社区（村）"), queryset=Community.objects.select_related("town"), required=False
    ),
)

DUTY_ITEM_CREATE = Input(
    "duty_item_create",
    problem_item=Ref(label=_("问题清单条目"), queryset=ProblemItem.objects.all(), only=API),
    unit=Ref(label=_("责任单位"), queryset=Unit.objects.all()),
    action=text_of(DutyItem, "action", max_length=1000),
    deadline=Date(label=_("完成时限")),
)

# A PATCH in the API (``partial``): each field is optional there; the page's status form asks the
# status and its note, and only the API changes the action, unit or deadline.
DUTY_ITEM_UPDATE = Input(
    "duty_item_update",
    status=Choice(label=_("状态"), choices=DutyStatus),
    progress_note=text_of(DutyItem, "progress_note", max_length=1000),
    action=text_of(DutyItem, "action", max_length=1000, only=API),
    unit=Ref(label=_("责任单位"), queryset=Unit.objects.all(), only=API),
    deadline=Date(label=_("完成时限"), only=API),
)

INPUTS = (SUGGESTION_SUBMIT, DUTY_ITEM_CREATE, DUTY_ITEM_UPDATE)
