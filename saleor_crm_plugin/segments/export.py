"""Members of a segment as CSV rows, streamed from a server-side cursor: constant memory at any size."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..profiles.models import CustomerProfile
from .models import Segment

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "saleor_user_id",
    "orders_count",
    "last_order_at",
    "marketing_consent",
    "member_since",
)
CHUNK = 5000


def member_rows(segment: Segment) -> Iterator[tuple]:
    members = CustomerProfile.objects.filter(segment_memberships__segment=segment, anonymised_at__isnull=True)
    fields = [*COLUMNS[:-1], "segment_memberships__since"]
    return members.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK)


def csv_lines(segment: Segment) -> Iterator[str]:
    """The header, then one CSV line per member; a caller counts lines for progress."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if value is None else _plain(value) for value in values])
        return buffer.getvalue()

    yield line(COLUMNS)
    for row in member_rows(segment):
        yield line(row)


def _plain(value) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # Spreadsheet formula injection: a cell starting like a formula is read as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
