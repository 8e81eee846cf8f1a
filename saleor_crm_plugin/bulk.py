"""Write many rows in a few statements.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per row and field, and
``bulk_create`` prepares every value through its field and binds thousands of parameters; for
runs of thousands of rows both cost seconds. On PostgreSQL updates go through one
``UPDATE … FROM unnest(arrays)`` (one array parameter per column), inserts through ``COPY``, and
inserts that may meet existing rows through ``INSERT … SELECT … FROM unnest(arrays) ON CONFLICT``:
a statement text that doesn't grow with the rows, so neither Django nor psycopg rebuilds it per row.
``bulk_update``/``bulk_create`` stay the portable twins (SQLite).
"""

from __future__ import annotations

import re
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
    columns = [model._meta.pk] + [model._meta.get_field(name) for name in fields]
    _update_columns(model, fields, [_column(field, objs, add=False) for field in columns])


# Fields whose Python values psycopg takes as they are: Django's per-value preparation (a third of a
# large run's time in profiles) would hand them back unchanged.
PLAIN_FIELDS = (
    models.AutoField, models.BigAutoField, models.BooleanField, models.CharField, models.DateTimeField,
    models.DecimalField, models.ForeignKey, models.IntegerField, models.TextField,
)  # fmt: skip


def _column(field: models.Field, objs: list[models.Model], add: bool) -> list:
    """One column's values as the database takes them, as Django's own save prepares them (JSON
    adapted, ``auto_now`` applied), without the per-value work for plain fields."""
    stamps = getattr(field, "auto_now", False) or (add and getattr(field, "auto_now_add", False))
    if isinstance(field, PLAIN_FIELDS) and not stamps:
        return [getattr(obj, field.attname) for obj in objs]
    return [field.get_db_prep_save(field.pre_save(obj, add), connection) for obj in objs]


def update_values(
    model: type[models.Model],
    fields: Sequence[str],
    rows: list[tuple],
    key: str | None = None,
    only_where_null: str | None = None,
) -> None:
    """PostgreSQL: set ``fields`` from rows of ``(key, *values)``, one statement per ``BATCH`` rows; the key
    is the primary key unless named. With ``only_where_null``, rows where that field is set are left alone."""
    _update_columns(model, fields, [list(column) for column in zip(*rows, strict=True)], key, only_where_null)


def _update_columns(
    model: type[models.Model],
    fields: Sequence[str],
    columns: list[list],
    key: str | None = None,
    only_where_null: str | None = None,
) -> None:
    """``update_values`` with the values as one list per column (key first), as the arrays travel."""
    if not columns or not columns[0]:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    targets = [meta.get_field(key) if key else meta.pk] + [meta.get_field(name) for name in fields]
    names = [quote(target.column) for target in targets]
    table, pk = quote(meta.db_table), names[0]
    sql = (
        f"UPDATE {table} SET {', '.join(f'{name} = v.{name}' for name in names[1:])} "
        f"FROM {unnest_sql(targets)} AS v({', '.join(names)}) WHERE {table}.{pk} = v.{pk}"
        + (f" AND {table}.{quote(meta.get_field(only_where_null).column)} IS NULL" if only_where_null else "")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(columns[0]), BATCH):
            cursor.execute(sql, [column[start : start + BATCH] for column in columns])


def unnest_sql(columns: Sequence[models.Field]) -> str:
    """``unnest(%s::type[], …)``: rows from one array parameter per column."""
    return f"unnest({', '.join(f'%s::{_array_type(column)}' for column in columns)})"


def _array_type(field: models.Field) -> str:
    """The array type a column's values travel in, without the column's length or precision: an explicit
    cast to ``varchar(3)`` would cut a longer value silently, where storing it into the column refuses it."""
    return re.sub(r"\(.*\)", "", field.db_type(connection)) + "[]"


def _insert_columns(model: type[models.Model]) -> list[models.Field]:
    """Columns an insert writes: not the serial key, not those with a database default (e.g. a timeline
    entry's ``recorded_at``), which the database fills."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.db_default is models.NOT_PROVIDED
    ]


def insert_or_update(objs: Iterable[models.Model], unique: str, fields: Sequence[str]) -> None:
    """Insert these (same-model) instances; where ``unique`` is taken, overwrite ``fields`` of that row.
    New rows' IDs are not read back."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, update_conflicts=True, unique_fields=[unique], update_fields=list(fields))
        return
    quote = connection.ops.quote_name
    updates = ", ".join(
        f"{name} = excluded.{name}" for name in (quote(model._meta.get_field(f).column) for f in fields)
    )
    _insert_select(objs, f"ON CONFLICT ({quote(model._meta.get_field(unique).column)}) DO UPDATE SET {updates}")


def insert_new_rows(objs: Iterable[models.Model]) -> None:
    """Insert these (same-model) instances, skipping those a unique constraint already holds."""
    objs = list(objs)
    if not objs:
        return
    if connection.vendor != "postgresql":
        type(objs[0]).objects.bulk_create(objs, ignore_conflicts=True)
        return
    _insert_select(objs, "ON CONFLICT DO NOTHING")


def _insert_select(objs: list[models.Model], on_conflict: str) -> None:
    model = type(objs[0])
    fields = _insert_columns(model)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"SELECT * FROM {unnest_sql(fields)} {on_conflict}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            batch = objs[start : start + BATCH]
            cursor.execute(sql, [_column(field, batch, add=True) for field in fields])


def insert_rows(objs: Iterable[models.Model]) -> None:
    """Insert these (same-model) instances; their IDs are not read back."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2000)
        return
    fields = _insert_columns(model)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([field.pre_save(obj, True) for field in fields])
