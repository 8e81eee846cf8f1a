"""Count and first members of an unsaved query: what the editor shows while the merchant types."""

from __future__ import annotations

import dataclasses

from django.db import OperationalError, connection, transaction

from ..profiles.models import CustomerProfile
from ..settings import get_settings
from .language import SegmentQueryError, compile_query

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE when statement_timeout cuts a query off


@dataclasses.dataclass
class Preview:
    count: int
    members: list[CustomerProfile]


def preview_segment(query: str, limit: int = 10) -> Preview:
    """The same single query a saved segment runs, cut off after ``segments_preview_timeout_ms``."""
    matching = compile_query(query).profiles()
    try:
        with transaction.atomic(), _time_limit(get_settings().segments_preview_timeout_ms):
            return Preview(matching.count(), list(matching.order_by("-pk")[:limit]))
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != QUERY_CANCELED:
            raise
        raise SegmentQueryError(
            "the query takes too long to preview; save it to evaluate it in the background", code="TIMEOUT"
        ) from error


class _time_limit:
    """``statement_timeout`` for the block only (PostgreSQL), restored even inside an outer transaction."""

    def __init__(self, milliseconds: int):
        self.milliseconds = milliseconds
        self.previous: str | None = None

    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                self.previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(self.milliseconds)])
        return self

    def __exit__(self, *exc_info):
        if self.previous is not None and exc_info[0] is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [self.previous])
        return False
