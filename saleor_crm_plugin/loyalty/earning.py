"""Points for orders: pending when placed, released after payment and the return window,
dropped on cancellation, reversed in proportion to refunds.

Pending points are at the base rate; the tier multiplier is a bonus settled on release from facts
only (see ``bonus``), so an order's points never depend on the order events arrived in.

Each order's standing is an ``OrderPoints`` row; settling an order compares it with the order's
snapshot and posts only the difference, so a replayed or out-of-order event changes nothing.
Work is per set: a run's orders, or a batch of due releases, cost a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from tqdm import tqdm

from ..bulk import insert_rows, update_rows
from ..profiles.models import OrderSnapshot
from . import ledger
from .accounts import lock_accounts, lock_accounts_by_id
from .bonus import settle_tier_bonuses
from .models import LedgerKind, LoyaltyAccount, OrderPoints, PointsLedgerEntry
from .program import Program
from .tiers import move_tiers

NOT_EARNING = ("draft", "canceled", "expired")
SNAPSHOT_FIELDS = (
    "saleor_order_id", "profile_id", "number", "channel", "currency", "status", "total", "shipping", "total_refunded",
    "lines", "placed_at", "paid_at", "cancelled_at",
)  # fmt: skip


def settle_orders(order_ids: Iterable[str], program: Program, now: datetime) -> None:
    """Bring the points of these orders in line with their snapshots (one run's worth)."""
    snapshots = list(
        OrderSnapshot.objects.filter(
            saleor_order_id__in=set(order_ids),
            profile__saleor_user_id__isnull=False,
            profile__anonymised_at__isnull=True,
        )
        .exclude(status="draft")
        .only(*SNAPSHOT_FIELDS)
    )
    if not snapshots:
        return
    accounts = lock_accounts(snapshot.profile_id for snapshot in snapshots)
    known = OrderPoints.objects.in_bulk([s.saleor_order_id for s in snapshots], field_name="saleor_order_id")
    entries: list[PointsLedgerEntry] = []
    new, changed = [], []
    for snapshot in snapshots:
        account = accounts[snapshot.profile_id]
        standing = known.get(snapshot.saleor_order_id)
        if standing is None:
            standing = _new_standing(snapshot, account, program, now, entries)
            if standing is None:
                continue
            new.append(standing)
        else:
            changed.append(standing)
        _follow(snapshot, standing, account, program, now, entries)
    insert_rows(new)
    update_rows(changed, ["release_at", "released_at", "reversed", "cancelled_at"])
    _settle(entries, {account.pk: account for account in accounts.values()}, program, now)


def _settle(entries: list, accounts: dict[int, LoyaltyAccount], program: Program, now: datetime) -> None:
    """Write a set's entries, then settle tier bonuses and tiers on the facts as they now stand."""
    ledger.write(entries, [])
    ledger.write(settle_tier_bonuses(accounts, program, now), [])
    move_tiers(accounts.values(), program, now, downgrade=False)


def unsettled_orders(profile_ids: set[int]) -> set[str]:
    """Orders of these shoppers that have no points standing yet (e.g. guest orders just joined).

    Cancelled ones too: settling them earns nothing but reviews the account's tier, as it is when the
    order reaches an account already registered, so a batch and one-by-one delivery agree.
    """
    if not profile_ids:
        return set()
    standing = OrderPoints.objects.filter(saleor_order_id=OuterRef("saleor_order_id"))
    return set(
        OrderSnapshot.objects.filter(profile_id__in=profile_ids)
        .exclude(status="draft")
        .filter(~Exists(standing))
        .values_list("saleor_order_id", flat=True)
    )


def _new_standing(snapshot, account, program, now, entries) -> OrderPoints | None:
    if snapshot.status in NOT_EARNING or snapshot.cancelled_at:
        return None  # first seen already cancelled: nothing was ever promised
    amount = program.earning_amount(snapshot.total, snapshot.shipping, snapshot.lines)
    points = program.points_for(amount, snapshot.channel)
    standing = OrderPoints(
        account=account,
        saleor_order_id=snapshot.saleor_order_id,
        number=snapshot.number,
        channel=snapshot.channel,
        currency=snapshot.currency,
        amount=amount,
        points=points,
        placed_at=snapshot.placed_at,
    )
    if points:
        entries.append(
            _post(
                account,
                LedgerKind.PENDING,
                standing,
                f"pending:{standing.saleor_order_id}",
                now,
                "order",
                pending=points,
            )
        )
    return standing


def _follow(snapshot, standing: OrderPoints, account, program, now, entries) -> None:
    """Apply what changed on the order since: payment (release date), cancellation, refunds."""
    if snapshot.paid_at and standing.release_at is None:
        standing.release_at = snapshot.paid_at + timedelta(days=program.settings.loyalty_return_window_days)
    cancelled = snapshot.cancelled_at is not None or snapshot.status in ("canceled", "expired")
    target = standing.points if cancelled else proportional(standing.points, snapshot.total_refunded, snapshot.total)
    delta = target - standing.reversed
    if delta > 0:
        key, rule = f"reverse:{standing.saleor_order_id}:{target}", "cancel" if cancelled else "refund"
        if standing.released_at:
            entries.append(_post(account, LedgerKind.REVERSE, standing, key, now, rule, owned=-delta, allow_debt=True))
        else:
            entries.append(_post(account, LedgerKind.REVERSE, standing, key, now, rule, pending=-delta))
        standing.reversed = target
    if cancelled and standing.cancelled_at is None:
        standing.cancelled_at = snapshot.cancelled_at or now
    if not cancelled and standing.released_at is None and standing.release_at and standing.release_at <= now:
        entries.extend(release(standing, account, program, now))


def proportional(points: int, refunded: Decimal, total: Decimal) -> int:
    """Points to take back for ``refunded`` of ``total``: all of them for a full refund."""
    if total <= 0 or refunded <= 0:
        return 0
    share = min(refunded / total, Decimal(1))
    return int((points * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def release(standing: OrderPoints, account: LoyaltyAccount, program: Program, now: datetime) -> list:
    """Make an order's remaining pending points available (plus the first-order bonus)."""
    entries = []
    if standing.remaining > 0:
        remaining = standing.remaining
        key = f"release:{standing.saleor_order_id}"
        entries.append(
            _post(account, LedgerKind.RELEASE, standing, key, now, "order", owned=remaining, pending=-remaining)
        )
        bonus = program.settings.loyalty_first_order_bonus
        if account.first_release_at is None and bonus > 0:
            entries.append(
                ledger.post(
                    account,
                    LedgerKind.BONUS,
                    key=f"bonus:first_order:{account.pk}",
                    at=now,
                    owned=bonus,
                    rule="first_order",
                )
            )
        account.first_release_at = account.first_release_at or now
    standing.released_at = now
    return entries


def release_due_points(program: Program, now: datetime, batch: int = 5000) -> int:
    """The scheduled release: every order paid and past its return window, in batches."""
    due = Q(released_at__isnull=True, cancelled_at__isnull=True, release_at__lte=now)
    total = OrderPoints.objects.filter(due).count()
    released = 0
    with tqdm(total=total, unit="order", desc="release", disable=total < batch) as bar:
        while True:
            with transaction.atomic():
                account_ids = set(
                    OrderPoints.objects.filter(due).order_by("release_at").values_list("account_id", flat=True)[:batch]
                )
                if not account_ids:
                    return released
                accounts = lock_accounts_by_id(account_ids)
                standings = list(OrderPoints.objects.filter(due, account_id__in=accounts))  # re-read under the lock
                entries = []
                for standing in standings:
                    entries.extend(release(standing, accounts[standing.account_id], program, now))
                update_rows(standings, ["released_at"])
                _settle(entries, accounts, program, now)
            released += len(standings)
            bar.update(len(standings))


def _post(account, kind, standing: OrderPoints, key: str, now: datetime, rule: str, **changes) -> PointsLedgerEntry:
    return ledger.post(account, kind, key=key, at=now, saleor_order_id=standing.saleor_order_id, rule=rule, **changes)
