"""A ticket's history and its echo on the customer timeline, written together by every action."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..profiles import timeline
from .models import AuthorKind, Ticket, TicketEvent

# Timeline kinds only staff see (ticket.* kinds not listed here are shown to the shopper too).
STAFF_ONLY_KINDS = ("ticket.note_added", "ticket.updated", "ticket.merged")
timeline.staff_only(*STAFF_ONLY_KINDS)


@dataclass(frozen=True)
class Actor:
    """Who made a change: the shopper, a staff member (or app: ``user`` None) or the system."""

    kind: str
    user: Any = None

    @classmethod
    def staff(cls, user=None) -> Actor:
        return cls(AuthorKind.STAFF, user)

    @classmethod
    def shopper(cls, user=None) -> Actor:
        return cls(AuthorKind.SHOPPER, user)


SYSTEM = Actor(AuthorKind.SYSTEM)


@dataclass(frozen=True)
class Change:
    ticket: Ticket
    kind: str
    summary: str
    data: dict[str, Any]


def record(changes: Iterable[Change], actor: Actor, at: datetime) -> list[TicketEvent]:
    """Write the events (one statement) and a timeline entry per event (another), keyed by the event."""
    changes = list(changes)
    events = TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=change.ticket.pk,
                kind=change.kind,
                actor_kind=actor.kind,
                actor=actor.user,
                data=change.data,
                occurred_at=at,
            )
            for change in changes
        ]
    )
    timeline.record(
        timeline.entry(
            change.ticket.profile_id,
            f"ticket.{change.kind}",
            at,
            f"{change.ticket.reference}: {change.summary}",
            {"ticket_id": change.ticket.pk, **change.data},
            f"ticket.event:{event.pk}",
        )
        for change, event in zip(changes, events, strict=True)
    )
    return events
