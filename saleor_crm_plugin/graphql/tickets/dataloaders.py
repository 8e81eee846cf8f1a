"""One loader per relation of a ticket: an inbox page costs one query per relation, whatever its size."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from ...profiles.models import OrderSnapshot
from ...tickets.models import Ticket, TicketEvent, TicketMessage
from ..core.dataloaders import DataLoader, grouped

TICKET_ORDERING = ("-last_message_at", "-id")


class TicketByIdLoader(DataLoader[int, Ticket | None]):
    context_key = "crm_ticket_by_id"

    def batch_load(self, keys):
        tickets = Ticket.objects.in_bulk(keys)
        return [tickets.get(key) for key in keys]


class OrderByPkLoader(DataLoader[int, OrderSnapshot | None]):
    context_key = "crm_order_by_pk"

    def batch_load(self, keys):
        orders = OrderSnapshot.objects.in_bulk(keys)
        return [orders.get(key) for key in keys]


class MessageByIdLoader(DataLoader[int, TicketMessage | None]):
    context_key = "crm_ticket_message_by_id"

    def batch_load(self, keys):
        messages = TicketMessage.objects.in_bulk(keys)
        return [messages.get(key) for key in keys]


class MessagesByTicketLoader(DataLoader[tuple[int, bool], list[TicketMessage]]):
    """Keys ``(ticket_id, with_notes)``: the thread, oldest first; internal notes only for staff."""

    context_key = "crm_ticket_messages"

    def batch_load(self, keys):
        found = {}
        for with_notes in {notes for _, notes in keys}:
            ids = [pk for pk, notes in keys if notes == with_notes]
            rows = TicketMessage.objects.filter(ticket_id__in=ids).order_by("created_at", "id")
            if not with_notes:
                rows = rows.filter(kind=TicketMessage.PUBLIC)
            for pk, bucket in zip(ids, grouped(rows, lambda m: m.ticket_id, ids), strict=True):
                found[pk, with_notes] = bucket
        return [found[key] for key in keys]


class EventsByTicketLoader(DataLoader[int, list[TicketEvent]]):
    context_key = "crm_ticket_events"

    def batch_load(self, keys):
        rows = TicketEvent.objects.filter(ticket_id__in=keys).order_by("occurred_at", "id")
        return grouped(rows, lambda event: event.ticket_id, keys)


class UserByIdLoader(DataLoader[int, object | None]):
    """Staff and shoppers named on tickets (assignee, authors), for their names."""

    context_key = "crm_user_by_id"

    def batch_load(self, keys):
        users = get_user_model().objects.in_bulk(keys)
        return [users.get(key) for key in keys]


class TicketsByProfileLoader(DataLoader[int, list[Ticket]]):
    context_key = "crm_tickets_by_profile"

    def batch_load(self, keys):
        rows = Ticket.objects.filter(profile_id__in=keys).order_by(*TICKET_ORDERING)
        return grouped(rows, lambda ticket: ticket.profile_id, keys)


class TicketsBySaleorOrderLoader(DataLoader[str, list[Ticket]]):
    context_key = "crm_tickets_by_saleor_order"

    def batch_load(self, keys):
        rows = Ticket.objects.filter(order__saleor_order_id__in=keys).select_related("order").order_by(*TICKET_ORDERING)
        return grouped(rows, lambda ticket: ticket.order.saleor_order_id, keys)
