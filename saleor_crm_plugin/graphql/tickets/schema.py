"""Ticket queries and mutations, gathered into the CRM schema by ``graphql/schema.py``."""

from __future__ import annotations

import graphene

from ...profiles.models import OrderSnapshot
from ...tickets import placeholders
from ...tickets.models import Macro, Ticket
from ..core.connection import paginate
from ..core.errors import int_pk_or_error
from ..core.permissions import caller_of
from ..profiles.dataloaders import ProfileByIdLoader
from ..profiles.types import CrmOrderCountableConnection
from . import mutations
from .access import may_see, own_profile, require_staff
from .dataloaders import TICKET_ORDERING, TicketByIdLoader
from .enums import CrmTicketStatusEnum
from .filters import CrmTicketFilterInput, CrmTicketSortingInput, filter_tickets, sort_tickets
from .types import CrmMacroCountableConnection, CrmMacroPlaceholder, CrmTicket, CrmTicketCountableConnection

MY_ORDERS = ("-placed_at", "-id")
PAGE_ARGS = {"first": graphene.Int(), "after": graphene.String(), "last": graphene.Int(), "before": graphene.String()}


class TicketQueries(graphene.ObjectType):
    crm_tickets = graphene.Field(
        CrmTicketCountableConnection,
        filter=CrmTicketFilterInput(),
        sort_by=CrmTicketSortingInput(),
        description="The helpdesk inbox. Requires MANAGE_ORDERS or MANAGE_USERS.",
        **PAGE_ARGS,
    )
    crm_ticket = graphene.Field(
        CrmTicket,
        id=graphene.ID(required=True),
        description="One ticket: staff with MANAGE_ORDERS or MANAGE_USERS, or its own shopper (else null).",
    )
    crm_my_tickets = graphene.Field(
        CrmTicketCountableConnection,
        status=graphene.List(graphene.NonNull(CrmTicketStatusEnum)),
        description="The signed-in shopper's tickets, newest activity first.",
        **PAGE_ARGS,
    )
    crm_my_orders = graphene.Field(
        CrmOrderCountableConnection,
        description="The signed-in shopper's orders (no drafts), newest first: what they may open a ticket about.",
        **PAGE_ARGS,
    )
    crm_macros = graphene.Field(
        CrmMacroCountableConnection,
        search=graphene.String(),
        description="Saved replies by name. Requires MANAGE_ORDERS or MANAGE_USERS.",
        **PAGE_ARGS,
    )
    crm_macro_placeholders = graphene.List(
        graphene.NonNull(CrmMacroPlaceholder),
        required=True,
        description="What macros can fill in. Requires MANAGE_ORDERS or MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_tickets(root, info, filter=None, sort_by=None, **page):
        require_staff(info)
        viewer = caller_of(info).user
        tickets = filter_tickets(Ticket.objects.all(), filter or {}, viewer.pk if viewer is not None else None)
        queryset, ordering = sort_tickets(tickets, sort_by)
        return paginate(queryset, ordering, page, "crmTickets")

    @staticmethod
    def resolve_crm_ticket(root, info, id):
        def visible(ticket):
            if ticket is None:
                return None
            return (
                ProfileByIdLoader(info.context)
                .load(ticket.profile_id)
                .then(lambda profile: ticket if may_see(info, profile) else None)
            )

        return TicketByIdLoader(info.context).load(int_pk_or_error(id, "CrmTicket")).then(visible)

    @staticmethod
    def resolve_crm_my_tickets(root, info, status=None, **page):
        profile = own_profile(info)
        tickets = Ticket.objects.filter(profile=profile) if profile else Ticket.objects.none()
        if status:
            tickets = tickets.filter(status__in=status)
        return paginate(tickets, TICKET_ORDERING, page, "crmMyTickets")

    @staticmethod
    def resolve_crm_my_orders(root, info, **page):
        profile = own_profile(info)
        orders = OrderSnapshot.objects.filter(profile=profile) if profile else OrderSnapshot.objects.none()
        return paginate(orders.exclude(status="draft"), MY_ORDERS, page, "crmMyOrders")

    @staticmethod
    def resolve_crm_macros(root, info, search=None, **page):
        require_staff(info)
        macros = Macro.objects.filter(name__icontains=search) if search else Macro.objects.all()
        return paginate(macros, ("name", "id"), page, "crmMacros")

    @staticmethod
    def resolve_crm_macro_placeholders(root, info):
        require_staff(info)
        return [CrmMacroPlaceholder(name=n, description=d) for n, d in placeholders.available().items()]


class TicketMutations(graphene.ObjectType):
    crm_ticket_create = mutations.CrmTicketCreate.Field()
    crm_ticket_reply = mutations.CrmTicketReply.Field()
    crm_ticket_note_add = mutations.CrmTicketNoteAdd.Field()
    crm_ticket_update = mutations.CrmTicketUpdate.Field()
    crm_ticket_merge = mutations.CrmTicketMerge.Field()
    crm_ticket_rate = mutations.CrmTicketRate.Field()
    crm_ticket_inbound_email = mutations.CrmTicketInboundEmail.Field()
    crm_macro_create = mutations.CrmMacroCreate.Field()
    crm_macro_update = mutations.CrmMacroUpdate.Field()
    crm_macro_delete = mutations.CrmMacroDelete.Field()
