"""Ticket mutations: thin over ``tickets.actions``; shoppers act only on their own tickets and orders.

A shopper naming someone else's ticket or order gets exactly the answer a missing one gets.
"""

from __future__ import annotations

import graphene
from django.contrib.auth import get_user_model
from graphql.error import GraphQLError

from ...ids import global_id
from ...profiles.models import CustomerProfile, OrderSnapshot
from ...tickets import actions, emails
from ...tickets.history import Actor
from ...tickets.models import Macro, Ticket, TicketChannel, TicketPriority
from ..core.errors import MutationError, PermissionDenied, error_type, from_global_id_or_error, int_pk_or_error
from ..core.mutations import CRMMutation
from ..core.permissions import caller_of, owns_profile
from .access import STAFF_PERMISSIONS, is_staff, may_see, own_profile, require_staff
from .enums import CrmTicketChannelEnum, CrmTicketErrorCode, CrmTicketPriorityEnum, CrmTicketStatusEnum
from .types import CrmMacro, CrmTicket, CrmTicketMessage, CrmTicketRating

CrmTicketError = error_type("CrmTicketError", CrmTicketErrorCode, "An error on a CRM ticket mutation.")
ERRORS = graphene.List(graphene.NonNull(CrmTicketError), required=True)


def _pk(global_id: str, type_name: str, field: str) -> int:
    try:
        return int_pk_or_error(global_id, type_name)
    except GraphQLError as error:
        raise MutationError(field, "GRAPHQL_ERROR", error.message) from error


def ticket_or_error(info, global_id: str, field: str = "id", staff_only: bool = False) -> Ticket:
    """The ticket if the caller may act on it; the same NOT_FOUND for missing and not theirs."""
    pk = _pk(global_id, "CrmTicket", field)
    ticket = Ticket.objects.select_related("profile", "order").filter(pk=pk).first()
    if is_staff(info):
        visible = ticket is not None
    else:
        if staff_only:
            raise PermissionDenied(STAFF_PERMISSIONS)
        visible = ticket is not None and owns_profile(caller_of(info), ticket.profile)
    if not visible:
        raise MutationError(field, "NOT_FOUND", f"Couldn't resolve to a ticket: {global_id}")
    return ticket


def actor_of(info) -> Actor:
    user = caller_of(info).user
    return Actor.staff(user) if is_staff(info) else Actor.shopper(user)


def order_or_error(info, global_id: str, profile: CustomerProfile | None) -> OrderSnapshot:
    """The CRM's copy of a Saleor order; for a shopper only one of theirs (else NOT_FOUND, as if missing)."""
    try:
        from_global_id_or_error(global_id, "Order")
    except GraphQLError as error:
        raise MutationError("order", "GRAPHQL_ERROR", error.message) from error
    orders = OrderSnapshot.objects.filter(saleor_order_id=global_id)
    if profile is not None:
        orders = orders.filter(profile=profile)
    order = orders.first()
    if order is None:
        raise MutationError("order", "NOT_FOUND", f"Couldn't resolve to an order: {global_id}")
    return order


class CrmTicketCreateInput(graphene.InputObjectType):
    customer = graphene.ID(description="Staff: the CrmCustomer (or give an order). Shoppers: left out.")
    order = graphene.ID(description="Saleor's Order ID; a shopper may only name their own orders.")
    subject = graphene.String(required=True)
    message = graphene.String(required=True, description="Plain text.")
    attachments = graphene.List(graphene.NonNull(graphene.String), description="http(s) URLs.")
    channel = graphene.Field(CrmTicketChannelEnum, description="Staff only; default STAFF (shoppers: WEB).")
    priority = graphene.Field(CrmTicketPriorityEnum, description="Staff only; default NORMAL.")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Staff only.")


class CrmTicketCreate(CRMMutation):
    ticket = graphene.Field(CrmTicket)
    errors = ERRORS

    class Arguments:
        input = CrmTicketCreateInput(required=True)

    class Meta:
        description = "Opens a ticket. Staff with MANAGE_ORDERS or MANAGE_USERS, or a shopper about their own order."

    @classmethod
    def perform_mutation(cls, info, input):
        if is_staff(info):
            return cls(ticket=cls._by_staff(info, input), errors=[])
        profile = own_profile(info)
        if caller_of(info).user is None:
            raise PermissionDenied(STAFF_PERMISSIONS)
        if input.get("customer") and (profile is None or input["customer"] != _customer_id(profile)):
            raise MutationError("customer", "NOT_FOUND", f"Couldn't resolve to a customer: {input['customer']}")
        if profile is None:
            raise MutationError(None, "NOT_FOUND", "The store doesn't know your customer account yet.")
        order = order_or_error(info, input["order"], profile) if input.get("order") else None
        ticket = actions.open_ticket(
            profile,
            input["subject"],
            input["message"],
            actor=actor_of(info),
            order=order,
            channel=TicketChannel.WEB,
            attachments=input.get("attachments") or (),
        )
        return cls(ticket=ticket, errors=[])

    @staticmethod
    def _by_staff(info, input) -> Ticket:
        order = order_or_error(info, input["order"], None) if input.get("order") else None
        if input.get("customer"):
            profile = CustomerProfile.objects.filter(pk=_pk(input["customer"], "CrmCustomer", "customer")).first()
            if profile is None:
                raise MutationError("customer", "NOT_FOUND", f"Couldn't resolve to a customer: {input['customer']}")
        elif order is not None:
            profile = order.profile
        else:
            raise MutationError("customer", "REQUIRED", "Give the customer or an order of theirs.")
        return actions.open_ticket(
            profile,
            input["subject"],
            input["message"],
            actor=actor_of(info),
            order=order,
            channel=input.get("channel") or TicketChannel.STAFF,
            priority=input.get("priority") or TicketPriority.NORMAL,
            tags=input.get("tags") or (),
            attachments=input.get("attachments") or (),
        )


def _customer_id(profile: CustomerProfile) -> str:
    return global_id("CrmCustomer", profile.pk)


class CrmTicketReplyInput(graphene.InputObjectType):
    message = graphene.String(description="Plain text; may be left out when a macro is given.")
    macro = graphene.ID(description="Staff: a CrmMacro whose text (placeholders filled in) is sent.")
    attachments = graphene.List(graphene.NonNull(graphene.String))
    status = graphene.Field(CrmTicketStatusEnum, description="Staff: the status after the reply, e.g. PENDING.")


class CrmTicketReply(CRMMutation):
    ticket = graphene.Field(CrmTicket)
    message = graphene.Field(CrmTicketMessage)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True, description="ID of a CrmTicket.")
        input = CrmTicketReplyInput(required=True)

    class Meta:
        description = (
            "Answers a ticket publicly (emailed to the customer when staff answer). Staff, or the ticket's shopper."
        )

    @classmethod
    def perform_mutation(cls, info, id, input):
        ticket = ticket_or_error(info, id)
        staff = is_staff(info)
        text = input.get("message") or ""
        if input.get("macro"):
            if not staff:
                raise PermissionDenied(STAFF_PERMISSIONS)
            macro = Macro.objects.filter(pk=_pk(input["macro"], "CrmMacro", "macro")).first()
            if macro is None:
                raise MutationError("macro", "NOT_FOUND", f"Couldn't resolve to a macro: {input['macro']}")
            text = text or actions.render_macro(macro, ticket)
        status = input.get("status") if staff else None
        message = actions.reply(
            ticket, text, actor=actor_of(info), attachments=input.get("attachments") or (), status=status
        )
        return cls(ticket=Ticket.objects.get(pk=ticket.pk), message=message, errors=[])


class CrmTicketNoteInput(graphene.InputObjectType):
    message = graphene.String(required=True)
    attachments = graphene.List(graphene.NonNull(graphene.String))


class CrmTicketNoteAdd(CRMMutation):
    ticket = graphene.Field(CrmTicket)
    message = graphene.Field(CrmTicketMessage)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True)
        input = CrmTicketNoteInput(required=True)

    class Meta:
        description = "Adds an internal note, never shown to the customer. Requires MANAGE_ORDERS or MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id, input):
        require_staff(info)
        ticket = ticket_or_error(info, id, staff_only=True)
        note = actions.add_note(
            ticket, input["message"], actor=actor_of(info), attachments=input.get("attachments") or ()
        )
        return cls(ticket=Ticket.objects.get(pk=ticket.pk), message=note, errors=[])


class CrmTicketUpdateInput(graphene.InputObjectType):
    status = graphene.Field(CrmTicketStatusEnum)
    priority = graphene.Field(CrmTicketPriorityEnum)
    assignee = graphene.ID(description="A staff user's ID; null unassigns.")
    subject = graphene.String()
    add_tags = graphene.List(graphene.NonNull(graphene.String))
    remove_tags = graphene.List(graphene.NonNull(graphene.String))


class CrmTicketUpdate(CRMMutation):
    ticket = graphene.Field(CrmTicket)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True)
        input = CrmTicketUpdateInput(required=True)

    class Meta:
        description = "Changes status, priority, assignee, subject or tags. Requires MANAGE_ORDERS or MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id, input):
        require_staff(info)
        ticket = ticket_or_error(info, id, staff_only=True)
        changes = {
            "status": input.get("status"),
            "priority": input.get("priority"),
            "subject": input.get("subject"),
            "add_tags": input.get("add_tags") or (),
            "remove_tags": input.get("remove_tags") or (),
        }
        if "assignee" in input:
            changes["assignee"] = None
            if input["assignee"] is not None:
                pk = _pk(input["assignee"], "User", "assignee")
                changes["assignee"] = get_user_model().objects.filter(pk=pk).first()
                if changes["assignee"] is None:
                    raise MutationError("assignee", "NOT_FOUND", f"Couldn't resolve to a user: {input['assignee']}")
        ticket = actions.update_ticket(ticket, actor=actor_of(info), **changes)
        return cls(ticket=ticket, errors=[])


class CrmTicketMerge(CRMMutation):
    ticket = graphene.Field(CrmTicket, description="The ticket merged into.")
    errors = ERRORS

    class Arguments:
        source = graphene.ID(required=True, description="The duplicate, closed by the merge.")
        target = graphene.ID(required=True, description="The ticket that keeps the conversation.")

    class Meta:
        description = (
            "Merges a duplicate ticket into another of the same customer. Requires MANAGE_ORDERS or MANAGE_USERS."
        )

    @classmethod
    def perform_mutation(cls, info, source, target):
        require_staff(info)
        duplicate = ticket_or_error(info, source, "source", staff_only=True)
        kept = ticket_or_error(info, target, "target", staff_only=True)
        return cls(ticket=actions.merge_tickets(duplicate, kept, actor=actor_of(info)), errors=[])


class CrmTicketRate(CRMMutation):
    """A rating link is a bearer token, mailed and valid for weeks: its holder learns only what the rating
    page shows (the reference and the rating), not the thread or the customer."""

    ticket = graphene.Field(CrmTicket, description="The ticket, for its signed-in shopper (or staff); else null.")
    reference = graphene.String(description="The rated ticket's reference, e.g. T-42.")
    rating = graphene.Field(CrmTicketRating, description="The rating as recorded.")
    errors = ERRORS

    class Arguments:
        id = graphene.ID(description="The shopper's own solved ticket (signed in).")
        token = graphene.String(description="The signed token from the rating link in the solving email.")
        score = graphene.Int(required=True, description="1 (bad) to 5 (great).")
        comment = graphene.String()

    class Meta:
        description = "Rates a solved ticket once (CSAT): its shopper, or anyone holding the signed rating link."

    @classmethod
    def perform_mutation(cls, info, score, id=None, token=None, comment=""):
        if (id is None) == (token is None):
            raise MutationError("id", "REQUIRED", "Give either the ticket's ID or the rating token.")
        if token is not None:
            ticket = emails.ticket_for_rating_token(token)
            if ticket is None:
                raise MutationError("token", "INVALID", "This rating link is invalid or has expired.")
        else:
            ticket = ticket_or_error(info, id)
            if not owns_profile(caller_of(info), ticket.profile):
                raise MutationError("id", "NOT_FOUND", f"Couldn't resolve to a ticket: {id}")
        actor = Actor.shopper(caller_of(info).user if token is None else ticket.profile.user)
        rated = actions.rate_ticket(ticket, score, comment or "", actor=actor)
        return cls(
            ticket=rated if may_see(info, ticket.profile) else None,
            reference=rated.reference,
            rating=CrmTicketRating.of(rated),
            errors=[],
        )


class CrmTicketInboundEmailInput(graphene.InputObjectType):
    sender = graphene.String(required=True, description="The From address.")
    subject = graphene.String(required=True)
    body = graphene.String(required=True, description="The plain-text body.")
    message_id = graphene.String(description="The Message-ID header: a retried delivery is applied once.")
    attachments = graphene.List(graphene.NonNull(graphene.String), description="URLs where the provider keeps them.")


class CrmTicketInboundEmail(CRMMutation):
    ticket = graphene.Field(CrmTicket)
    message = graphene.Field(CrmTicketMessage)
    errors = ERRORS

    class Arguments:
        input = CrmTicketInboundEmailInput(required=True)

    class Meta:
        description = (
            "Posts an email a customer sent (for an inbound mail provider's webhook): threaded into the ticket "
            "named by [#T-42] in its subject, else a new ticket. Requires MANAGE_ORDERS or MANAGE_USERS (app token)."
        )

    @classmethod
    def perform_mutation(cls, info, input):
        require_staff(info)
        message = actions.receive_email(
            input["sender"],
            input["subject"],
            input["body"],
            message_id=input.get("message_id") or None,
            attachments=input.get("attachments") or (),
        )
        return cls(ticket=Ticket.objects.get(pk=message.ticket_id), message=message, errors=[])


class CrmMacroInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    body = graphene.String(required=True, description="Plain text; placeholders as {{ customer_name }}.")


class CrmMacroCreate(CRMMutation):
    macro = graphene.Field(CrmMacro)
    errors = ERRORS

    class Arguments:
        input = CrmMacroInput(required=True)

    class Meta:
        description = "Saves a reply macro. Requires MANAGE_ORDERS or MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, input):
        require_staff(info)
        macro = actions.save_macro(input["name"], input["body"], author=caller_of(info).user)
        return cls(macro=macro, errors=[])


def macro_or_error(global_id: str) -> Macro:
    macro = Macro.objects.filter(pk=_pk(global_id, "CrmMacro", "id")).first()
    if macro is None:
        raise MutationError("id", "NOT_FOUND", f"Couldn't resolve to a macro: {global_id}")
    return macro


class CrmMacroUpdate(CRMMutation):
    macro = graphene.Field(CrmMacro)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True)
        input = CrmMacroInput(required=True)

    class Meta:
        description = "Changes a reply macro. Requires MANAGE_ORDERS or MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id, input):
        require_staff(info)
        macro = macro_or_error(id)
        return cls(macro=actions.save_macro(input["name"], input["body"], macro=macro), errors=[])


class CrmMacroDelete(CRMMutation):
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Deletes a reply macro. Requires MANAGE_ORDERS or MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id):
        require_staff(info)
        actions.delete_macro(macro_or_error(id))
        return cls(errors=[])
