"""Tier multipliers as a bonus on released points, a pure function of the facts.

An order's points are pending at the base rate. Once released, it earns a tier bonus of
``remaining base points * (multiplier - 1)`` (rounded down), where the multiplier is the tier its
shopper had qualified for *as of the order's own qualifying moment* (release date, or placing
date when tiers go by spend) from their other orders before it in the rolling window (ties broken
by order ID). Nothing in that depends on when the CRM heard of each order, so any delivery order
of the same events ends in the same bonuses. Facts arriving late (an earlier order, a refund)
change the bonus an order deserves; each settlement compares what was posted with what is
deserved for every released order of the accounts touched, and posts only the difference.
Multipliers below 1 count as 1: a bonus never takes base points away.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.db.models import DateTimeField, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ..bulk import update_rows
from . import ledger
from .models import LedgerKind, LoyaltyAccount, OrderPoints
from .program import Program
from .tiers import qualifying_facts

BONUS_FIELDS = ["bonus", "bonus_revision"]


def settle_tier_bonuses(accounts: dict[int, LoyaltyAccount], program: Program, now: datetime) -> list:
    """Post the difference between deserved and posted tier bonuses of these accounts' orders."""
    if not accounts:
        return []
    standings = OrderPoints.objects.filter(account_id__in=accounts, released_at__isnull=False)
    if any(tier.multiplier > 1 for tier in program.tiers):
        standings = standings.annotate(before=_qualifying_before(program))
    else:
        standings = standings.exclude(bonus=0).annotate(before=Value(None, output_field=IntegerField()))
    rows = standings.values_list(
        "pk", "account_id", "saleor_order_id", "points", "reversed", "cancelled_at", "bonus", "bonus_revision", "before"
    )
    entries, settled = [], []
    for pk, account_id, order_id, points, reversed_, cancelled_at, bonus, revision, before in rows.iterator(5000):
        deserved = 0 if cancelled_at or before is None else _bonus(points - reversed_, before, program)
        if deserved == bonus:
            continue
        entries.append(
            ledger.post(
                accounts[account_id], LedgerKind.BONUS if deserved > bonus else LedgerKind.REVERSE,
                key=f"tier:{order_id}:{revision + 1}", at=now, owned=deserved - bonus, allow_debt=True,
                saleor_order_id=order_id, rule="tier",
            )
        )  # fmt: skip
        settled.append(OrderPoints(pk=pk, bonus=deserved, bonus_revision=revision + 1))
    update_rows(settled, BONUS_FIELDS)
    return entries


def _bonus(remaining: int, before, program: Program) -> int:
    tier = program.tier_for(Decimal(before))
    multiplier = tier.multiplier if tier else Decimal(1)
    if multiplier <= 1:
        return 0
    return int((remaining * (multiplier - 1)).to_integral_value(rounding=ROUND_FLOOR))


def _qualifying_before(program: Program) -> Coalesce:
    """Correlated subquery: the outer order's shopper's qualifying value just before it."""
    moment, condition, value = qualifying_facts(program)
    window = timedelta(days=program.settings.loyalty_tier_window_days)
    since = ExpressionWrapper(OuterRef(moment) - window, output_field=DateTimeField())
    earlier = Q(**{f"{moment}__lt": OuterRef(moment)}) | Q(
        **{moment: OuterRef(moment), "saleor_order_id__lt": OuterRef("saleor_order_id")}
    )
    others = (
        OrderPoints.objects.filter(condition, earlier, account_id=OuterRef("account_id"), **{f"{moment}__gte": since})
        .order_by()
        .values("account_id")
        .annotate(total=Sum(value))
        .values("total")
    )
    output = IntegerField() if moment == "release_at" else OrderPoints._meta.get_field("amount")
    return Coalesce(Subquery(others, output_field=output), 0, output_field=output)
