"""Loyalty mutations: thin wrappers over ``loyalty.actions`` with Saleor-style errors."""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ...auth import Permission
from ...loyalty import actions
from ...loyalty.models import LoyaltyAccount as LoyaltyAccountModel
from ...loyalty.models import Reward
from ...profiles.models import CustomerProfile
from ..core import scalars
from ..core.errors import MutationError, error_type, from_global_id_or_error, int_pk_or_error
from ..core.mutations import CRMMutation
from ..core.permissions import caller_of, require
from ..core.visibility import SHOPPER_OR_MANAGER, sees_any
from .enums import LoyaltyErrorCode
from .types import LoyaltyAccount, LoyaltyLedgerEntry, LoyaltyRedemption, LoyaltyReward

LoyaltyError_ = error_type("LoyaltyError", LoyaltyErrorCode, "An error on a loyalty mutation.")
ERRORS = graphene.List(graphene.NonNull(LoyaltyError_), required=True)


def customer_or_error(global_id: str | None, info, field: str = "customerId") -> CustomerProfile:
    """The customer named by a CrmCustomer or Saleor User ID; a signed-in shopper may name nobody (themself)."""
    if global_id is None:
        own = caller_of(info).user_global_id
        profile = CustomerProfile.objects.filter(saleor_user_id=own).first() if own else None
        if profile is None:
            if own is None:
                require(info, Permission.MANAGE_USERS)
            raise MutationError(field, "REQUIRED", "Give the customer's ID.")
        return profile
    profile = customer_by_global_id(global_id, field)
    if not sees_any(info, profile, SHOPPER_OR_MANAGER):  # someone else's customer answers like a missing one
        raise MutationError(field, "NOT_FOUND", f"Couldn't resolve to a node: {global_id}")
    return profile


def customer_by_global_id(global_id: str, field: str) -> CustomerProfile | None:
    try:
        if _type_of(global_id) == "User":
            from_global_id_or_error(global_id, "User")
            return CustomerProfile.objects.filter(saleor_user_id=global_id).first()
        return CustomerProfile.objects.filter(pk=int_pk_or_error(global_id, "CrmCustomer")).first()
    except GraphQLError as error:
        raise MutationError(field, "GRAPHQL_ERROR", error.message) from error


def _type_of(global_id: str) -> str:
    import base64
    import binascii

    try:
        return base64.b64decode(global_id, validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


class LoyaltyRedeem(CRMMutation):
    redemption = graphene.Field(LoyaltyRedemption)
    account = graphene.Field(LoyaltyAccount)
    errors = ERRORS

    class Arguments:
        reward_id = graphene.ID(description="ID of a LoyaltyReward; or give `points`.")
        points = graphene.Int(description="Points to turn into a discount at the program's rate.")
        checkout_id = graphene.ID(description="Saleor checkout (ID or token) to apply the code to.")
        customer_id = graphene.ID(description="Staff only: redeem for this customer.")

    class Meta:
        description = "Redeems points for a discount code (a gift card in Saleor). The shopper, or staff."

    @classmethod
    def perform_mutation(cls, info, reward_id=None, points=None, checkout_id=None, customer_id=None):
        profile = customer_or_error(customer_id, info)
        reward = None
        if reward_id is not None:
            try:
                pk = int_pk_or_error(reward_id, "LoyaltyReward")
            except GraphQLError as error:
                raise MutationError("rewardId", "GRAPHQL_ERROR", error.message) from error
            reward = Reward.objects.filter(pk=pk).first()
            if reward is None:
                raise MutationError("rewardId", "NOT_FOUND", f"Couldn't resolve to a node: {reward_id}")
        redemption = actions.redeem_points(profile, reward=reward, points=points, checkout_id=checkout_id)
        return cls(redemption=redemption, account=redemption.account, errors=[])


class LoyaltyPointsAdjust(CRMMutation):
    account = graphene.Field(LoyaltyAccount)
    entry = graphene.Field(LoyaltyLedgerEntry)
    errors = ERRORS

    class Arguments:
        customer_id = graphene.ID(required=True, description="ID of a CrmCustomer or Saleor User.")
        points = graphene.Int(required=True, description="Points to add (or, negative, to take).")
        reason = graphene.String(required=True, description="Why; kept on the ledger and the timeline.")

    class Meta:
        description = "Adds or takes points with a reason. Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, customer_id, points, reason):
        require(info, Permission.MANAGE_USERS)
        profile = customer_or_error(customer_id, info)
        entry = actions.adjust_points(profile, points, reason, staff_user=caller_of(info).user)
        return cls(account=LoyaltyAccountModel.objects.get(pk=entry.account_id), entry=entry, errors=[])


class LoyaltyBirthDateUpdate(CRMMutation):
    account = graphene.Field(LoyaltyAccount)
    errors = ERRORS

    class Arguments:
        birth_date = graphene.Date(description="Null forgets it.")
        customer_id = graphene.ID(description="Staff only; a shopper updates their own.")

    class Meta:
        description = "Sets the birth date the birthday bonus needs. The shopper, or staff with MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, birth_date=None, customer_id=None):
        profile = customer_or_error(customer_id, info)
        return cls(account=actions.set_birth_date(profile, birth_date), errors=[])


class LoyaltyRewardInput(graphene.InputObjectType):
    name = graphene.String()
    description = graphene.String()
    points_cost = graphene.Int()
    value = scalars.Decimal(description="Discount value in the channel's currency.")
    channel = graphene.String(description="Channel slug.")
    is_active = graphene.Boolean()


class LoyaltyRewardSave(CRMMutation):
    reward = graphene.Field(LoyaltyReward)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(description="ID of the LoyaltyReward to update; none creates one.")
        input = LoyaltyRewardInput(required=True)

    class Meta:
        description = "Creates or updates a reward of the catalogue. Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, input, id=None):
        require(info, Permission.MANAGE_USERS)
        reward = None
        if id is not None:
            try:
                reward = Reward.objects.filter(pk=int_pk_or_error(id, "LoyaltyReward")).first()
            except GraphQLError as error:
                raise MutationError("id", "GRAPHQL_ERROR", error.message) from error
            if reward is None:
                raise MutationError("id", "NOT_FOUND", f"Couldn't resolve to a node: {id}")
        return cls(reward=actions.save_reward(reward, dict(input)), errors=[])
