"""What each supervision service takes, declared once (``jiangyan.core.inputs``): the page's forms
(``forms.py``), the API's input serializers (``api.py``) and the services' own checks read it here."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Unit, User
from jiangyan.core.inputs import Choice, Codes, Date, Images, Input, Integer, Ref, Text, text_of
from jiangyan.core.roles import Role
from projects import selectors as projects

from . import selectors
from .choices import InspectionKind, LeadingBody
from .models import Inspection, Leader, SupervisionOrder

# The orders' texts are TextFields: their limit is the portal's, one for all of them.
TEXT_LIMIT = 2000
TARGET_CHOICES = [("project", _("实事项目")), ("wish", _("微心愿")), ("duty_item", _("履职事项"))]


def order_text(name: str, **overrides) -> Text:
    return text_of(SupervisionOrder, name, max_length=TEXT_LIMIT, **overrides)


def _order_issue(data: dict) -> dict:
    """The target looked up by its kind and code (a project's or wish's code, a duty item's number)."""
    target = selectors.order_target(data["target_kind"], data["target"])
    if target is None:
        raise ValidationError({"target": [_("没有找到这个编号对应的督办对象。")]})
    kwargs = {name: data.get(name) for name in ("reason", "required_action", "deadline", "inspection")}
    return {**kwargs, data["target_kind"]: target}


ORDER_ISSUE = Input(
    "order_issue",
    resolve=_order_issue,
    target_kind=Choice(label=_("督办类别"), choices=TARGET_CHOICES, default="project"),
    target=Text(label=_("督办对象"), max_length=30),
    reason=order_text("reason"),
    required_action=order_text("required_action"),
    deadline=Date(label=_("答复时限")),
    inspection=Ref(label=_("来源巡回指导"), queryset=Inspection.objects.all(), required=False),
)

ORDER_ANSWER = Input("order_answer", answer=order_text("answer", required=True))

ORDER_RETURN = Input(
    "order_return",
    reason=order_text("return_reason", required=True),
    deadline=Date(label=_("新的答复时限"), required=False),
)

ORDER_CLOSE = Input("order_close", note=order_text("close_note"))


def _inspection_record(data: dict) -> dict:
    """The projects looked up by their codes; every code must name one."""
    data = dict(data)
    codes = data.pop("project_codes", None) or []
    found = list(projects.projects_by_codes(codes))
    missing = sorted(set(codes) - {p.code for p in found})
    if missing:
        raise ValidationError(
            {"project_codes": [_("没有这些项目编号：%(codes)s") % {"codes": "、".join(missing)}]}
        )
    return {**data, "projects": found}


INSPECTION_RECORD = Input(
    "inspection_record",
    resolve=_inspection_record,
    kind=Choice(label=_("方式"), choices=InspectionKind),
    date=Date(label=_("日期")),
    places=text_of(Inspection, "places"),
    findings=text_of(Inspection, "findings", max_length=TEXT_LIMIT),
    project_codes=Codes(label=_("相关项目"), max_length=500, code_length=20),
    communities=Ref(
        label=_("走访社区（村）"),
        queryset=Community.objects.select_related("town"),
        many=True,
        required=False,
    ),
    units=Ref(label=_("走访单位"), queryset=Unit.objects.all(), many=True, required=False),
    inspectors=Ref(label=_("其他参加人员"), queryset=User.objects.all(), many=True, required=False),
    photos=Images(label=_("现场照片"), max_files=6),
)

LEADER_APPOINT = Input(
    "leader_appoint",
    user=Ref(
        label=_("账号"),
        queryset=User.objects.with_role(Role.SUPERVISOR).filter(is_active=True).order_by("username"),
    ),
    body=Choice(label=_("班子"), choices=LeadingBody),
    title=text_of(Leader, "title"),
    rank=Integer(label=_("排序"), min_value=0, max_value=999, required=False),
)

CONTACT_POINT_ASSIGN = Input(
    "contact_point_assign",
    leader=Ref(label=_("联系领导"), queryset=Leader.objects.select_related("user").order_by("rank", "id")),
    community=Ref(
        label=_("联系社区（村）"), queryset=Community.objects.select_related("town"), required=False
    ),
    unit=Ref(label=_("联系单位"), queryset=Unit.objects.all(), required=False),
    since=Date(label=_("起始日期"), required=False),
)

INPUTS = (
    ORDER_ISSUE,
    ORDER_ANSWER,
    ORDER_RETURN,
    ORDER_CLOSE,
    INSPECTION_RECORD,
    LEADER_APPOINT,
    CONTACT_POINT_ASSIGN,
)
