"""``manage.py rotate_pii_key``: re-encrypt every stored personal value with the current key and cipher.

Rotation: put the new key first in ``PII_KEYS`` (``new:…,old:…``), restart, run this command, then drop
the old key. Values already under the current key are left alone, so a run can be repeated or resumed.
The blind indexes are not touched (``PII_INDEX_KEY`` is a key of its own; see ``jiangyan.helpers.crypto``)."""

from django.apps import apps
from django.core.management.base import BaseCommand

from jiangyan.helpers import crypto
from jiangyan.helpers.fields import EncryptedTextField
from jiangyan.helpers.pii_migrations import rewrite_columns


def encrypted_columns() -> list[tuple[str, list[str]]]:
    """(table, encrypted columns) of every installed model with an encrypted field."""
    found = []
    for model in apps.get_models():
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if columns and not model._meta.proxy:
            found.append((model._meta.db_table, columns))
    return found


def rotate(value: str) -> str:
    return crypto.encrypt(crypto.decrypt(value)) if crypto.needs_rotation(value) else value


class Command(BaseCommand):
    help = "Re-encrypt stored personal information with the first key of PII_KEYS (and PII_CIPHER)."

    def handle(self, *args, **options):
        ring = crypto.keyring()
        for table, columns in encrypted_columns():
            rows = rewrite_columns(table, columns, {}, rotate)
            self.stdout.write(
                f"{table}: {', '.join(columns)} — {rows} rows under key {ring.current} ({ring.cipher})"
            )
