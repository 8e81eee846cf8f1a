"""When the store deletes a customer and the CRM anonymises the profile, the tickets' words go too.

Subjects, message bodies, attachments, history details and CSAT comments are what the shopper and staff wrote about the
person; the tickets themselves stay (counts, statuses, SLA and CSAT scores keep the helpdesk's figures).
Under the ``delete`` policy the profile's deletion removes its tickets (cascade).
"""

from __future__ import annotations

from ..profiles.privacy import REMOVED, register_eraser
from .models import Ticket, TicketEvent, TicketMessage


@register_eraser
def erase_ticket_texts(profile_ids: list[int]) -> int:
    """Three UPDATEs for any number of profiles; returns the tickets erased. (Their timeline entries
    are erased with the rest of the timeline.)"""
    if not profile_ids:
        return 0
    TicketMessage.objects.filter(ticket__profile_id__in=profile_ids).update(
        body=REMOVED, attachments=[], external_id=None, delivery_reason=""
    )
    TicketEvent.objects.filter(ticket__profile_id__in=profile_ids).update(data={})  # old/new subjects, tags
    return Ticket.objects.filter(profile_id__in=profile_ids).update(subject=REMOVED, rating_comment="", tags=[])
