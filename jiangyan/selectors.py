"""Reads of the site layer: the audit log across every registry."""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

AUDIT_COLUMNS = [
    _("时间"),
    _("操作人"),
    _("动作"),
    _("动作代码"),
    _("对象类型"),
    _("对象编号"),
    _("对象"),
    _("变更前"),
    _("变更后"),
    _("说明"),
]


def audit_log():
    """Every audit event, newest first, with what a list shows in one query."""
    return AuditEvent.objects.select_related("target_type").order_by("-created_at", "-id")


def _json_text(value) -> str:
    if value in (None, "", {}):
        return ""
    if isinstance(value, dict):
        return "；".join(f"{key}: {item}" for key, item in value.items())
    return str(value)


def audit_header() -> list[str]:
    return [str(column) for column in AUDIT_COLUMNS]


def audit_rows(queryset) -> Iterator[list]:
    """The rows of the audit log's spreadsheet (``AUDIT_COLUMNS``), streamed."""
    for event in queryset.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.created_at).replace(tzinfo=None),
            event.actor_label,
            str(event.verb_label),
            event.verb,
            str(event.target_type.name),
            event.target_id,
            event.target_repr,
            _json_text(event.before),
            _json_text(event.after),
            event.note,
        ]
