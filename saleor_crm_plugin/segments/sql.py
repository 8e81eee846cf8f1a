"""``INSERT … SELECT`` from a queryset: moving sets inside the database without a Python round trip."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model, QuerySet


def insert_select(model: type[Model], columns: list[str], queryset: QuerySet, skip_conflicts: bool = False) -> int:
    """Insert the rows ``queryset`` selects (its values, in ``columns`` order); the number inserted.

    ``skip_conflicts`` drops rows a concurrent writer inserted first (PostgreSQL; SQLite has one writer).
    """
    sql, params = queryset.order_by().query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) {sql}"
    if skip_conflicts and connection.vendor == "postgresql":
        statement += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


# Four sorts of every buyer (RFM) spill to disk with PostgreSQL's default 4MB per sort; allow more, for
# this transaction only.
SORT_MEMORY = "128MB"


def sort_in_memory(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
