"""What loyalty adds to Saleor's ``User`` and ``Order`` entities (composed in ``graphql/entities.py``)."""

from __future__ import annotations

import graphene

from ...auth import Permission
from ..core.permissions import require_profile_access
from ..profiles.dataloaders import ProfileByIdLoader, ProfileByUserIdLoader
from .dataloaders import OrderPointsByOrderIdLoader
from .schema import visible_account
from .types import LoyaltyAccount, LoyaltyOrderPoints


class LoyaltyUserFields:
    loyalty = graphene.Field(LoyaltyAccount, description="The customer's loyalty account.")

    @staticmethod
    def resolve_loyalty(root, info):
        return visible_account(info, ProfileByUserIdLoader(info.context).load(root.id))


class LoyaltyOrderFields:
    loyalty_points = graphene.Field(LoyaltyOrderPoints, description="The loyalty points the order earned.")

    @staticmethod
    def resolve_loyalty_points(root, info):
        def with_owner(standing):
            if standing is None:
                return None
            owner = ProfileByIdLoader(info.context).load(standing.account.profile_id)
            return owner.then(lambda profile: check(standing, profile))

        def check(standing, profile):
            require_profile_access(info, profile, Permission.MANAGE_ORDERS, Permission.MANAGE_USERS)
            return standing

        return OrderPointsByOrderIdLoader(info.context).load(root.id).then(with_owner)
