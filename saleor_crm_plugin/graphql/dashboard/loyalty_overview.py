"""Root queries of the Dashboard App's loyalty page: the program in figures and the whole reward catalogue.

Every figure is a grouped SQL query (members per tier, balances, the ledger per period), so the page
costs the same few queries for 100 members or 1M. Points are ints; money exact Decimals.
"""

from __future__ import annotations

from datetime import datetime

import graphene
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce

from ...auth import Permission
from ...loyalty.models import LedgerKind, LoyaltyAccount, PointsLedgerEntry, Reward
from ...loyalty.program import current_program
from ..core.permissions import require
from ..core.types import Money, MoneyAmount
from ..loyalty.types import LoyaltyReward
from .periods import CrmStatsPeriod, bucket_starts, period_window, truncate

ISSUED_KINDS = (LedgerKind.EARN, LedgerKind.RELEASE, LedgerKind.BONUS)


class LoyaltyTierMembers(graphene.ObjectType):
    tier = graphene.String(description="The tier's name; null for members below the first tier.")
    members = graphene.Int(required=True)


class LoyaltyPointsPeriod(graphene.ObjectType):
    start = graphene.DateTime(required=True, description="Where the period begins (UTC).")
    issued = graphene.Int(required=True, description="Points made available: orders, bonuses, staff additions.")
    redeemed = graphene.Int(required=True, description="Points spent on rewards (net of give-backs).")
    expired = graphene.Int(required=True)
    reversed = graphene.Int(required=True, description="Points taken back for refunds and cancellations.")
    outstanding = graphene.Int(required=True, description="Available points of all members at the period's end.")

    class Meta:
        description = "The loyalty ledger of one period."


class LoyaltyOverview(graphene.ObjectType):
    members = graphene.Int(required=True, description="Customers with a loyalty account.")
    tiers = graphene.List(
        graphene.NonNull(LoyaltyTierMembers), required=True, description="Members per tier, in the program's order."
    )
    available = graphene.Int(required=True, description="Points members can redeem now.")
    pending = graphene.Int(required=True, description="Points waiting for payment and the return window.")
    debt = graphene.Int(required=True, description="Points owed after refunds of already spent points.")
    outstanding_value = graphene.List(
        graphene.NonNull(Money),
        required=True,
        description="What the available points are worth at the program's redemption rate, in each currency "
        "the reward catalogue sells in: the liability the store carries.",
    )
    history = graphene.List(graphene.NonNull(LoyaltyPointsPeriod), required=True)

    class Meta:
        description = "The loyalty program in figures. Requires MANAGE_USERS."


class LoyaltyOverviewQueries(graphene.ObjectType):
    loyalty_overview = graphene.Field(
        LoyaltyOverview,
        required=True,
        period=CrmStatsPeriod(description="Default: WEEK."),
        since=graphene.DateTime(description="Default: 12 periods back."),
        until=graphene.DateTime(description="Default: now."),
        description="Members per tier, balances, their money value and the ledger per period. Requires MANAGE_USERS.",
    )
    loyalty_rewards = graphene.List(
        graphene.NonNull(LoyaltyReward),
        required=True,
        channel=graphene.String(description="Only this channel's rewards."),
        description="The whole reward catalogue, inactive rewards too, by channel and cost. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_loyalty_overview(root, info, period=CrmStatsPeriod.WEEK.value, since=None, until=None):
        require(info, Permission.MANAGE_USERS)
        since, until = period_window(period, since, until)
        return overview(period, since, until)

    @staticmethod
    def resolve_loyalty_rewards(root, info, channel=None):
        require(info, Permission.MANAGE_USERS)
        rewards = Reward.objects.order_by("channel", "points_cost", "pk")
        return rewards.filter(channel=channel) if channel else rewards


def overview(period: str, since: datetime, until: datetime) -> LoyaltyOverview:
    program = current_program()
    totals = LoyaltyAccount.objects.aggregate(
        members=Count("pk"),
        available=Coalesce(Sum("available"), 0),
        pending=Coalesce(Sum("pending"), 0),
        debt=Coalesce(Sum("debt"), 0),
    )
    per_tier = dict(LoyaltyAccount.objects.values_list("tier").annotate(n=Count("pk")).order_by())
    order = [tier.name for tier in program.tiers]
    tiers = [LoyaltyTierMembers(tier=None, members=per_tier.pop("", 0))] if "" in per_tier or order else []
    tiers += [LoyaltyTierMembers(tier=name, members=per_tier.pop(name, 0)) for name in order]
    tiers += [LoyaltyTierMembers(tier=name, members=n) for name, n in sorted(per_tier.items())]  # retired tiers
    currencies = Reward.objects.values_list("currency", flat=True).distinct().order_by("currency")
    value = program.redeem_value(totals["available"])
    return LoyaltyOverview(
        members=totals["members"],
        tiers=tiers,
        available=totals["available"],
        pending=totals["pending"],
        debt=totals["debt"],
        outstanding_value=[MoneyAmount(value, currency) for currency in currencies],
        history=ledger_history(period, since, until),
    )


def ledger_history(period: str, since: datetime, until: datetime) -> list[LoyaltyPointsPeriod]:
    """One grouped query over the window plus the balance before it; periods without entries show zeros."""
    entries = PointsLedgerEntry.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
    positive_adjust = Q(kind=LedgerKind.ADJUST, points__gt=0)

    def points(condition: Q):
        return Coalesce(Sum("points", filter=condition), 0, output_field=IntegerField())

    rows = (
        entries.annotate(start=truncate(period, "occurred_at"))
        .values("start")
        .annotate(
            issued=points(Q(kind__in=ISSUED_KINDS) | positive_adjust),
            redeemed=points(Q(kind=LedgerKind.REDEEM)),
            expired=points(Q(kind=LedgerKind.EXPIRE)),
            reversed=points(Q(kind=LedgerKind.REVERSE)),
            change=Coalesce(Sum("available_change"), 0),
        )
        .order_by()
    )
    by_start = {row["start"]: row for row in rows}
    balance = PointsLedgerEntry.objects.filter(occurred_at__lt=since).aggregate(n=Coalesce(Sum("available_change"), 0))[
        "n"
    ]
    history = []
    for start in bucket_starts(period, since, until):
        row = by_start.get(start, {})
        balance += row.get("change", 0)
        history.append(
            LoyaltyPointsPeriod(
                start=start,
                issued=row.get("issued", 0),
                redeemed=-row.get("redeemed", 0),
                expired=-row.get("expired", 0),
                reversed=-row.get("reversed", 0),
                outstanding=balance,
            )
        )
    return history
