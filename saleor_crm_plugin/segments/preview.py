"""Count and first members of an unsaved query: what the editor shows while the merchant types."""

from __future__ import annotations

import dataclasses

from django.db import transaction

from ..profiles.models import CustomerProfile
from ..settings import get_settings
from .language import SegmentQueryError, compile_query
from .sql import check_cost, segment_statement_limits
from .warnings import SegmentQueryWarning, query_warnings


@dataclasses.dataclass
class Preview:
    count: int
    members: list[CustomerProfile]
    warnings: list[SegmentQueryWarning]


def preview_segment(query: str, limit: int = 10) -> Preview:
    """The same single query a saved segment runs, refused when its planned cost is absurd and cut off
    after ``segments_preview_timeout_ms``."""
    settings = get_settings()
    compiled = compile_query(query)
    matching = compiled.profiles()
    try:
        with transaction.atomic(), segment_statement_limits(settings.segments_preview_timeout_ms):
            check_cost(matching, settings.segments_max_query_cost)
            count, members = matching.count(), list(matching.order_by("-pk")[:limit])
            return Preview(count, members, query_warnings(compiled))
    except SegmentQueryError as error:
        if error.code != "TIMEOUT":
            raise
        raise SegmentQueryError(
            "the query takes too long to preview; save it to evaluate it in the background", code="TIMEOUT"
        ) from error
