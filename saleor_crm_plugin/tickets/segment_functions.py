"""``opened_ticket([since])`` for segment queries, registered without segments importing tickets."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from ..segments.language.registry import Param, register_function
from ..segments.language.values import ValueType
from .models import Ticket


def _opened_ticket(since: datetime | None = None) -> Q:
    tickets = Ticket.objects.filter(profile=OuterRef("pk"))
    if since is not None:
        tickets = tickets.filter(created_at__gte=since)
    return Q(Exists(tickets))


register_function(
    "opened_ticket",
    _opened_ticket,
    (Param("since", ValueType.DATETIME, required=False),),
    "Opened a support ticket, optionally since a date.",
    volatile=True,  # tickets change outside ingest: the hourly refresh re-checks it, the live re-check doesn't
    event_driven=False,
)
