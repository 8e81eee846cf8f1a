"""Root queries of the Dashboard App's helpdesk pages: counts per inbox view, assignees, a macro's preview.

The inbox shows every view's count beside its name; they come from one aggregate over the tickets
(``COUNT(*) FILTER (WHERE …)`` per view), never from a request per view.
"""

from __future__ import annotations

import graphene
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from graphql.error import GraphQLError

from ...ids import global_id
from ...tickets import placeholders
from ...tickets.models import ACTIVE_STATUSES, Macro, Ticket, TicketStatus
from ..core.errors import int_pk_or_error
from ..core.permissions import caller_of
from ..tickets.access import require_staff

MAX_STAFF = 200
MAX_PREVIEW = 20_000


class CrmTicketViewCounts(graphene.ObjectType):
    active = graphene.Int(required=True, description="New, open, pending or on hold.")
    open = graphene.Int(required=True, description="New or open: waiting on the team.")
    mine = graphene.Int(required=True, description="Active and assigned to the caller.")
    unassigned = graphene.Int(required=True, description="Active and assigned to nobody.")
    breached = graphene.Int(required=True, description="Active and past a first-response or resolution target.")
    at_risk = graphene.Int(required=True, description="Active with a due time near.")
    pending = graphene.Int(required=True, description="Waiting on the customer.")
    on_hold = graphene.Int(required=True)
    solved = graphene.Int(required=True)
    closed = graphene.Int(required=True)

    class Meta:
        description = "How many tickets each inbox view holds."


class CrmStaffMember(graphene.ObjectType):
    id = graphene.ID(required=True, description="The Saleor User ID, as ticket assignees take it.")
    name = graphene.String(required=True, description="Full name, else the email.")
    email = graphene.String(required=True)
    is_viewer = graphene.Boolean(required=True, description="The caller: what the inbox's 'Mine' view filters on.")

    class Meta:
        description = "A staff member tickets can be assigned to."


class CrmMacroPreview(graphene.ObjectType):
    text = graphene.String(required=True, description="The macro filled in with the ticket's values, as sent.")
    unknown_placeholders = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Placeholders no domain provides (left empty)."
    )

    class Meta:
        description = "A macro rendered for one ticket, before it is sent."


def view_counts(caller_user_pk: int | None) -> dict[str, int]:
    active = Q(status__in=ACTIVE_STATUSES)
    views = {
        "active": active,
        "open": Q(status__in=(TicketStatus.NEW, TicketStatus.OPEN)),
        "mine": active & Q(assignee_id=caller_user_pk) if caller_user_pk else Q(pk__in=[]),
        "unassigned": active & Q(assignee__isnull=True),
        "breached": active & (Q(first_response_breached=True) | Q(resolution_breached=True)),
        "at_risk": active & Q(sla_at_risk=True),
        "pending": Q(status=TicketStatus.PENDING),
        "on_hold": Q(status=TicketStatus.ON_HOLD),
        "solved": Q(status=TicketStatus.SOLVED),
        "closed": Q(status=TicketStatus.CLOSED),
    }
    return Ticket.objects.aggregate(**{name: Count("pk", filter=condition) for name, condition in views.items()})


def _name(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.email


class HelpdeskPageQueries(graphene.ObjectType):
    crm_ticket_view_counts = graphene.Field(
        CrmTicketViewCounts,
        required=True,
        description="Tickets per inbox view, in one aggregate. Requires MANAGE_ORDERS or MANAGE_USERS.",
    )
    crm_staff_members = graphene.List(
        graphene.NonNull(CrmStaffMember),
        required=True,
        description=f"Active staff, by name (up to {MAX_STAFF}): the assignee choices. Requires MANAGE_ORDERS or "
        "MANAGE_USERS.",
    )
    crm_macro_preview = graphene.Field(
        CrmMacroPreview,
        ticket=graphene.ID(required=True),
        macro=graphene.ID(description="A saved macro; or give its text as `body`."),
        body=graphene.String(description="An unsaved macro text."),
        description="A macro filled in for a ticket (null when the ticket is unknown). Requires MANAGE_ORDERS or "
        "MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_ticket_view_counts(root, info):
        require_staff(info)
        user = caller_of(info).user
        return CrmTicketViewCounts(**view_counts(user.pk if user is not None else None))

    @staticmethod
    def resolve_crm_staff_members(root, info):
        require_staff(info)
        viewer = caller_of(info).user
        staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("first_name", "last_name", "pk")
        return [
            CrmStaffMember(
                id=global_id("User", user.pk),
                name=_name(user),
                email=user.email,
                is_viewer=viewer is not None and user.pk == viewer.pk,
            )
            for user in staff[:MAX_STAFF]
        ]

    @staticmethod
    def resolve_crm_macro_preview(root, info, ticket, macro=None, body=None):
        require_staff(info)
        if (macro is None) == (body is None):
            raise GraphQLError("Give exactly one of the arguments 'macro' and 'body'.")
        if body is not None and len(body) > MAX_PREVIEW:
            raise GraphQLError(f"A macro is at most {MAX_PREVIEW} characters.")
        found = (
            Ticket.objects.select_related("profile", "order").filter(pk=int_pk_or_error(ticket, "CrmTicket")).first()
        )
        if found is None:
            return None
        if macro is not None:
            saved = Macro.objects.filter(pk=int_pk_or_error(macro, "CrmMacro")).first()
            if saved is None:
                raise GraphQLError(f"Couldn't resolve to a macro: {macro}")
            body = saved.body
        return CrmMacroPreview(
            text=placeholders.render(body, found), unknown_placeholders=placeholders.unknown_in(body)
        )
