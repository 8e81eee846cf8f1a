"""Loyalty as the API shows it: accounts, ledger, tiers, rewards and the public program."""

from __future__ import annotations

from decimal import Decimal

import graphene
from django.utils import timezone
from graphene import relay

from ...ids import global_id
from ...loyalty.channels import reward_channel
from ...loyalty.models import LoyaltyAccount as Account
from ...loyalty.models import OrderPoints, PointsLedgerEntry, Redemption, Reward
from ...loyalty.program import Program, Tier, current_program, points_text
from ...loyalty.tiers import qualifying
from ..core import scalars
from ..core.connection import CountableConnection, paginate
from ..core.types import Money, MoneyAmount
from ..core.visibility import SHOPPER_OR_MANAGER, SHOPPER_OR_SUPPORT, guard_fields
from ..profiles.dataloaders import ProfileByIdLoader
from ..profiles.types import USER_ENTITY, CrmCustomer, owner_by_profile_id, user_entity
from .dataloaders import ActiveRewardsLoader, LastOrderChannelLoader, PendingPointsByAccountIdLoader
from .enums import LoyaltyLedgerKind, LoyaltyOrderPointsStatus

LEDGER_ORDERING = ("-occurred_at", "-id")
CODES_ORDERING = ("-created_at", "-id")


def plain(value) -> Decimal:
    """Exact, and printed without an exponent (``100``, not ``1E+2``) by graphene's Decimal scalar."""
    return Decimal(format(Decimal(value), "f"))


class LoyaltyTier(graphene.ObjectType):
    name = graphene.String(required=True)
    threshold = graphene.Int(required=True, description="Qualifying points (or spend) over the rolling window.")
    multiplier = scalars.Decimal(required=True, description="Points earned per point a Bronze shopper earns.")
    perk = graphene.String(required=True)

    @staticmethod
    def of(tier: Tier | None) -> LoyaltyTier | None:
        if tier is None:
            return None
        return LoyaltyTier(name=tier.name, threshold=tier.threshold, multiplier=plain(tier.multiplier), perk=tier.perk)


class LoyaltyTierProgress(graphene.ObjectType):
    current = graphene.Field(LoyaltyTier, description="Null before the first tier is reached.")
    next = graphene.Field(LoyaltyTier, description="Null at the top tier.")
    basis = graphene.String(required=True, description="`points` or `spend`.")
    qualifying = scalars.Decimal(required=True, description="Qualifying points or spend in the window.")
    remaining = scalars.Decimal(description="How much more reaches the next tier.")
    progress = graphene.Float(required=True, description="0..1 of the way from the current tier to the next.")
    since = graphene.DateTime()
    kept_until = graphene.DateTime(description="The tier is kept at least until then.")


class LoyaltyOrderPoints(graphene.ObjectType):
    order_id = graphene.ID(required=True, description="Saleor's ID of the order.")
    order_number = graphene.String(required=True)
    points = graphene.Int(required=True, description="Points the order earned at the base rate.")
    reversed = graphene.Int(required=True, description="Points taken back for refunds or cancellation.")
    remaining = graphene.Int(required=True)
    tier_bonus = graphene.Int(
        required=True, description="Extra points from the tier multiplier, added when the points are released."
    )
    status = graphene.Field(LoyaltyOrderPointsStatus, required=True)
    release_at = graphene.DateTime(description="When pending points become available; null until fully paid.")
    released_at = graphene.DateTime()

    class Meta:
        description = "The points an order earned and where they stand."

    @staticmethod
    def resolve_order_id(root: OrderPoints, info):
        return root.saleor_order_id

    @staticmethod
    def resolve_order_number(root: OrderPoints, info):
        return root.number

    @staticmethod
    def resolve_status(root: OrderPoints, info):
        return root.status

    @staticmethod
    def resolve_tier_bonus(root: OrderPoints, info):
        return root.bonus


class LoyaltyLedgerEntry(graphene.ObjectType):
    kind = graphene.Field(LoyaltyLedgerKind, required=True)
    points = graphene.Int(required=True, description="The change; negative when points go.")
    available_after = graphene.Int(required=True)
    pending_after = graphene.Int(required=True)
    debt_after = graphene.Int(required=True)
    order_id = graphene.ID(description="Saleor's ID of the order that caused it.")
    rule = graphene.String(required=True, description="order, refund, cancel, reward, staff, signup, expiry…")
    reason = graphene.String(required=True)
    staff_user = graphene.Field(USER_ENTITY, description="The staff member who adjusted.")
    occurred_at = graphene.DateTime(required=True)

    class Meta:
        interfaces = (relay.Node,)
        description = "One change of a loyalty account's points."

    @staticmethod
    def resolve_order_id(root: PointsLedgerEntry, info):
        return root.saleor_order_id

    @staticmethod
    def resolve_staff_user(root: PointsLedgerEntry, info):
        return user_entity(global_id("User", root.staff_user_id) if root.staff_user_id else None)


class LoyaltyLedgerEntryCountableConnection(CountableConnection):
    class Meta:
        node = LoyaltyLedgerEntry


class LoyaltyReward(graphene.ObjectType):
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    points_cost = graphene.Int(required=True)
    value = graphene.Field(Money, required=True)
    channel = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)

    class Meta:
        interfaces = (relay.Node,)
        description = "A discount shoppers can buy with points."

    @staticmethod
    def resolve_value(root: Reward, info):
        return MoneyAmount(root.value, root.currency)


class LoyaltyRedemption(graphene.ObjectType):
    points = graphene.Int(required=True)
    value = graphene.Field(Money, required=True)
    code = graphene.String(required=True, description="The gift card code to use at checkout.")
    status = graphene.String(required=True, description="`issued` or `failed`.")
    gift_card_id = graphene.ID(description="Saleor's ID of the gift card.")
    checkout_id = graphene.String(description="The checkout the code was applied to.")
    reward = graphene.Field(LoyaltyReward)
    created_at = graphene.DateTime(required=True)

    class Meta:
        interfaces = (relay.Node,)

    @staticmethod
    def resolve_value(root: Redemption, info):
        return MoneyAmount(root.value, root.currency)

    @staticmethod
    def resolve_gift_card_id(root: Redemption, info):
        return root.reference or None


class LoyaltyRedemptionCountableConnection(CountableConnection):
    class Meta:
        node = LoyaltyRedemption


class LoyaltyAccount(graphene.ObjectType):
    customer = graphene.Field(CrmCustomer, required=True)
    available = graphene.Int(required=True, description="Points the shopper can redeem now.")
    pending = graphene.Int(required=True, description="Points waiting for payment and the return window.")
    lifetime = graphene.Int(required=True, description="Points ever earned, net of reversals.")
    debt = graphene.Int(required=True, description="Points owed after refunds of already spent points.")
    tier = graphene.Field(LoyaltyTierProgress, required=True)
    pending_points = graphene.List(graphene.NonNull(LoyaltyOrderPoints), required=True)
    expiring_points = graphene.Int(required=True, description="Points that expire soon.")
    expiring_at = graphene.DateTime(description="When the expiring points expire.")
    birth_date = graphene.Date()
    reward_channel = graphene.String(
        checkout_id=graphene.ID(description="The shopper's checkout, whose channel then decides."),
        description="The channel whose rewards the shopper may redeem: the checkout's, else their newest order's, "
        "else the store's reward channel. Null for a checkout that isn't theirs.",
    )
    rewards = graphene.List(
        graphene.NonNull(LoyaltyReward),
        required=True,
        checkout_id=graphene.ID(),
        description="Active rewards of the shopper's reward channel, affordable or not.",
    )
    available_rewards = graphene.List(
        graphene.NonNull(LoyaltyReward),
        required=True,
        checkout_id=graphene.ID(),
        description="Active rewards of the shopper's reward channel that the balance affords.",
    )
    codes = graphene.Field(
        lambda: LoyaltyRedemptionCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        required=True,
        description="Reward codes issued to the shopper, newest first.",
    )
    ledger = graphene.Field(
        LoyaltyLedgerEntryCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        required=True,
        description="Ledger entries, newest first.",
    )

    class Meta:
        interfaces = (relay.Node,)
        description = "A shopper's loyalty points, tier and rewards."

    @staticmethod
    def resolve_customer(root: Account, info):
        return ProfileByIdLoader(info.context).load(root.profile_id)

    @staticmethod
    def resolve_tier(root: Account, info):
        return tier_progress(root, current_program())

    @staticmethod
    def resolve_pending_points(root: Account, info):
        return PendingPointsByAccountIdLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_reward_channel(root: Account, info, checkout_id=None):
        return _reward_channel(root, info, checkout_id)

    @staticmethod
    def resolve_rewards(root: Account, info, checkout_id=None):
        return _channel_rewards(root, info, checkout_id)

    @staticmethod
    def resolve_available_rewards(root: Account, info, checkout_id=None):
        return _channel_rewards(root, info, checkout_id).then(
            lambda rewards: [r for r in rewards if r.points_cost <= root.available]
        )

    @staticmethod
    def resolve_codes(root: Account, info, **page):
        issued = Redemption.objects.filter(account_id=root.pk, status=Redemption.ISSUED)
        return paginate(issued, CODES_ORDERING, page, "codes")

    @staticmethod
    def resolve_ledger(root: Account, info, **page):
        return paginate(PointsLedgerEntry.objects.filter(account_id=root.pk), LEDGER_ORDERING, page, "ledger")


guard_fields(LoyaltyAccount, owner=owner_by_profile_id, default=SHOPPER_OR_MANAGER)
guard_fields(
    LoyaltyOrderPoints,
    owner=lambda standing, info: ProfileByIdLoader(info.context).load(standing.account.profile_id),
    default=SHOPPER_OR_SUPPORT,  # an order's points: its shopper, or staff looking at the order
)


def _reward_channel(account: Account, info, checkout_id: str | None):
    program = current_program()
    return (
        ProfileByIdLoader(info.context)
        .load(account.profile_id)
        .then(
            lambda profile: (
                LastOrderChannelLoader(info.context)
                .load(account.profile_id)
                .then(lambda last: reward_channel(profile, checkout_id, program, last))
            )
        )
    )


def _channel_rewards(account: Account, info, checkout_id: str | None):
    return _reward_channel(account, info, checkout_id).then(
        lambda channel: ActiveRewardsLoader(info.context).load(channel) if channel else []
    )


def tier_progress(account: Account, program: Program) -> LoyaltyTierProgress:
    current = program.tier(account.tier)
    following = program.next_tier(account.tier)
    value = qualifying([account.pk], program, timezone.now()).get(account.pk, Decimal(0))
    floor = current.threshold if current else 0
    if following is None:
        progress, remaining = 1.0, None
    else:
        span = max(following.threshold - floor, 1)
        progress = float(min(max((value - floor) / span, Decimal(0)), Decimal(1)))
        remaining = plain(max(following.threshold - value, Decimal(0)))
    return LoyaltyTierProgress(
        current=LoyaltyTier.of(current),
        next=LoyaltyTier.of(following),
        basis=program.settings.loyalty_tier_basis,
        qualifying=plain(value),
        remaining=remaining,
        progress=progress,
        since=account.tier_since,
        kept_until=account.tier_kept_until,
    )


class LoyaltyEarnRate(graphene.ObjectType):
    channel = graphene.String(required=True, description="Channel slug; `*` for every other channel.")
    points_per_unit = scalars.Decimal(required=True, description="Points per unit of the channel's currency.")


class LoyaltyProgram(graphene.ObjectType):
    earn_rates = graphene.List(graphene.NonNull(LoyaltyEarnRate), required=True)
    earn_on = graphene.String(required=True, description="`total_net_shipping` or `total`.")
    minimum_order = scalars.Decimal(required=True, description="In the channel's currency.")
    return_window_days = graphene.Int(required=True)
    signup_bonus = graphene.Int(required=True)
    first_order_bonus = graphene.Int(required=True)
    birthday_bonus = graphene.Int(required=True)
    tiers = graphene.List(graphene.NonNull(LoyaltyTier), required=True)
    tier_basis = graphene.String(required=True)
    tier_window_days = graphene.Int(required=True)
    points_per_unit_redeemed = scalars.Decimal(required=True, description="Points one unit of reward value costs.")
    min_redeem_points = graphene.Int(required=True)
    expiry = graphene.String(required=True, description="`lot`, `inactivity` or `never`.")
    expiry_days = graphene.Int(required=True)
    rewards = graphene.List(graphene.NonNull(LoyaltyReward), required=True)
    ways_to_earn = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        description = "The store's loyalty program, public for storefronts."

    @staticmethod
    def of(program: Program) -> LoyaltyProgram:
        s = program.settings
        return LoyaltyProgram(
            earn_rates=[LoyaltyEarnRate(channel=c, points_per_unit=plain(r)) for c, r in program.rates.items()],
            earn_on=program.earn_on,
            minimum_order=plain(program.minimum_order),
            return_window_days=s.loyalty_return_window_days,
            signup_bonus=s.loyalty_signup_bonus,
            first_order_bonus=s.loyalty_first_order_bonus,
            birthday_bonus=s.loyalty_birthday_bonus,
            tiers=[LoyaltyTier.of(tier) for tier in program.tiers],
            tier_basis=s.loyalty_tier_basis,
            tier_window_days=s.loyalty_tier_window_days,
            points_per_unit_redeemed=plain(1 / program.redeem_value(1)),
            min_redeem_points=s.loyalty_min_redeem_points,
            expiry=s.loyalty_expiry,
            expiry_days=s.loyalty_expiry_days,
            ways_to_earn=ways_to_earn(program),
        )

    @staticmethod
    def resolve_rewards(root, info):
        return ActiveRewardsLoader(info.context).load("")


def ways_to_earn(program: Program) -> list[str]:
    s = program.settings
    rate = program.rate(s.loyalty_reward_channel)
    ways = [f"{points_text(rate)} per unit spent" if rate else "Points on orders"]
    if s.loyalty_signup_bonus:
        ways.append(f"{points_text(s.loyalty_signup_bonus)} for creating an account")
    if s.loyalty_first_order_bonus:
        ways.append(f"{points_text(s.loyalty_first_order_bonus)} on your first order")
    if s.loyalty_birthday_bonus:
        ways.append(f"{points_text(s.loyalty_birthday_bonus)} on your birthday")
    return ways
