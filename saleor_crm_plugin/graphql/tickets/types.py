"""Tickets as the API shows them; every relation through a dataloader, staff-only parts guarded."""

from __future__ import annotations

import graphene
from graphene import relay

from ...ids import global_id
from ...tickets.models import AuthorKind, TicketMessage, TicketPriority
from ..core import scalars
from ..core.connection import CountableConnection
from ..core.visibility import SHOPPER_OR_SUPPORT, SUPPORT_STAFF, guard_fields
from ..profiles.dataloaders import ProfileByIdLoader
from ..profiles.types import CrmCustomer, CrmOrder, owner_by_profile_id, user_entity
from .access import is_staff
from .dataloaders import (
    EventsByTicketLoader,
    MessageByIdLoader,
    MessagesByTicketLoader,
    OrderByPkLoader,
    TicketByIdLoader,
    UserByIdLoader,
)
from .enums import (
    CrmTicketAuthorKindEnum,
    CrmTicketChannelEnum,
    CrmTicketDeliveryStatusEnum,
    CrmTicketMessageKindEnum,
    CrmTicketPriorityEnum,
    CrmTicketStatusEnum,
)

USER_ENTITY = "saleor_crm_plugin.graphql.entities.User"
SUPPORT_TEAM = "Support team"


def _user_name(user) -> str | None:
    """Who wrote or holds it, for staff: the full name, else the email."""
    if user is None:
        return None
    name = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return name or user.email


def display_name(user) -> str | None:
    """How a shopper sees a person on their ticket: first name and last initial ("Jo S."), never an email."""
    if user is None:
        return None
    first, last = (getattr(user, "first_name", "") or "").strip(), (getattr(user, "last_name", "") or "").strip()
    return " ".join(part for part in (first, f"{last[0]}." if last else "") if part) or None


class CrmTicketMessageDelivery(graphene.ObjectType):
    status = graphene.Field(CrmTicketDeliveryStatusEnum, required=True)
    reason = graphene.String(required=True, description="Why it was not sent (e.g. the store has no email set up).")
    emailed_at = graphene.DateTime()

    class Meta:
        description = "Where the email of a staff reply stands."


class CrmTicketMessage(graphene.ObjectType):
    kind = graphene.Field(CrmTicketMessageKindEnum, required=True)
    author_kind = graphene.Field(CrmTicketAuthorKindEnum, required=True)
    author_name = graphene.String(
        description="Staff see the author's full name (or email); shoppers a display name such as `Jo S.`, "
        "or `Support team` for staff without a name. Null for the system."
    )
    body = graphene.String(required=True, description="Plain text: escape it when showing it as HTML.")
    attachments = graphene.List(graphene.NonNull(graphene.String), required=True, description="URLs.")
    created_at = graphene.DateTime(required=True)
    delivery = graphene.Field(
        CrmTicketMessageDelivery,
        description="The reply's email to the customer, for staff; null when not emailed, and for shoppers.",
    )

    class Meta:
        interfaces = (relay.Node,)
        description = "A public reply or (staff only) an internal note on a ticket."

    @staticmethod
    def resolve_delivery(root, info):
        if not root.delivery or not is_staff(info):
            return None
        return CrmTicketMessageDelivery(status=root.delivery, reason=root.delivery_reason, emailed_at=root.emailed_at)

    @staticmethod
    def resolve_author_name(root: TicketMessage, info):
        staff = is_staff(info)
        fallback = SUPPORT_TEAM if root.author_kind == AuthorKind.STAFF and not staff else None
        if root.author_id is None:
            return fallback
        name_of = _user_name if staff else display_name
        return UserByIdLoader(info.context).load(root.author_id).then(lambda user: name_of(user) or fallback)


class CrmTicketEvent(graphene.ObjectType):
    kind = graphene.String(required=True, description="opened, replied, customer_replied, note_added, ...")
    actor_kind = graphene.Field(CrmTicketAuthorKindEnum, required=True)
    actor = graphene.Field(USER_ENTITY)
    data = scalars.JSONString()
    occurred_at = graphene.DateTime(required=True)

    class Meta:
        description = "One change in a ticket's history."

    @staticmethod
    def resolve_actor(root, info):
        return user_entity(_user_global_id(root.actor_id))


class CrmTicketRating(graphene.ObjectType):
    score = graphene.Int(required=True, description="1 to 5.")
    comment = graphene.String(required=True)
    rated_at = graphene.DateTime(required=True)

    class Meta:
        description = "The customer's satisfaction rating of a solved ticket (CSAT)."

    @staticmethod
    def of(ticket) -> CrmTicketRating | None:
        if ticket.rated_at is None:
            return None
        return CrmTicketRating(score=ticket.rating, comment=ticket.rating_comment, rated_at=ticket.rated_at)


class CrmTicketSLA(graphene.ObjectType):
    first_response_due_at = graphene.DateTime()
    resolution_due_at = graphene.DateTime()
    first_responded_at = graphene.DateTime()
    first_response_breached = graphene.Boolean(required=True)
    resolution_breached = graphene.Boolean(required=True)
    at_risk = graphene.Boolean(required=True, description="A due time is near.")
    paused = graphene.Boolean(required=True, description="Pending on the customer: the resolution clock stops.")

    class Meta:
        description = "Service-level targets of a ticket, in business time."


class CrmTicket(graphene.ObjectType):
    reference = graphene.String(required=True, description="What the customer quotes, e.g. T-42.")
    subject = graphene.String(required=True)
    channel = graphene.Field(CrmTicketChannelEnum, required=True)
    status = graphene.Field(CrmTicketStatusEnum, required=True)
    priority = graphene.Field(CrmTicketPriorityEnum, required=True)
    customer = graphene.Field(CrmCustomer, required=True)
    order = graphene.Field(CrmOrder)
    assignee = graphene.Field(USER_ENTITY, description="Staff only.")
    assignee_name = graphene.String(description="Staff only.")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Staff only.")
    sla = graphene.Field(CrmTicketSLA, description="Staff only.")
    last_message = graphene.Field(CrmTicketMessage, description="The newest public message.")
    last_message_at = graphene.DateTime(required=True)
    messages = graphene.List(
        graphene.NonNull(CrmTicketMessage), required=True, description="Oldest first; staff also see internal notes."
    )
    events = graphene.List(graphene.NonNull(CrmTicketEvent), description="The ticket's history. Staff only.")
    merged_into = graphene.Field(lambda: CrmTicket)
    rating = graphene.Field(CrmTicketRating)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    solved_at = graphene.DateTime()
    closed_at = graphene.DateTime()

    class Meta:
        interfaces = (relay.Node,)
        description = "A helpdesk conversation with a customer, optionally about one of their orders."

    @staticmethod
    def resolve_priority(root, info):
        return TicketPriority(root.priority).value

    @staticmethod
    def resolve_customer(root, info):
        return ProfileByIdLoader(info.context).load(root.profile_id)

    @staticmethod
    def resolve_order(root, info):
        return OrderByPkLoader(info.context).load(root.order_id) if root.order_id else None

    @staticmethod
    def resolve_assignee(root, info):
        return user_entity(_user_global_id(root.assignee_id))

    @staticmethod
    def resolve_assignee_name(root, info):
        return UserByIdLoader(info.context).load(root.assignee_id).then(_user_name) if root.assignee_id else None

    @staticmethod
    def resolve_tags(root, info):
        return root.tags

    @staticmethod
    def resolve_sla(root, info):
        return CrmTicketSLA(
            first_response_due_at=root.first_response_due_at,
            resolution_due_at=root.resolution_due_at,
            first_responded_at=root.first_responded_at,
            first_response_breached=root.first_response_breached,
            resolution_breached=root.resolution_breached,
            at_risk=root.sla_at_risk,
            paused=root.sla_paused_at is not None,
        )

    @staticmethod
    def resolve_last_message(root, info):
        return MessageByIdLoader(info.context).load(root.last_message_id) if root.last_message_id else None

    @staticmethod
    def resolve_messages(root, info):
        return MessagesByTicketLoader(info.context).load((root.pk, is_staff(info)))

    @staticmethod
    def resolve_events(root, info):
        return EventsByTicketLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_merged_into(root, info):
        return TicketByIdLoader(info.context).load(root.merged_into_id) if root.merged_into_id else None

    @staticmethod
    def resolve_rating(root, info):
        return CrmTicketRating.of(root)


guard_fields(
    CrmTicket,
    owner=owner_by_profile_id,
    default=SHOPPER_OR_SUPPORT,
    audiences=dict.fromkeys(("assignee", "assignee_name", "tags", "sla", "events"), SUPPORT_STAFF),
)


def _ticket_owner(message: TicketMessage, info):
    ticket = TicketByIdLoader(info.context).load(message.ticket_id)
    return ticket.then(lambda found: ProfileByIdLoader(info.context).load(found.profile_id))


guard_fields(
    CrmTicketMessage,
    owner=_ticket_owner,
    default=lambda message: SUPPORT_STAFF if message.kind == TicketMessage.NOTE else SHOPPER_OR_SUPPORT,
)


class CrmTicketCountableConnection(CountableConnection):
    class Meta:
        node = CrmTicket


class CrmMacro(graphene.ObjectType):
    name = graphene.String(required=True)
    body = graphene.String(required=True, description="Plain text with {{ placeholders }}.")
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    class Meta:
        interfaces = (relay.Node,)
        description = "A saved reply."


class CrmMacroCountableConnection(CountableConnection):
    class Meta:
        node = CrmMacro


class CrmMacroPlaceholder(graphene.ObjectType):
    name = graphene.String(required=True, description="Write it as {{ name }}.")
    description = graphene.String(required=True)


def _user_global_id(pk: int | None) -> str | None:
    return global_id("User", pk) if pk is not None else None
