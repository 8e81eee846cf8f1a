"""Insert-or-add in one statement, on PostgreSQL and SQLite.

Counters on profiles move by deltas inside the transaction that records an event; an upsert
that adds to the stored value keeps that to one round trip however many rows change.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

from .bulk import unnest_sql


def upsert_add(
    model: type[models.Model],
    key_fields: Sequence[str],
    rows: Iterable[dict[str, Any]],
    add_fields: Sequence[str],
    replace_fields: Sequence[str] = (),
) -> None:
    """Insert ``rows``; where ``key_fields`` clash, add ``add_fields`` and overwrite the rest."""
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    names = list(rows[0])
    fields = [meta.get_field(name) for name in names]
    column_of = {name: quote(field.column) for name, field in zip(names, fields, strict=True)}
    updates = [f"{column_of[f]} = {table}.{column_of[f]} + excluded.{column_of[f]}" for f in add_fields]
    updates += [f"{column_of[f]} = excluded.{column_of[f]}" for f in replace_fields]
    values = [
        [field.get_db_prep_save(row[name], connection) for field, name in zip(fields, names, strict=True)]
        for row in rows
    ]
    source, params = _rows_source(fields, values)
    sql = (
        f"INSERT INTO {table} ({', '.join(column_of.values())}) {source} "
        f"ON CONFLICT ({', '.join(column_of[f] for f in key_fields)}) DO UPDATE SET {', '.join(updates)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _rows_source(fields: list[models.Field], values: list[list]) -> tuple[str, list]:
    """The rows to insert as SQL and its parameters: on PostgreSQL one array per column (the statement's
    text is the same for any number of rows, nothing to build or parse per row), elsewhere ``VALUES``."""
    if connection.vendor == "postgresql":
        return f"SELECT * FROM {unnest_sql(fields)}", [list(column) for column in zip(*values, strict=True)]
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return f"VALUES {', '.join([placeholders] * len(values))}", [value for row in values for value in row]
