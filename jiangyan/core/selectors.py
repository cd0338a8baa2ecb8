"""Reads of the site layer: the audit log across every registry, and how its events read to the office."""

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jiangyan.models import AuditEvent

from .site import MODEL_FIELDS, audit_field

AUDIT_COLUMNS = [
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("动作"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象"),
    gettext_lazy("变更前"),
    gettext_lazy("变更后"),
    gettext_lazy("说明"),
]
SITE_APP = "jiangyan"


def audit_log():
    """Every audit event, newest first, with what a list shows in one query."""
    return AuditEvent.objects.select_related("target_type").order_by("-created_at", "-id")


class AuditReader:
    """How the before/after of events read: every key by its label, every stored code by its label, in the
    active language. A key is read, in this order, by what the target's app declares
    (``PortalAppConfig.audit_fields``), by the target model's field of that name (verbose name, choices;
    a foreign key's id reads as the object), by what this site declares for every model, and otherwise
    stays as written — a key that is already a label (the import writes its column names) reads as itself.
    One reader serves one export: the objects it looks up are remembered."""

    def __init__(self):
        self._keys: dict[tuple[str, str, str], tuple[str, str, Any]] = {}
        self._objects: dict[tuple[type, Any], str] = {}

    def describe(self, event: AuditEvent, values) -> str:
        """``状态：待认领；渠道：心愿卡`` for ``{"status": "open", "channel": "card"}`` of a wish."""
        content_type = event.target_type
        return self._text(content_type.app_label, content_type.model, values)

    def _text(self, app_label: str, model: str, values, *, nested: bool = False) -> str:
        if values in (None, "", {}, []):
            return ""
        if not isinstance(values, dict):
            return self._value(app_label, model, "", values)
        parts = []
        for key, value in values.items():
            label = self._key(app_label, model, key)[0]
            if isinstance(value, dict):
                inner = self._text(app_label, model, value, nested=True)
                parts.append(_("%(label)s（%(items)s）") % {"label": label, "items": inner})
            elif nested and isinstance(value, list) and len(value) == 2 and not key.isidentifier():
                # an item of an import: {"权重": [before, after]}
                before, after = (self._value(app_label, model, key, v) for v in value)
                parts.append(_("%(label)s：%(value)s") % {"label": label, "value": f"{before} → {after}"})
            else:
                value = self._value(app_label, model, key, value)
                parts.append(_("%(label)s：%(value)s") % {"label": label, "value": value})
        # Translators: separators of the parts of an audit value (nested, then top level)
        return (_("，") if nested else _("；")).join(parts)

    def _key(self, app_label: str, model: str, key: str) -> tuple[str, str, Any]:
        """The label of ``key`` and how its values read: ``("choices", {code: label})``, ``("object",
        model)`` (ids of a foreign key), ``("fields", model)`` (names of the model's fields) or
        ``("", None)`` (as written)."""
        cache_key = (app_label, model, key)
        if cache_key not in self._keys:
            self._keys[cache_key] = self._find(app_label, model, key)
        return self._keys[cache_key]

    def _find(self, app_label: str, model: str, key: str) -> tuple[str, str, Any]:
        target = self._model(app_label, model)
        declared = audit_field(app_label, model, key)
        if declared is None and target is not None:
            try:
                field = target._meta.get_field(key)
            except FieldDoesNotExist:
                field = None
            if field is not None and hasattr(field, "verbose_name"):
                if field.choices:
                    return str(field.verbose_name), "choices", dict(field.flatchoices)
                if isinstance(field, models.ForeignKey):
                    return str(field.verbose_name), "object", field.related_model
                return str(field.verbose_name), "", None
        declared = declared or audit_field(SITE_APP, "*", key)
        if declared is None:
            return key, "", None
        if declared.choices == MODEL_FIELDS:
            return str(declared.label), "fields", target
        labels = declared.value_labels()
        return str(declared.label), "choices" if labels else "", labels

    @staticmethod
    def _model(app_label: str, model: str):
        try:
            return apps.get_model(app_label, model)
        except LookupError:
            return None

    def _value(self, app_label: str, model: str, key: str, value) -> str:
        if isinstance(value, list):
            items = [self._value(app_label, model, key, v) for v in value]
            return pgettext("列表分隔符", "、").join(items) or "—"
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("是") if value else _("否")
        _label, kind, data = self._key(app_label, model, key) if key else ("", "", None)
        if kind == "choices":
            return str(data.get(value, value))
        if kind == "object":
            return self._object(data, value)
        if kind == "fields" and data is not None:
            try:
                return str(data._meta.get_field(str(value)).verbose_name)
            except FieldDoesNotExist:
                return str(value)
        return str(value)

    def _object(self, model: type[models.Model], pk) -> str:
        if not isinstance(pk, int):
            return str(pk)  # a name or code written by the service
        if (model, pk) not in self._objects:
            obj = model._default_manager.filter(pk=pk).first()
            self._objects[(model, pk)] = str(obj) if obj is not None else f"#{pk}"
        return self._objects[(model, pk)]


def audit_header() -> list[str]:
    return [str(column) for column in AUDIT_COLUMNS]


def audit_rows(queryset) -> Iterator[list]:
    """The rows of the audit log's spreadsheet (``AUDIT_COLUMNS``), streamed: local time, who, what (the
    verb's label), the object's kind and name, before and after as labels, the note."""
    reader = AuditReader()
    for event in queryset.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.created_at),
            event.actor_text,
            str(event.verb_label),
            str(event.target_type.name),
            event.target_repr,
            reader.describe(event, event.before),
            reader.describe(event, event.after),
            event.note_text,
        ]
