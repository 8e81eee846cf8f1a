"""When the store deletes a customer and the CRM anonymises the profile, the tickets' words go too.

Subjects, message bodies, attachments and CSAT comments are what the shopper and staff wrote about the
person; the tickets themselves stay (counts, statuses, SLA and CSAT scores keep the helpdesk's figures).
Under the ``delete`` policy the profile's deletion removes its tickets (cascade).
"""

from __future__ import annotations

from ..profiles.models import TimelineEntry
from ..profiles.privacy import register_eraser
from .models import Ticket, TicketMessage

REMOVED = "(removed: customer deleted)"


@register_eraser
def erase_ticket_texts(profile_ids: list[int]) -> int:
    """Three UPDATEs for any number of profiles; returns the tickets erased."""
    if not profile_ids:
        return 0
    TicketMessage.objects.filter(ticket__profile_id__in=profile_ids).update(
        body=REMOVED, attachments=[], external_id=None
    )
    TimelineEntry.objects.filter(profile_id__in=profile_ids, kind__startswith="ticket.").update(summary=REMOVED)
    return Ticket.objects.filter(profile_id__in=profile_ids).update(subject=REMOVED, rating_comment="", tags=[])
