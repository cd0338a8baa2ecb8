"""What every FilterSet shares (``PortalFilterSet`` with its free-text ``q``, ``LookupFilter``) and the
FilterSet of the audit log (``/audit/``): free text, actor, verb, object type and a date range."""

import copy
import datetime
import functools
import operator

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiangyan.helpers.crypto import blind_index
from jiangyan.models import VERB_LABELS, AuditEvent


class _FetchedChoices(django_filters.fields.ModelChoiceIterator):
    """The choices of a lookup table in one plain query. Django's iterator reads them through
    ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor (declare, fetch, close: three
    round trips) for a table of a few dozen rows — on a list page with five filters, more time than the
    rest of the page's queries."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _LookupChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _FetchedChoices

    def label_from_instance(self, obj) -> str:
        """A row by its name in the reader's language where it has one (lookups, units: ``local_name``)."""
        return getattr(obj, "local_name", None) or str(obj)


class LookupFilter(django_filters.ModelChoiceFilter):
    """``ModelChoiceFilter`` for a small table (programs, towns, units, communities …): every FilterSet's
    choice of a row uses it."""

    field_class = _LookupChoiceField


SEARCH_LENGTH = 50  # characters of the free text searched for; the rest is ignored


class PortalFilterSet(django_filters.FilterSet):
    """The base of every list's FilterSet (one for the page and the API list alike): the free-text search
    ``q``, declared once, with one label. A subclass names the lookups it searches in ``search_fields``
    (``"title__icontains"``, ``"code__iexact"`` …; a row matching any of them is found) and may explain
    them in ``search_help``. The text is trimmed and cut at ``SEARCH_LENGTH`` characters; blank finds
    everything."""

    search_fields: tuple[str, ...] = ()
    search_help: str = ""

    q = django_filters.CharFilter(label=_("关键词"), method="search")

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        if cls.search_help and "q" in filters:
            filters["q"] = copy.deepcopy(filters["q"])  # the declared filter is shared by every subclass
            filters["q"].extra["help_text"] = cls.search_help
        return filters

    def search(self, queryset, name, value):
        value = value.strip()[:SEARCH_LENGTH]
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(functools.reduce(operator.or_, (Q(**{f: value}) for f in self.search_fields)))


def verb_choices() -> list[tuple[str, str]]:
    return sorted(((verb, f"{label}（{verb}）") for verb, label in VERB_LABELS.items()), key=lambda c: c[0])


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ObjectTypeFilter(LookupFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "queryset",
            ContentType.objects.filter(
                app_label__in=[
                    "accounts",
                    "notifications",
                    "projects",
                    "surveys",
                    "wishes",
                    "supervision",
                    "jiangyan",
                ]
            ).order_by("app_label", "model"),
        )
        super().__init__(*args, **kwargs)


class AuditEventFilterSet(PortalFilterSet):
    search_fields = ("target_repr__icontains", "note__icontains", "actor_label__icontains", "target_id")
    search_help = _("对象、说明或操作人中的文字")

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

    def filter_actor(self, queryset, name, value):
        return queryset.filter(
            Q(actor_label__icontains=value)
            | Q(actor__username__iexact=value)
            | Q(actor__phone_index=blind_index(value))
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
