"""Baseline for ``benchmarks/segment_helpdesk_pages.py inbox``: the inbox screen as a plain Django view.

The same tickets in the same order (25 per page, newest activity first), the same view counts and assignee
choices, after the same authentication and permission check; but the way Django's own list views work:
``Paginator`` (COUNT(*), then OFFSET/LIMIT), one COUNT per view, the search as a join on messages. The
difference is what GraphQL, keyset paging and the single aggregate change.

Query string: ``page`` (from 1), ``breached=1``, ``search``, ``counts=1`` (the view counts and assignees, as
the page asks for them on a first page).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, JsonResponse

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.tickets.models import Ticket, TicketStatus

from .api_views import staff_caller
from .tickets_views import STAFF

PAGE_SIZE = 25
ACTIVE = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)
BREACHED = Q(first_response_breached=True) | Q(resolution_breached=True)


def inbox_screen(request: HttpRequest) -> JsonResponse:
    if isinstance(caller := staff_caller(request, *STAFF), JsonResponse):
        return caller
    params = request.GET
    tickets = Ticket.objects.filter(status__in=ACTIVE) if "search" not in params else Ticket.objects.all()
    if params.get("breached"):
        tickets = tickets.filter(BREACHED)
    if search := params.get("search"):
        found = Q(subject__icontains=search) | Q(profile__email__icontains=search) | Q(messages__body__icontains=search)
        tickets = tickets.filter(found).distinct()
    listed = tickets.select_related("profile", "assignee").order_by("-last_message_at", "-id")
    page = Paginator(listed, PAGE_SIZE).page(int(params.get("page", 1)))
    answer = {"tickets": [_ticket(ticket) for ticket in page]}
    if params.get("counts"):
        answer["counts"] = _view_counts(caller.user.pk if caller.user else None)
        answer["staff"] = _staff()
    return JsonResponse(answer)


def _view_counts(viewer: int | None) -> dict[str, int]:
    """One COUNT per view, as a list view's sidebar usually gets them."""
    active = Ticket.objects.filter(status__in=ACTIVE)
    return {
        "active": active.count(),
        "open": Ticket.objects.filter(status__in=(TicketStatus.NEW, TicketStatus.OPEN)).count(),
        "mine": active.filter(assignee_id=viewer).count() if viewer else 0,
        "unassigned": active.filter(assignee__isnull=True).count(),
        "breached": active.filter(BREACHED).count(),
        "atRisk": active.filter(sla_at_risk=True).count(),
        "pending": Ticket.objects.filter(status=TicketStatus.PENDING).count(),
        "onHold": Ticket.objects.filter(status=TicketStatus.ON_HOLD).count(),
        "solved": Ticket.objects.filter(status=TicketStatus.SOLVED).count(),
        "closed": Ticket.objects.filter(status=TicketStatus.CLOSED).count(),
    }


def _staff() -> list[str]:
    users = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("first_name", "last_name", "pk")
    return [global_id("User", user.pk) for user in users[:200]]


def _ticket(ticket: Ticket) -> dict:
    return {
        "id": global_id("CrmTicket", ticket.pk),
        "reference": ticket.reference,
        "subject": ticket.subject,
        "lastMessageAt": ticket.last_message_at.isoformat(),
        "customer": ticket.profile.email,
    }
