"""Tiers over a rolling window, as a function of facts rather than of delivery order.

An account's tier is the higher of its *floor* (what the last scheduled re-evaluation granted,
kept through the grace period) and the tier its qualifying facts reach now. Ingest and release
recompute it from the facts: an upgrade happens on the run that brings the facts over a
threshold, and if those facts are withdrawn (the order cancelled or refunded) the upgrade is
withdrawn with them, timeline entry included, but never below the floor. Facts merely ageing out
of the window withdraw nothing: within its grace period a tier stands while the facts still reach
it in the window that ended when it was reached. Downgrades for time passing happen only at
re-evaluation after the grace period. So whatever order events arrive in, the same facts give the
same tier and the same timeline.

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
    return _sums(OrderPoints.objects.filter(condition, account_id__in=account_ids, **{f"{moment}__gte": since}), value)


def qualifying_when_reached(accounts: list[LoyaltyAccount], program: Program) -> dict[int, Decimal]:
    """Per account, what its facts as they now stand give in the window that ended when it reached its tier.

    Facts from after that moment count too (today's window holds them as well); the caller caps the
    result at the tier the account holds."""
    moment, condition, value = qualifying_facts(program)
    window = timedelta(days=program.settings.loyalty_tier_window_days)
    reached = Q()
    for account in accounts:
        reached |= Q(account_id=account.pk, **{f"{moment}__gte": account.tier_since - window})
    return _sums(OrderPoints.objects.filter(condition).filter(reached), value)


def _sums(facts, value) -> dict[int, Decimal]:
    rows = facts.values("account_id").order_by("account_id").annotate(value=Sum(value))
    return {row["account_id"]: Decimal(row["value"] or 0) for row in rows}


def move_tiers(accounts: Iterable[LoyaltyAccount], program: Program, now: datetime, downgrade: bool) -> list:
    """Set each account's tier from its qualifying facts; returns the accounts whose tier changed.

    ``downgrade`` is the scheduled re-evaluation: it also resets the floor, lowering it only once
    the grace period is over. Otherwise the tier follows the facts, never below the floor, nor, in
    its grace period, below what the facts reached when the tier was reached.
    """
    accounts = list(accounts)
    if not program.tiers or not accounts:
        return []
    values = qualifying([a.pk for a in accounts], program, now)
    earned = {a.pk: _tier_name(program, values.get(a.pk, Decimal(0))) for a in accounts}
    kept = {a.pk for a in accounts if a.tier_kept_until and a.tier_kept_until > now}
    held = {} if downgrade else _held_in_grace(accounts, earned, kept, program)
    grace = timedelta(days=program.settings.loyalty_tier_grace_days)
    changed, written, entries, retracted = [], [], [], []
    users = _users(accounts)
    for account in accounts:
        old, floor, reached = account.tier, account.tier_floor, earned[account.pk]
        if downgrade:
            new = old if program.rank(reached) < program.rank(old) and account.pk in kept else reached
            if new != floor:
                account.tier_floor, account.tier_floor_at = new, now
                written.append(account)
        else:
            new = max(reached, floor, held.get(account.pk, ""), key=program.rank)
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


def _tier_name(program: Program, value: Decimal) -> str:
    tier = program.tier_for(value)
    return tier.name if tier else ""


def _held_in_grace(accounts: list[LoyaltyAccount], earned: dict[int, str], kept: set[int], program: Program) -> dict:
    """For accounts in their grace period about to fall, the tier their facts reached when they got it.

    Only those accounts are read (one query for all of them), so ordinary ingest pays nothing."""
    falling = [
        a
        for a in accounts
        if a.pk in kept
        and a.tier_since
        and program.rank(max(earned[a.pk], a.tier_floor, key=program.rank)) < program.rank(a.tier)
    ]
    if not falling:
        return {}
    then = qualifying_when_reached(falling, program)
    tiers = {a.pk: a.tier for a in falling}
    return {pk: min(_tier_name(program, then.get(pk, Decimal(0))), tiers[pk], key=program.rank) for pk in tiers}


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
