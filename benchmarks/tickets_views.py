"""Baselines for ``benchmarks/tickets.py``: the helpdesk inbox's first page as plain Django JSON views.

Both answer exactly what the benchmark's ``crmTickets`` query asks for (50 open or new tickets, newest
activity first, with customer, order and last message, in the same value formats) after the same
authentication and permission check, so the difference is what the GraphQL layer costs.
``inbox_page`` is the careful version (one joined query); ``naive_inbox_page`` the N+1 loop.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.tickets.models import Ticket, TicketPriority

from .api_views import staff_caller

PAGE_SIZE = 50
STATUSES = ("new", "open")
STAFF = (Permission.MANAGE_ORDERS, Permission.MANAGE_USERS)  # crmTickets' permissions
ORDERING = ("-last_message_at", "-id")


def inbox_page(request: HttpRequest) -> JsonResponse:
    """One query: the page joined to its customer, order and last message (``select_related``)."""
    if isinstance(caller := staff_caller(request, *STAFF), JsonResponse):
        return caller
    page = _inbox().select_related("profile", "order", "last_message")[:PAGE_SIZE]
    return JsonResponse({"tickets": [_ticket(t, t.profile, t.order, t.last_message) for t in page]})


def naive_inbox_page(request: HttpRequest) -> JsonResponse:
    """The first version anyone writes: the page, then customer, order and last message per ticket."""
    if isinstance(caller := staff_caller(request, *STAFF), JsonResponse):
        return caller
    tickets = []
    for ticket in _inbox()[:PAGE_SIZE]:
        tickets.append(_ticket(ticket, ticket.profile, ticket.order, ticket.last_message))
    return JsonResponse({"tickets": tickets})


def _inbox():
    return Ticket.objects.filter(status__in=STATUSES).order_by(*ORDERING)


def _ticket(ticket: Ticket, profile, order, message) -> dict:
    """One inbox row in the GraphQL response's formats (enum names, global IDs, ISO dates, float amounts)."""
    return {
        "id": global_id("CrmTicket", ticket.pk),
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status.upper(),
        "priority": TicketPriority(ticket.priority).name,
        "lastMessageAt": ticket.last_message_at.isoformat(),
        "customer": {"email": profile.email, "name": f"{profile.first_name} {profile.last_name}".strip()},
        "order": None
        if order is None
        else {"number": order.number, "total": {"amount": float(order.total), "currency": order.currency}},
        "lastMessage": None
        if message is None
        else {
            "body": message.body,
            "authorKind": message.author_kind.upper(),
            "createdAt": message.created_at.isoformat(),
        },
    }
