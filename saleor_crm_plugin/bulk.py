"""Write many rows in a few statements.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per row and field, and
``bulk_create`` prepares every value through its field and binds thousands of parameters; for
runs of thousands of rows both cost seconds. On PostgreSQL updates go through one
``UPDATE … FROM unnest(arrays)`` (one array parameter per column) and inserts through ``COPY``;
``bulk_update``/``bulk_create`` stay the portable twins (SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

BATCH = 5000


def update_rows(objs: Iterable[models.Model], fields: Sequence[str]) -> None:
    """Save ``fields`` of these (same-model) instances."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=2000)
        return
    attnames = [model._meta.pk.attname] + [model._meta.get_field(name).attname for name in fields]
    update_values(model, fields, [tuple(getattr(obj, name) for name in attnames) for obj in objs])


def update_values(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
    """PostgreSQL: set ``fields`` from rows of ``(pk, *values)``, one statement per ``BATCH`` rows."""
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.pk] + [meta.get_field(name) for name in fields]
    names = [quote(column.column) for column in columns]
    arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    table, pk = quote(meta.db_table), names[0]
    sql = (
        f"UPDATE {table} SET {', '.join(f'{name} = v.{name}' for name in names[1:])} "
        f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE {table}.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.execute(sql, [list(column) for column in zip(*rows[start : start + BATCH], strict=True)])


def insert_rows(objs: Iterable[models.Model]) -> None:
    """Insert these (same-model) instances; their IDs are not read back."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2000)
        return
    # Columns with a database default (e.g. a timeline entry's ``recorded_at``) are left to the database.
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.db_default is models.NOT_PROVIDED
    ]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([field.pre_save(obj, True) for field in fields])
