"""Saleor's federated entities that the CRM subgraph extends: ``User`` and ``Order``, keyed by ``id``.

A gateway composing Saleor's schema with ours resolves ``me { crmProfile { … } }`` and
``order(id) { crmOrder { … } }`` by sending us ``_entities`` representations. The IDs are Saleor's
global IDs, exactly as Saleor's API returns them.
"""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ..auth import Permission
from .core.errors import from_global_id_or_error
from .core.permissions import require_profile_access
from .profiles.dataloaders import OrderByOrderIdLoader, ProfileByIdLoader, ProfileByUserIdLoader
from .profiles.types import CrmCustomer, CrmOrder, visible_profile


class User(graphene.ObjectType):
    id = graphene.ID(required=True, description="The ID of the user.")
    crm_profile = graphene.Field(CrmCustomer, description="The customer's CRM profile.")

    class Meta:
        description = "Saleor's user, extended by the CRM."

    @staticmethod
    def resolve_crm_profile(root, info):
        return ProfileByUserIdLoader(info.context).load(root.id).then(lambda found: visible_profile(info, found))


class Order(graphene.ObjectType):
    id = graphene.ID(required=True, description="ID of the order.")
    crm_order = graphene.Field(CrmOrder, description="What the CRM knows of the order.")

    class Meta:
        description = "Saleor's order, extended by the CRM."

    @staticmethod
    def resolve_crm_order(root, info):
        def with_owner(snapshot):
            if snapshot is None:
                return None
            return ProfileByIdLoader(info.context).load(snapshot.profile_id).then(lambda owner: check(snapshot, owner))

        def check(snapshot, owner):
            require_profile_access(info, owner, Permission.MANAGE_ORDERS, Permission.MANAGE_USERS)
            return snapshot

        return OrderByOrderIdLoader(info.context).load(root.id).then(with_owner)


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
