"""Tickets in a customer's data export (registered with ``profiles.export``, imported in ``apps.ready``)."""

from __future__ import annotations

from ..profiles.export import register_section
from .models import TicketMessage

TICKET_FIELDS = ("id", "subject", "status", "created_at", "rating", "rating_comment")
MESSAGE_FIELDS = ("ticket_id", "author_kind", "body", "created_at")


def _export(profile, staff: bool) -> list[dict]:
    """The shopper gets their tickets as the API shows them (public replies); staff also the internal
    notes, authors and tags."""
    messages = TicketMessage.objects.filter(ticket__profile=profile).order_by("ticket_id", "created_at", "id")
    if not staff:
        messages = messages.filter(kind=TicketMessage.PUBLIC)
    tickets: dict[int, dict] = {}
    for ticket in profile.tickets.order_by("created_at", "id").values(*TICKET_FIELDS, *(("tags",) if staff else ())):
        tickets[ticket["id"]] = {**ticket, "messages": []}
    for message in messages.values(*MESSAGE_FIELDS, *(("kind", "author_id") if staff else ())):
        tickets[message.pop("ticket_id")]["messages"].append(message)
    return list(tickets.values())


register_section("tickets", _export)
