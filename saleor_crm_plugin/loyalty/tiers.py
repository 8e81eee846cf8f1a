"""Tiers over a rolling window, as a function of facts rather than of delivery order.

An account's tier is the higher of its *floor* (what the last scheduled re-evaluation granted,
kept through the grace period) and the tier its qualifying facts reach now. Ingest and release
recompute it from the facts: an upgrade happens on the run that brings the facts over a
threshold, and if those facts are withdrawn (the order cancelled or refunded) the upgrade is
withdrawn with them, timeline entry included, but never below the floor. Downgrades for time
passing happen only at re-evaluation after the grace period. So whatever order events arrive
in, the same facts give the same tier and the same timeline.

Qualifying facts are the order's base points (released orders, by release date) or its spend net
of refunds (by placing date), never tier bonuses, so a multiplier can't feed its own tier.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import NullIf

from ..bulk import update_rows
from ..profiles.models import CustomerProfile, TimelineEntry
from ..profiles.timeline import record
from . import timeline
from .accounts import sum_over_locked_batches
from .models import LoyaltyAccount, OrderPoints
from .program import Program

TIER_FIELDS = ["tier", "tier_since", "tier_kept_until", "tier_floor", "tier_floor_at"]
KEPT_AMOUNT = ExpressionWrapper(
    F("amount") - F("amount") * F("reversed") / NullIf(F("points"), 0),
    output_field=DecimalField(max_digits=20, decimal_places=3),
)


def qualifying_facts(program: Program) -> tuple[str, Q, object]:
    """``(moment, condition, value)``: which orders count, from when, for how much."""
    if program.settings.loyalty_tier_basis == "spend":
        return "placed_at", Q(cancelled_at__isnull=True), KEPT_AMOUNT
    return "release_at", Q(released_at__isnull=False), F("points") - F("reversed")


def qualifying(account_ids: list[int], program: Program, now: datetime) -> dict[int, Decimal]:
    """Per account, the base points released (or amount spent, net of refunds) in the rolling window."""
    moment, condition, value = qualifying_facts(program)
    since = now - timedelta(days=program.settings.loyalty_tier_window_days)
    rows = (
        OrderPoints.objects.filter(condition, account_id__in=account_ids, **{f"{moment}__gte": since})
        .values("account_id")
        .order_by("account_id")
        .annotate(value=Sum(value))
    )
    return {row["account_id"]: Decimal(row["value"] or 0) for row in rows}


def move_tiers(accounts: Iterable[LoyaltyAccount], program: Program, now: datetime, downgrade: bool) -> list:
    """Set each account's tier from its qualifying facts; returns the accounts whose tier changed.

    ``downgrade`` is the scheduled re-evaluation: it also resets the floor, lowering it only once
    the grace period is over. Otherwise the tier follows the facts, never below the floor.
    """
    accounts = list(accounts)
    if not program.tiers or not accounts:
        return []
    values = qualifying([a.pk for a in accounts], program, now)
    grace = timedelta(days=program.settings.loyalty_tier_grace_days)
    changed, written, entries, retracted = [], [], [], []
    users = _users(accounts)
    for account in accounts:
        earned = program.tier_for(values.get(account.pk, Decimal(0)))
        earned = earned.name if earned else ""
        old, floor = account.tier, account.tier_floor
        if downgrade:
            kept = account.tier_kept_until and account.tier_kept_until > now
            new = old if program.rank(earned) < program.rank(old) and kept else earned
            if new != floor:
                account.tier_floor, account.tier_floor_at = new, now
                written.append(account)
        else:
            new = max(earned, floor, key=program.rank)
        if new == old:
            continue
        if program.rank(new) > program.rank(old):
            entries.extend(_reached(account, users[account.profile_id], old, new, program, now))
            account.tier_kept_until = now + grace
        elif downgrade:
            entries.append(timeline.tier_changed(account.profile_id, old, new, now))
        else:
            retracted.extend(_crossed(account, users[account.profile_id], new, old, program).values())
        account.tier, account.tier_since = new, now
        changed.append(account)
        written.append(account)
    update_rows({a.pk: a for a in written}.values(), TIER_FIELDS)
    TimelineEntry.objects.filter(unique_key__in=retracted).delete()
    record(entries)
    return changed


def _users(accounts: list[LoyaltyAccount]) -> dict[int, str]:
    """Saleor user IDs by profile: stable keys for timeline entries, whatever the row IDs."""
    return dict(
        CustomerProfile.objects.filter(pk__in=[a.profile_id for a in accounts]).values_list("pk", "saleor_user_id")
    )


def _crossed(account: LoyaltyAccount, user: str, low: str, high: str, program: Program) -> dict[str, str]:
    """Timeline keys, by tier, of the tiers above ``low`` up to ``high`` reached since the floor last changed."""
    epoch = account.tier_floor_at.isoformat() if account.tier_floor_at else "-"
    return {
        program.tiers[i].name: f"loyalty.tier:{user}:{program.tiers[i].name}:{epoch}"
        for i in range(program.rank(low) + 1, program.rank(high) + 1)
        if program.tiers[i].threshold > 0  # joining the entry tier is no news
    }


def _reached(account, user: str, old: str, new: str, program: Program, now: datetime) -> list:
    """One entry per tier crossed, so the timeline doesn't depend on how events were batched."""
    entries = []
    for name, key in _crossed(account, user, old, new, program).items():
        rank = program.rank(name)
        previous = program.tiers[rank - 1].name if rank else ""
        entries.append(timeline.tier_changed(account.profile_id, previous, name, now, key))
    return entries


def reevaluate_tiers(program: Program, now: datetime, batch: int = 5000) -> int:
    """The scheduled re-evaluation of every account, in locked batches; returns how many changed."""
    return sum_over_locked_batches(
        lambda accounts: len(move_tiers(accounts.values(), program, now, downgrade=True)), "tiers", batch
    )
