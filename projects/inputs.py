"""What each project service takes, declared once (``jiangyan.core.inputs``): the page's forms (``forms.py``),
the API's input serializers (``api.py``) and the services' own checks read it here. Indicator values are
not declared here: the page asks one field per indicator of the project, the API takes a list."""

from django.utils.translation import gettext_lazy as _

from campaigns.selectors import campaign_choices
from jiangyan.core.inputs import API, PAGE, Choice, Date, Images, Input, Integer, Ref, Text, text_of

from .choices import ProjectStatus
from .models import (
    WEIGHT_FIELDS,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    Milestone,
    ProgressStatement,
)

SCORE_MESSAGE = _("评分应为 1 到 5 分。")
SCORE_TWICE = _("同一项评价内容只能评一次分。")

STATEMENT_CREATE = Input(
    "statement_create",
    period_start=Date(label=_("起始日期")),
    period_end=Date(label=_("截止日期")),
    text=text_of(ProgressStatement, "text", max_length=5000),
    photos=Images(label=_("现场照片"), max_files=6),
)

MILESTONE_COMPLETE = Input(
    "milestone_complete",
    done_date=Date(label=_("实际完成日期")),
    evidence=text_of(Milestone, "evidence", max_length=2000),
    photos=Images(label=_("佐证照片"), max_files=6, only=PAGE),
)

PROJECT_STATUS_CHANGE = Input(
    "project_status_change",
    status=Choice(label=_("状态"), choices=ProjectStatus),
    reason=Text(label=_("原因"), max_length=200),
)

# An evaluation scores each criterion asked of the evaluator's role: the page asks one field per criterion
# (``forms.EvaluationForm``), the API takes the list ``scores``. ``score`` is the API's one score, accepted
# while a single criterion is asked (the default 综合评价 alone, as before the method had criteria).
EVALUATION_CREATE = Input(
    "evaluation_create",
    score=Integer(
        label=_("评分"),
        required=False,
        only=API,
        min_value=1,
        max_value=5,
        messages={
            "required": _("请选择评分。"),
            "null": _("请选择评分。"),
            "invalid": SCORE_MESSAGE,
            "min_value": SCORE_MESSAGE,
            "max_value": SCORE_MESSAGE,
        },
    ),
    comment=text_of(Evaluation, "comment", max_length=2000),
)

WEIGHT_MESSAGE = _("权重应为 0 到 100 的整数。")


def _weight(field: str) -> Integer:
    return Integer(
        label=EvaluationCriterion._meta.get_field(field).verbose_name,
        min_value=0,
        max_value=100,
        messages={"invalid": WEIGHT_MESSAGE, "min_value": WEIGHT_MESSAGE, "max_value": WEIGHT_MESSAGE},
    )


CRITERION_SET = Input(
    "criterion_set",
    name=text_of(EvaluationCriterion, "name"),
    description=text_of(EvaluationCriterion, "description"),
    **{field: _weight(field) for field in WEIGHT_FIELDS.values()},
    order=Integer(label=_("排序"), min_value=0, max_value=999, required=False),
)

EVALUATION_ROUND_SET = Input(
    "evaluation_round_set",
    name=text_of(EvaluationRound, "name"),
    starts_on=Date(label=_("开始日期")),
    ends_on=Date(label=_("截止日期")),
)

# The office or the lead unit files a project under a seasonal campaign (四季活动), or takes it out.
PROJECT_TAG_CAMPAIGN = Input(
    "project_tag_campaign",
    campaign=Ref(label=_("四季活动"), queryset=campaign_choices(), required=False),
)

INPUTS = (
    STATEMENT_CREATE,
    MILESTONE_COMPLETE,
    PROJECT_STATUS_CHANGE,
    EVALUATION_CREATE,
    CRITERION_SET,
    EVALUATION_ROUND_SET,
    PROJECT_TAG_CAMPAIGN,
)
