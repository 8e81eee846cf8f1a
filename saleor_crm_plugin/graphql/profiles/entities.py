"""What profiles add to Saleor's ``User`` and ``Order`` entities (composed in ``graphql/entities.py``).

Like Saleor's own ``_entities``, a field answers null both for an ID the CRM doesn't know and for
one the caller may not see: a gateway query must not tell which Saleor users are CRM customers.
"""

from __future__ import annotations

import graphene

from ..core.visibility import SHOPPER_OR_SUPPORT, sees_any
from .dataloaders import OrderByOrderIdLoader, ProfileByIdLoader, ProfileByUserIdLoader
from .types import CrmCustomer, CrmOrder, visible_profile


class ProfileUserFields:
    crm_profile = graphene.Field(CrmCustomer, description="The customer's CRM profile.")

    @staticmethod
    def resolve_crm_profile(root, info):
        return ProfileByUserIdLoader(info.context).load(root.id).then(lambda found: visible_profile(info, found))


class ProfileOrderFields:
    crm_order = graphene.Field(CrmOrder, description="What the CRM knows of the order.")

    @staticmethod
    def resolve_crm_order(root, info):
        def with_owner(snapshot):
            if snapshot is None:
                return None
            owner = ProfileByIdLoader(info.context).load(snapshot.profile_id)
            return owner.then(lambda profile: snapshot if sees_any(info, profile, SHOPPER_OR_SUPPORT) else None)

        return OrderByOrderIdLoader(info.context).load(root.id).then(with_owner)
