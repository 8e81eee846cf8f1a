"""Loyalty queries and mutations, gathered into the CRM schema by ``graphql/schema.py``."""

from __future__ import annotations

import graphene

from ...auth import Permission
from ...loyalty.program import current_program
from ..core.errors import PermissionDenied
from ..core.permissions import caller_of
from ..core.visibility import SHOPPER_OR_MANAGER, sees_any
from ..profiles.dataloaders import ProfileByUserIdLoader
from . import mutations
from .dataloaders import AccountByProfileIdLoader
from .types import LoyaltyAccount, LoyaltyProgram


class LoyaltyQueries(graphene.ObjectType):
    loyalty_account = graphene.Field(
        LoyaltyAccount,
        customer_id=graphene.ID(description="ID of a CrmCustomer or Saleor User; omit for your own account."),
        description="A loyalty account: staff with MANAGE_USERS, or the signed-in shopper's own.",
    )
    loyalty_program = graphene.Field(LoyaltyProgram, required=True, description="The program: public.")

    @staticmethod
    def resolve_loyalty_account(root, info, customer_id=None):
        if customer_id is None:
            own = caller_of(info).user_global_id
            if own is None:
                raise PermissionDenied((Permission.MANAGE_USERS,))
            profile = ProfileByUserIdLoader(info.context).load(own)
        else:
            profile = mutations.customer_by_global_id(customer_id, "customerId")
        return visible_account(info, profile)

    @staticmethod
    def resolve_loyalty_program(root, info):
        return LoyaltyProgram.of(current_program())


def visible_account(info, profile):
    """The profile's account if the caller may see it, else None, exactly as for a missing customer
    (``profile`` may be a promise)."""

    def load(found):
        if not sees_any(info, found, SHOPPER_OR_MANAGER):
            return None
        return AccountByProfileIdLoader(info.context).load(found.pk)

    return profile.then(load) if hasattr(profile, "then") else load(profile)


class LoyaltyMutations(graphene.ObjectType):
    loyalty_redeem = mutations.LoyaltyRedeem.Field()
    loyalty_points_adjust = mutations.LoyaltyPointsAdjust.Field()
    loyalty_birth_date_update = mutations.LoyaltyBirthDateUpdate.Field()
    loyalty_reward_save = mutations.LoyaltyRewardSave.Field()
