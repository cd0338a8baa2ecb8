"""Bulk writes of the demo district at scale: ``COPY`` on PostgreSQL, ``executemany`` elsewhere (SQLite).

At ``--scale 100`` the survey alone is a million responses and eleven million answers; building a Django
object for each answer and an ``INSERT … VALUES`` statement for each batch took most of the seed. Rows here
are plain tuples of column values, written straight to the table. Demo only: nothing else writes behind
the services' back."""

import datetime
import functools
import io
import json
from collections.abc import Iterable, Sequence

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, in order, for rows written with :func:`copy_rows`
    that other rows must point to before they are written."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # One writer (the seed command): the next ids after the largest, which the table's own counter
        # (SQLite: max(rowid) + 1) then continues from.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 (a model's table)
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence], chunk: int) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    written, buffer = 0, io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(v) for v in row))
        buffer.write("\n")
        written += 1
        if written % chunk == 0:
            buffer.seek(0)
            cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', buffer)
            buffer = io.StringIO()
    if buffer.tell():
        buffer.seek(0)
        cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', buffer)
    return written


def copy_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], *, chunk: int = 200_000
) -> int:
    """Write ``rows`` (tuples in the order of ``columns``, database column names) into ``model``'s table.
    Values are what the column stores: ids for foreign keys, aware datetimes, dicts for JSON."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _copy(cursor, table, columns, rows, chunk)
        by_column = {f.column: f for f in model._meta.concrete_fields}
        # Only the values the driver does not take as they are (datetimes, JSON …) go through the field.
        plain = (
            models.AutoField,
            models.BigAutoField,
            models.IntegerField,
            models.FloatField,
            models.CharField,
        )
        preparers = [
            None
            if isinstance(by_column[c], plain) or by_column[c].is_relation
            else functools.partial(by_column[c].get_db_prep_save, connection=connection)
            for c in columns
        ]
        marks = ", ".join("%s" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 (a model's table)
        written, batch = 0, []
        for row in rows:
            batch.append([v if p is None else p(v) for p, v in zip(preparers, row, strict=True)])
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                written, batch = written + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
        return written


def update_objects(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    r"""``bulk_update(objects, fields)``; on PostgreSQL through a temporary table and one ``UPDATE … FROM``
    (``bulk_update``'s ``CASE`` of a thousand ``WHEN``\ s per batch is quadratic in the batch)."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields, batch_size=1000)
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in fields]
    temp = f"demo_update_{table}"
    listed = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE "{temp}" AS SELECT id, {listed} FROM "{table}" WITH NO DATA')
        _copy(
            cursor,
            temp,
            ["id", *columns],
            ([obj.pk, *(getattr(obj, model._meta.get_field(f).attname) for f in fields)] for obj in objects),
            200_000,
        )
        assignments = ", ".join(f'"{c}" = u."{c}"' for c in columns)
        cursor.execute(f'UPDATE "{table}" AS t SET {assignments} FROM "{temp}" AS u WHERE t.id = u.id')
        cursor.execute(f'DROP TABLE "{temp}"')


def copy_objects(objects: Sequence[models.Model], *, ids: Sequence[int] | None = None) -> None:
    """Write unsaved model instances of one model with :func:`copy_rows`, with the primary keys ``ids``
    (from :func:`reserve_ids`; set on the instances) — ``bulk_create`` without building an ``INSERT``."""
    if not objects:
        return
    model = type(objects[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if ids is not None:
        for obj, pk in zip(objects, ids, strict=True):
            obj.pk = pk
    pk = model._meta.pk
    columns = [pk.column, *(f.column for f in fields)]
    for obj in objects:
        for field in fields:
            if getattr(field, "auto_now", False) and getattr(obj, field.attname) is None:
                field.pre_save(obj, add=True)
        # As bulk_create does: a foreign key to an object saved since it was assigned takes its id.
        obj._prepare_related_fields_for_save(operation_name="copy_objects")
    rows = ([obj.pk, *(getattr(obj, f.attname) for f in fields)] for obj in objects)
    copy_rows(model, columns, rows)
