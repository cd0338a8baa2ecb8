"""Model fields for personal information: encrypted at rest (``jiangyan.helpers.crypto``), found again through
a blind index. Python code reads and writes clear text; only the database holds ciphertext."""

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

from . import crypto


class EmptyOnlyExact(Exact):
    """``field=""``: whether a value is there at all (ciphertext of a non-empty value compares to nothing)."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                'An encrypted field is compared only with ""; look values up by their blind index'
            )
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("An encrypted field cannot be compared with another column")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text stored encrypted (``pii1$…``) and read back in clear. The database cannot compare ciphertext,
    so no lookup but ``isnull`` and ``=""`` is allowed: an equality look-up goes through the field's
    :class:`BlindIndexField` (``<field>_index``), and a mistaken ``filter(phone=…)`` fails loudly instead
    of silently matching nothing. ``max_length`` limits the clear text (forms, admin)."""

    _ALLOWED_LOOKUPS = frozenset({"isnull"})

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name not in self._ALLOWED_LOOKUPS:
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or crypto.is_encrypted(value):
            return value
        return crypto.encrypt(value)


class BlindIndexField(models.CharField):
    """The keyed HMAC of another field (``source``), computed whenever the row is saved with that field:
    the equality look-up of an encrypted value. Null when the value is empty.

    A save that changes the source must save this field too (``update_fields`` naming both); the erasure
    of contact details keeps the index on purpose (``update_fields`` without it), so the one-answer-per-
    phone rule still holds after the phone itself is gone."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("null", True), ("blank", True), ("editable", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
