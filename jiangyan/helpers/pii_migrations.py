"""Rewriting stored personal information on raw rows, so it does not depend on the model fields of the
moment: the data migrations that encrypted the rows stored in clear text (``accounts/0004``,
``surveys/0005``, ``wishes/0004``; reversed, they decrypt), and ``manage.py rotate_pii_key``."""

from django.db import connection, transaction

from . import crypto

_BATCH = 2000


def rewrite_columns(table: str, columns: list[str], indexes: dict[str, str], transform) -> int:
    """Apply ``transform`` to every stored non-empty value of ``columns`` and recompute ``indexes`` (index
    column → source column) from the clear values, in batches of locked rows (a row changed by the portal
    meanwhile is not overwritten with its old value). Returns the number of rows seen."""
    names = ", ".join(connection.ops.quote_name(c) for c in ["id", *columns])
    quoted = connection.ops.quote_name(table)
    targets = [*columns, *indexes]
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in targets)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    last_id = seen = 0
    while True:
        with transaction.atomic():
            last_id, count = _rewrite_batch(
                quoted, names, columns, indexes, assignments, transform, last_id, lock
            )
        if not count:
            return seen
        seen += count


def _rewrite_batch(quoted, names, columns, indexes, assignments, transform, last_id, lock) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM {quoted} WHERE id > %s ORDER BY id LIMIT %s{lock}", [last_id, _BATCH]
        )
        rows = cursor.fetchall()
    if not rows:
        return last_id, 0
    updates = []
    for pk, *values in rows:
        by_column = dict(zip(columns, values, strict=True))
        new = [transform(v) if v else v for v in values]
        new += [crypto.blind_index(crypto.decrypt(by_column[source] or "")) for source in indexes.values()]
        if new[: len(columns)] != values or indexes:
            updates.append([*new, pk])
    if updates:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {quoted} SET {assignments} WHERE id = %s", updates)
    return rows[-1][0], len(rows)


def encrypt_columns(table: str, columns: list[str], indexes: dict[str, str]):
    """A RunPython forward function: seal every clear value of ``columns``, fill ``indexes``
    (index column → source column)."""

    def forward(apps, schema_editor):
        rewrite_columns(table, columns, indexes, lambda v: v if crypto.is_encrypted(v) else crypto.encrypt(v))

    return forward


def decrypt_columns(table: str, columns: list[str]):
    """The reverse: back to clear text (the indexes are dropped by the schema change that follows)."""

    def backward(apps, schema_editor):
        rewrite_columns(table, columns, {}, crypto.decrypt)

    return backward
