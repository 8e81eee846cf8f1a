"""``crmFlows`` and ``crmMessages`` filters; message filters become hashable lookups so the
per-flow and per-customer message loaders can batch by them."""

from __future__ import annotations

import graphene
from django.db.models import Q, QuerySet

from ..core.errors import int_pk_or_error
from .enums import CrmMessageStatusEnum

# What a shopper sees of their own messages: only those that reached them.
Conditions = tuple[tuple[str, object], ...]
SHOPPER_CONDITIONS: Conditions = (("status", "sent"),)


class CrmFlowFilterInput(graphene.InputObjectType):
    search = graphene.String(description="Part of the name, slug or description.")
    is_active = graphene.Boolean()
    trigger = graphene.String(description="A trigger name, e.g. `checkout.abandoned`.")


class CrmMessageFilterInput(graphene.InputObjectType):
    flow = graphene.ID(description="A CrmFlow ID.")
    customer = graphene.ID(description="A CrmCustomer ID.")
    status = graphene.List(graphene.NonNull(CrmMessageStatusEnum))
    sent_after = graphene.DateTime(description="Sent at or after this moment.")
    sent_before = graphene.DateTime(description="Sent before this moment.")


def filter_flows(queryset: QuerySet, filter_input: dict) -> QuerySet:
    if search := (filter_input.get("search") or "").strip():
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(description__icontains=search)
        )
    if (active := filter_input.get("is_active")) is not None:
        queryset = queryset.filter(is_active=active)
    if trigger := filter_input.get("trigger"):
        queryset = queryset.filter(trigger=trigger)
    return queryset


def message_conditions(filter_input: dict | None) -> Conditions:
    """The filter as ORM lookups, IDs checked (a bad one is a GraphQL error), in a stable order."""
    filter_input = filter_input or {}
    lookups: dict[str, object] = {}
    if filter_input.get("flow"):
        lookups["flow_id"] = int_pk_or_error(filter_input["flow"], "CrmFlow")
    if filter_input.get("customer"):
        lookups["profile_id"] = int_pk_or_error(filter_input["customer"], "CrmCustomer")
    if filter_input.get("status"):
        lookups["status__in"] = tuple(sorted(filter_input["status"]))
    if filter_input.get("sent_after"):
        lookups["sent_at__gte"] = filter_input["sent_after"]
    if filter_input.get("sent_before"):
        lookups["sent_at__lt"] = filter_input["sent_before"]
    return tuple(sorted(lookups.items()))


def apply_conditions(queryset: QuerySet, conditions: Conditions) -> QuerySet:
    return queryset.filter(**dict(conditions))
