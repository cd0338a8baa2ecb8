"""The FilterSet of the audit log (``/audit/``): free text, actor, verb, object type and a date range."""

import datetime

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import VERB_LABELS, AuditEvent


def verb_choices() -> list[tuple[str, str]]:
    return sorted(((verb, f"{label}（{verb}）") for verb, label in VERB_LABELS.items()), key=lambda c: c[0])


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ObjectTypeFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "queryset",
            ContentType.objects.filter(
                app_label__in=["accounts", "projects", "surveys", "wishes", "supervision", "jiangyan"]
            ).order_by("app_label", "model"),
        )
        super().__init__(*args, **kwargs)


class AuditEventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("关键词"), method="filter_q", help_text=_("对象、说明或操作人中的文字")
    )
    actor = django_filters.CharFilter(
        label=_("操作人"), method="filter_actor", help_text=_("姓名、用户名或手机号")
    )
    verb = django_filters.ChoiceFilter(label=_("动作"), choices=verb_choices)
    target_type = ObjectTypeFilter(label=_("对象类型"))
    date_from = django_filters.DateFilter(
        label=_("起始日期"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["q", "actor", "verb", "target_type", "date_from", "date_to"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(target_repr__icontains=value)
            | Q(note__icontains=value)
            | Q(actor_label__icontains=value)
            | Q(target_id=value)
        )

    def filter_actor(self, queryset, name, value):
        return queryset.filter(
            Q(actor_label__icontains=value)
            | Q(actor__username__iexact=value)
            | Q(actor__phone=value)
            | Q(actor__real_name__icontains=value)
        )

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        # The whole of the last day: before the start of the next one.
        try:
            return queryset.filter(created_at__lt=_start_of(value + datetime.timedelta(days=1)))
        except OverflowError:
            return queryset
