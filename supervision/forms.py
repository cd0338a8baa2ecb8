"""Forms of the supervision pages: they check the shape of the input; the services decide and write."""

import datetime

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Unit, User
from jiangyan.roles import Role
from jiangyan.uploads import MultipleImageField
from projects import selectors as projects

from . import selectors
from .choices import InspectionKind, LeadingBody
from .models import Inspection, Leader

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TARGET_CHOICES = [("project", _("实事项目")), ("wish", _("微心愿")), ("duty_item", _("履职事项"))]


def default_deadline() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=settings.SUPERVISION_ORDER_DEFAULT_DAYS)


class OrderIssueForm(forms.Form):
    """督办单: on what (a project, wish or duty item, by its code), why, what must be done, by when."""

    target_kind = forms.ChoiceField(label=_("督办类别"), choices=TARGET_CHOICES, initial="project")
    # A searchable picker: what the person types (a code, words of the title, the unit or community) asks
    # /orders/targets/ for the matching targets, offered in the input's list; without script a code typed
    # in full still works.
    target = forms.CharField(
        label=_("督办对象"),
        max_length=30,
        help_text=_("输入编号或名称中的字，从列表中选择"),
        widget=forms.TextInput(
            attrs={
                "list": "order-target-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("supervision:order-targets"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#order-target-options",
                "hx-include": "[name=target_kind]",
            }
        ),
    )
    reason = forms.CharField(label=_("督办事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    required_action = forms.CharField(
        label=_("整改要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("答复时限"), widget=DATE, initial=default_deadline)
    inspection = forms.ModelChoiceField(
        queryset=Inspection.objects.all(), required=False, widget=forms.HiddenInput, label=_("来源巡回指导")
    )

    def clean(self):
        data = super().clean()
        kind, key = data.get("target_kind"), data.get("target")
        if kind and key:
            target = selectors.order_target(kind, key)
            if target is None:
                self.add_error("target", _("没有找到这个编号对应的督办对象。"))
            else:
                data[kind] = target
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "required_action": data["required_action"],
            "deadline": data["deadline"],
            "inspection": data.get("inspection"),
            **{kind: data[kind] for kind in selectors.TARGET_KINDS if kind in data},
        }


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("整改措施、进展和结果"),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("新的答复时限"), widget=DATE, required=False)


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("办结意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommunityField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        return f"{obj.town.name} · {obj.name}"


class InspectionForm(forms.Form):
    """巡回指导: a field visit, forum or questionnaire — when, where, what was found, what it concerned."""

    kind = forms.ChoiceField(label=_("方式"), choices=InspectionKind.choices)
    date = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    places = forms.CharField(label=_("地点"), max_length=200)
    findings = forms.CharField(
        label=_("发现的问题与意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    project_codes = forms.CharField(
        label=_("相关项目"), required=False, max_length=500, help_text=_("项目编号，多个用空格或逗号分隔")
    )
    communities = CommunityField(
        label=_("走访社区（村）"), required=False, queryset=Community.objects.select_related("town")
    )
    units = forms.ModelMultipleChoiceField(label=_("走访单位"), required=False, queryset=Unit.objects.all())
    inspectors = forms.ModelMultipleChoiceField(
        label=_("其他参加人员"),
        required=False,
        queryset=User.objects.with_role(Role.SUPERVISOR).order_by("username"),
        help_text=_("记录人自动列为参加人员"),
    )
    photos = MultipleImageField(label=_("现场照片"), max_files=6, help_text=_("最多 6 张"))

    def clean_project_codes(self):
        codes = [
            c.strip().upper()
            for c in self.cleaned_data["project_codes"].replace("，", ",").replace(",", " ").split()
        ]
        found = list(projects.projects_by_codes(codes))
        missing = sorted(set(codes) - {p.code for p in found})
        if missing:
            raise forms.ValidationError(_("没有这些项目编号：%(codes)s") % {"codes": "、".join(missing)})
        return found

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["projects"] = data.pop("project_codes")
        return data


class SupervisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name}（{obj.username}）"


class LeaderForm(forms.Form):
    """四套班子成员: whose account, which body, what post, where in the order of precedence."""

    user = SupervisorChoiceField(
        label=_("账号"),
        queryset=User.objects.with_role(Role.SUPERVISOR).filter(is_active=True).order_by("username"),
        help_text=_("领导本人的督查人员账号；已登记的领导再次保存即修改职务"),
    )
    body = forms.ChoiceField(label=_("班子"), choices=LeadingBody.choices)
    title = forms.CharField(label=_("职务"), max_length=40, help_text=_("如：区委书记、副区长"))
    rank = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=100)


class ContactPointForm(forms.Form):
    leader = forms.ModelChoiceField(
        label=_("联系领导"), queryset=Leader.objects.select_related("user").order_by("rank", "id")
    )
    community = forms.ModelChoiceField(
        label=_("联系社区（村）"), required=False, queryset=Community.objects.select_related("town")
    )
    unit = forms.ModelChoiceField(label=_("联系单位"), required=False, queryset=Unit.objects.all())
    since = forms.DateField(label=_("起始日期"), widget=DATE, initial=timezone.localdate)
