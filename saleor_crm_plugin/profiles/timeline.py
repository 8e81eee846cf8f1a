"""Entries on a profile's timeline: written by every domain, one small function per kind of fact."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from .models import TimelineEntry


def entry(
    profile_id: int,
    kind: str,
    occurred_at: datetime,
    summary: str,
    data: dict[str, Any] | None = None,
    unique_key: str | None = None,
) -> TimelineEntry:
    return TimelineEntry(
        profile_id=profile_id,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary[:512],
        data=data or {},
        unique_key=unique_key,
    )


def money(amount: Decimal, currency: str) -> str:
    """An amount as a summary shows it: ``12.5 USD`` (no trailing zeros, no exponent)."""
    return f"{amount.normalize():f} {currency}"


def record(entries: Iterable[TimelineEntry]) -> None:
    """Write entries in one statement; one whose ``unique_key`` is already there is skipped."""
    entries = list(entries)
    if entries:
        TimelineEntry.objects.bulk_create(entries, ignore_conflicts=True)
