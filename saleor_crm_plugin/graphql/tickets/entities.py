"""What tickets add to Saleor's ``User`` and ``Order`` entities (composed in ``graphql/entities.py``)."""

from __future__ import annotations

import graphene

from ..profiles.dataloaders import ProfileByIdLoader, ProfileByUserIdLoader
from .access import may_see
from .dataloaders import TicketsByProfileLoader, TicketsBySaleorOrderLoader
from .types import CrmTicket

TICKETS = graphene.List(
    graphene.NonNull(CrmTicket),
    description="Helpdesk tickets, newest activity first: the shopper themself, or staff with MANAGE_ORDERS "
    "or MANAGE_USERS.",
)


class TicketUserFields:
    crm_tickets = TICKETS

    @staticmethod
    def resolve_crm_tickets(root, info):
        def of(profile):
            if profile is None or not may_see(info, profile):
                return []
            return TicketsByProfileLoader(info.context).load(profile.pk)

        return ProfileByUserIdLoader(info.context).load(root.id).then(of)


class TicketOrderFields:
    crm_tickets = TICKETS

    @staticmethod
    def resolve_crm_tickets(root, info):
        def visible(tickets):
            if not tickets:
                return []
            loader = ProfileByIdLoader(info.context)
            return loader.load(tickets[0].profile_id).then(lambda owner: tickets if may_see(info, owner) else [])

        return TicketsBySaleorOrderLoader(info.context).load(root.id).then(visible)
