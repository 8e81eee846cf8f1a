"""What loyalty adds to Saleor's ``User`` and ``Order`` entities (composed in ``graphql/entities.py``).

Null both for an ID the CRM doesn't know and for one the caller may not see, like Saleor's ``_entities``.
"""

from __future__ import annotations

import graphene

from ..core.visibility import SHOPPER_OR_SUPPORT, sees_any
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
            return owner.then(lambda profile: standing if sees_any(info, profile, SHOPPER_OR_SUPPORT) else None)

        return OrderPointsByOrderIdLoader(info.context).load(root.id).then(with_owner)
