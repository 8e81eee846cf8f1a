"""SQL helpers of segments: ``INSERT … SELECT`` from a queryset (moving sets without a Python round trip),
and the limits every segment query runs under (a statement timeout that bites, a planner-cost ceiling)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection
from django.db.models import Model, QuerySet

from .language import SegmentQueryError


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


QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE when statement_timeout cuts a statement off


@contextmanager
def segment_statement_limits(timeout_ms: int) -> Iterator[None]:
    """Inside a transaction: cut segment statements off after ``timeout_ms``, JIT off (PostgreSQL).

    JIT compiles a query with hundreds of subplans for minutes and ``statement_timeout`` can't interrupt
    the compiler, so without ``jit = off`` the limit did not bite. A timeout becomes ``SegmentQueryError``
    (code TIMEOUT); both settings are restored afterwards, even inside an outer transaction.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), current_setting('jit')")
        previous = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true), set_config('jit', 'off', true)", [str(timeout_ms)]
        )
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != QUERY_CANCELED:
            raise
        raise SegmentQueryError(
            f"the query ran longer than {timeout_ms / 1000:g} s and was stopped", code="TIMEOUT"
        ) from error
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true), set_config('jit', %s, true)", previous)


def check_cost(queryset: QuerySet, ceiling: float) -> float:
    """The planner's total cost of ``queryset``; ``SegmentQueryError`` (TOO_COSTLY) above ``ceiling``.

    EXPLAIN plans without running, so an absurd query is refused before it holds a database backend.
    """
    if connection.vendor != "postgresql":
        return 0.0
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    cost = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Total Cost"]
    if cost > ceiling:
        raise SegmentQueryError(
            f"the query would cost too much to run (planner estimate {cost:,.0f}, limit {ceiling:,.0f}); "
            "simplify it, e.g. fewer functions or shorter lists",
            code="TOO_COSTLY",
        )
    return cost
