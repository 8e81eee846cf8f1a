"""Tickets in a customer's data export (registered with ``profiles.export``, imported in ``apps.ready``)."""

from __future__ import annotations

from ..profiles.export import register_section
from .models import TicketMessage


def _export(profile) -> list[dict]:
    messages = TicketMessage.objects.filter(ticket__profile=profile, kind=TicketMessage.PUBLIC).order_by(
        "ticket_id", "created_at", "id"
    )
    tickets: dict[int, dict] = {}
    for ticket in profile.tickets.order_by("created_at", "id").values("id", "subject", "status", "created_at"):
        tickets[ticket["id"]] = {**ticket, "messages": []}
    for message in messages.values("ticket_id", "author_kind", "body", "created_at"):
        tickets[message.pop("ticket_id")]["messages"].append(message)
    return list(tickets.values())


register_section("tickets", _export)
