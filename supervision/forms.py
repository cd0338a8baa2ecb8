"""Forms of the supervision pages: they check the shape of the input; the services decide and write."""

import datetime

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, User
from jiangyan.core.roles import Role

from . import inputs

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def default_deadline() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=settings.SUPERVISION_ORDER_DEFAULT_DAYS)


class OrderIssueForm(
    inputs.ORDER_ISSUE.form(
        # A searchable picker: what the person types (a code, words of the title, the unit or community)
        # asks /orders/targets/ for the matching targets, offered in the input's list; without script a
        # code typed in full still works.
        target={
            "help_text": _("输入编号或名称中的字，从列表中选择"),
            "widget": forms.TextInput(
                attrs={
                    "list": "order-target-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("supervision:order-targets"),
                    "hx-trigger": "input changed delay:300ms, search",
                    "hx-target": "#order-target-options",
                    "hx-include": "[name=target_kind]",
                }
            ),
        },
        reason={"widget": forms.Textarea(attrs={"rows": 3})},
        required_action={"widget": forms.Textarea(attrs={"rows": 3})},
        deadline={"widget": DATE, "initial": default_deadline},
        inspection={"widget": forms.HiddenInput},
    )
):
    """督办单: on what (a project, wish or duty item, by its code), why, what must be done, by when."""


AnswerForm = inputs.ORDER_ANSWER.form(
    answer={"widget": forms.Textarea(attrs={"rows": 4}), "help_text": _("整改措施、进展和结果")}
)
ReturnForm = inputs.ORDER_RETURN.form(
    reason={"widget": forms.Textarea(attrs={"rows": 3})}, deadline={"widget": DATE}
)
CloseForm = inputs.ORDER_CLOSE.form(note={"widget": forms.Textarea(attrs={"rows": 2})})


class CommunityField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        return f"{obj.town.name} · {obj.name}"


InspectionForm = inputs.INSPECTION_RECORD.form(
    date={"widget": DATE, "initial": timezone.localdate},
    findings={"widget": forms.Textarea(attrs={"rows": 5})},
    project_codes={"help_text": _("项目编号，多个用空格或逗号分隔")},
    communities={"field_class": CommunityField},
    inspectors={
        "queryset": User.objects.with_role(Role.SUPERVISOR).order_by("username"),
        "help_text": _("记录人自动列为参加人员"),
    },
    photos={"help_text": _("最多 6 张")},
)


class SupervisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name}（{obj.username}）"


# 四套班子成员: whose account, which body, what post, where in the order of precedence.
LeaderForm = inputs.LEADER_APPOINT.form(
    user={
        "field_class": SupervisorChoiceField,
        "help_text": _("领导本人的督查人员账号；已登记的领导再次保存即修改职务"),
    },
    title={"help_text": _("如：区委书记、副区长")},
    rank={"initial": 100},
)
ContactPointForm = inputs.CONTACT_POINT_ASSIGN.form(since={"widget": DATE, "initial": timezone.localdate})
