"""Tickets as the API shows them; every relation through a dataloader, staff-only parts guarded."""

from __future__ import annotations

import graphene
from graphene import relay

from ...ids import global_id
from ...tickets.models import TicketPriority
from ..core.connection import CountableConnection
from ..profiles.dataloaders import ProfileByIdLoader
from ..profiles.types import CrmCustomer, CrmOrder, user_entity
from .access import is_staff, require_staff
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
    CrmTicketMessageKindEnum,
    CrmTicketPriorityEnum,
    CrmTicketStatusEnum,
)

USER_ENTITY = "saleor_crm_plugin.graphql.entities.User"


def _user_name(user) -> str | None:
    if user is None:
        return None
    name = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return name or user.email


class CrmTicketMessage(graphene.ObjectType):
    kind = graphene.Field(CrmTicketMessageKindEnum, required=True)
    author_kind = graphene.Field(CrmTicketAuthorKindEnum, required=True)
    author_name = graphene.String(description="The staff member's or shopper's name; null for the system.")
    body = graphene.String(required=True, description="Plain text: escape it when showing it as HTML.")
    attachments = graphene.List(graphene.NonNull(graphene.String), required=True, description="URLs.")
    created_at = graphene.DateTime(required=True)

    class Meta:
        interfaces = (relay.Node,)
        description = "A public reply or (staff only) an internal note on a ticket."

    @staticmethod
    def resolve_author_name(root, info):
        return UserByIdLoader(info.context).load(root.author_id).then(_user_name) if root.author_id else None


class CrmTicketEvent(graphene.ObjectType):
    kind = graphene.String(required=True, description="opened, replied, customer_replied, note_added, ...")
    actor_kind = graphene.Field(CrmTicketAuthorKindEnum, required=True)
    actor = graphene.Field(USER_ENTITY)
    data = graphene.JSONString()
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
        require_staff(info)
        return user_entity(_user_global_id(root.assignee_id))

    @staticmethod
    def resolve_assignee_name(root, info):
        require_staff(info)
        return UserByIdLoader(info.context).load(root.assignee_id).then(_user_name) if root.assignee_id else None

    @staticmethod
    def resolve_tags(root, info):
        require_staff(info)
        return root.tags

    @staticmethod
    def resolve_sla(root, info):
        require_staff(info)
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
        require_staff(info)
        return EventsByTicketLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_merged_into(root, info):
        return TicketByIdLoader(info.context).load(root.merged_into_id) if root.merged_into_id else None

    @staticmethod
    def resolve_rating(root, info):
        if root.rated_at is None:
            return None
        return CrmTicketRating(score=root.rating, comment=root.rating_comment, rated_at=root.rated_at)


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
