"""Insert-or-add in one statement, the same SQL on PostgreSQL and SQLite.

Counters on profiles move by deltas inside the transaction that records an event; an upsert
that adds to the stored value keeps that to one round trip however many rows change.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


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
    columns = [meta.get_field(name).column for name in names]
    column_of = dict(zip(names, columns, strict=True))
    placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
    updates = [
        f"{quote(column_of[f])} = {table}.{quote(column_of[f])} + excluded.{quote(column_of[f])}" for f in add_fields
    ]
    updates += [f"{quote(column_of[f])} = excluded.{quote(column_of[f])}" for f in replace_fields]
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(quote(column_of[f]) for f in key_fields)}) "
        f"DO UPDATE SET {', '.join(updates)}"
    )
    params = [meta.get_field(name).get_db_prep_save(row[name], connection) for row in rows for name in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
