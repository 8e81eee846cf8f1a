"""Saleor's federated entities that the CRM subgraph extends: ``User`` and ``Order``, keyed by ``id``.

A gateway composing Saleor's schema with ours resolves ``me { crmProfile { … } }`` and
``order(id) { crmOrder { … } }`` by sending us ``_entities`` representations. The IDs are Saleor's
global IDs, exactly as Saleor's API returns them. Each domain adds its fields as a mixin below.
"""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from .automation.entities import AutomationUserFields
from .core.errors import from_global_id_or_error
from .loyalty.entities import LoyaltyOrderFields, LoyaltyUserFields
from .profiles.entities import ProfileOrderFields, ProfileUserFields
from .segments.entities import SegmentUserFields
from .tickets.entities import TicketOrderFields, TicketUserFields


class User(
    ProfileUserFields,
    LoyaltyUserFields,
    SegmentUserFields,
    TicketUserFields,
    AutomationUserFields,
    graphene.ObjectType,
):
    id = graphene.ID(required=True, description="The ID of the user.")

    class Meta:
        description = "Saleor's user, extended by the CRM."


class Order(
    ProfileOrderFields,
    LoyaltyOrderFields,
    TicketOrderFields,
    graphene.ObjectType,
):
    id = graphene.ID(required=True, description="ID of the order.")

    class Meta:
        description = "Saleor's order, extended by the CRM."


ENTITIES = {"User": User, "Order": Order}


def resolve_entities(root, info, representations):
    """Federation's ``_entities``: a stub per representation, validated like Saleor validates them."""
    entities = []
    for representation in representations:
        if not isinstance(representation, dict):
            raise GraphQLError("Invalid type for 'representation' field: must be an object")
        typename = representation.get("__typename")
        if typename not in ENTITIES:
            raise GraphQLError("Invalid value or unsupported model for __typename")
        entity_id = representation.get("id")
        if not isinstance(entity_id, str):
            raise GraphQLError("Missing required field: id")
        from_global_id_or_error(entity_id, typename)
        entities.append(ENTITIES[typename](id=entity_id))
    return entities
