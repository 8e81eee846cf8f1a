"""Entries on a profile's timeline: written by every domain, one small function per kind of fact."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ..bulk import insert_new_rows
from .models import TimelineEntry

# Kinds whose text is internal (a staff note, a ticket's internal note): only staff see them, in the
# API and in a shopper's own data export. Domains add theirs with ``staff_only``.
_staff_only_kinds: set[str] = {"note.added"}


def staff_only(*kinds: str) -> None:
    _staff_only_kinds.update(kinds)


def visible(entries: QuerySet, staff: bool) -> QuerySet:
    """``entries`` without the staff-only kinds, unless the reader is staff."""
    return entries if staff else entries.exclude(kind__in=sorted(_staff_only_kinds))


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
    insert_new_rows(entries)


def revise(revised: TimelineEntry) -> None:
    """Write a fact its author may change (a survey answered again): one entry per ``unique_key``, the
    latest text wins, so a revision never adds a second entry."""
    TimelineEntry.objects.update_or_create(
        unique_key=revised.unique_key,
        defaults={
            "profile_id": revised.profile_id,
            "kind": revised.kind,
            "occurred_at": revised.occurred_at,
            "summary": revised.summary,
            "data": revised.data,
        },
    )
