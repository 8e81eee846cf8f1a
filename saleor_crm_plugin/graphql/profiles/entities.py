"""What profiles add to Saleor's ``User`` and ``Order`` entities (composed in ``graphql/entities.py``)."""

from __future__ import annotations

import graphene

from ...auth import Permission
from ..core.permissions import require_profile_access
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
            return ProfileByIdLoader(info.context).load(snapshot.profile_id).then(lambda owner: check(snapshot, owner))

        def check(snapshot, owner):
            require_profile_access(info, owner, Permission.MANAGE_ORDERS, Permission.MANAGE_USERS)
            return snapshot

        return OrderByOrderIdLoader(info.context).load(root.id).then(with_owner)
