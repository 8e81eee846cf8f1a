"""``crmTickets`` filters and sorting as querysets the inbox indexes answer."""

from __future__ import annotations

from datetime import UTC, datetime

import graphene
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from graphql.error import GraphQLError

from ...tickets.models import TicketMessage
from ..core.errors import from_global_id_or_error, int_pk_or_error
from ..profiles.enums import OrderDirection
from .enums import CrmTicketChannelEnum, CrmTicketPriorityEnum, CrmTicketSortField, CrmTicketStatusEnum

# Tickets without a due time sort after every real one (ascending), so a cursor never holds NULL.
NO_DUE_TIME = datetime(9999, 12, 31, tzinfo=UTC)
SORT_FIELDS = {
    "LAST_MESSAGE_AT": ["last_message_at"],
    "CREATED_AT": ["created_at"],
    "UPDATED_AT": ["updated_at"],
    "PRIORITY": ["priority", "last_message_at"],
}
DUE_SORT_FIELDS = {"FIRST_RESPONSE_DUE_AT": "first_response_due_at", "RESOLUTION_DUE_AT": "resolution_due_at"}


class CrmTicketFilterInput(graphene.InputObjectType):
    status = graphene.List(graphene.NonNull(CrmTicketStatusEnum))
    priority = graphene.List(graphene.NonNull(CrmTicketPriorityEnum))
    channel = graphene.List(graphene.NonNull(CrmTicketChannelEnum))
    assignee = graphene.ID(description="A staff user's ID.")
    unassigned = graphene.Boolean()
    assigned_to_me = graphene.Boolean(description="Assigned to the caller (the inbox's 'Mine' view).")
    customer = graphene.ID(description="A CrmCustomer ID.")
    order = graphene.ID(description="A Saleor Order ID.")
    breached = graphene.Boolean(description="A first-response or resolution target was missed.")
    at_risk = graphene.Boolean(description="A due time is near.")
    search = graphene.String(description="Reference (T-42), subject, the customer's email or a message's text.")


class CrmTicketSortingInput(graphene.InputObjectType):
    field = graphene.Field(CrmTicketSortField, required=True)
    direction = graphene.Field(OrderDirection, required=True)


def filter_tickets(queryset: QuerySet, filter_input: dict, viewer_pk: int | None = None) -> QuerySet:
    """``viewer_pk``: the calling staff user, for ``assignedToMe`` (an app or nobody has no tickets)."""
    for name in ("status", "priority", "channel"):
        if filter_input.get(name):
            queryset = queryset.filter(**{f"{name}__in": filter_input[name]})
    if filter_input.get("assignee"):
        queryset = queryset.filter(assignee_id=int_pk_or_error(filter_input["assignee"], "User"))
    if (unassigned := filter_input.get("unassigned")) is not None:
        queryset = queryset.filter(assignee__isnull=unassigned)
    if (mine := filter_input.get("assigned_to_me")) is not None:
        condition = Q(assignee_id=viewer_pk) if viewer_pk is not None else Q(pk__in=[])
        queryset = queryset.filter(condition) if mine else queryset.exclude(condition)
    if filter_input.get("customer"):
        queryset = queryset.filter(profile_id=int_pk_or_error(filter_input["customer"], "CrmCustomer"))
    if filter_input.get("order"):
        from_global_id_or_error(filter_input["order"], "Order")
        queryset = queryset.filter(order__saleor_order_id=filter_input["order"])
    breached = Q(first_response_breached=True) | Q(resolution_breached=True)
    if (wanted := filter_input.get("breached")) is not None:
        queryset = queryset.filter(breached) if wanted else queryset.exclude(breached)
    if (at_risk := filter_input.get("at_risk")) is not None:
        queryset = queryset.filter(sla_at_risk=at_risk)
    if search := (filter_input.get("search") or "").strip():
        reference = search.upper().removeprefix("#").removeprefix("T-")
        in_messages = Exists(TicketMessage.objects.filter(ticket=OuterRef("pk"), body__icontains=search))
        condition = Q(subject__icontains=search) | Q(profile__email__icontains=search) | Q(in_messages)
        if reference.isdigit() and len(reference) < 19:
            condition |= Q(pk=int(reference))
        queryset = queryset.filter(condition)
    return queryset


def sort_tickets(queryset: QuerySet, sort_by: dict | None) -> tuple[QuerySet, list[str]]:
    """The queryset and its keyset ordering (ending in the unique ``id``); newest activity first by default."""
    field = sort_by["field"] if sort_by else "LAST_MESSAGE_AT"
    sign = "-" if (sort_by is None or sort_by["direction"] == "DESC") else ""
    if field in SORT_FIELDS:
        return queryset, [sign + name for name in [*SORT_FIELDS[field], "id"]]
    if field not in DUE_SORT_FIELDS:
        raise GraphQLError(f"Can't sort tickets by {field}.")
    key = Coalesce(F(DUE_SORT_FIELDS[field]), Value(NO_DUE_TIME), output_field=DateTimeField())
    return queryset.annotate(sort_key=key), [sign + "sort_key", sign + "id"]
