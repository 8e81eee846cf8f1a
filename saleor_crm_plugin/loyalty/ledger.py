"""Posting to the points ledger: every balance change is one entry, balances follow from entries.

``post`` changes the in-memory account and returns the unsaved entry, so callers that post
many entries for a set of accounts write them with one insert and one update.
Positive points first pay off debt; points taken back beyond the balance become debt (only
where the caller allows it, i.e. for reversals).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ..bulk import insert_rows, update_rows
from .error_codes import LoyaltyErrorCode
from .errors import LoyaltyError
from .models import LedgerKind, LoyaltyAccount, PointsLedgerEntry

# Kinds that don't count towards lifetime points: spending, expiring, and points not yet earned.
NOT_LIFETIME = (LedgerKind.REDEEM, LedgerKind.EXPIRE, LedgerKind.PENDING)
# Kinds that show the shopper is active (inactivity expiry restarts).
ACTIVITY = (LedgerKind.EARN, LedgerKind.RELEASE, LedgerKind.BONUS, LedgerKind.REDEEM, LedgerKind.ADJUST)
BALANCE_FIELDS = ["available", "pending", "debt", "lifetime", "last_activity_at", "first_release_at"]


def post(
    account: LoyaltyAccount,
    kind: LedgerKind,
    *,
    key: str,
    at: datetime,
    owned: int = 0,
    pending: int = 0,
    allow_debt: bool = False,
    **cause,
) -> PointsLedgerEntry:
    """Apply ``owned`` (available points, net of debt) and ``pending`` changes to ``account``."""
    if owned >= 0:
        paid_off = min(account.debt, owned)
        available_change, debt_change = owned - paid_off, -paid_off
    else:
        taken = min(account.available, -owned)
        if taken < -owned and not allow_debt:
            raise LoyaltyError(
                "points", LoyaltyErrorCode.INSUFFICIENT_POINTS, f"Only {account.available} points are available."
            )
        available_change, debt_change = -taken, -owned - taken
    if account.pending + pending < 0:
        raise ValueError(f"pending points of account {account.pk} would go below zero")
    account.available += available_change
    account.pending += pending
    account.debt += debt_change
    if kind not in NOT_LIFETIME:
        account.lifetime += available_change - debt_change
    if kind in ACTIVITY:
        account.last_activity_at = max(filter(None, [account.last_activity_at, at]))
    return PointsLedgerEntry(
        account=account,
        kind=kind,
        points=owned if owned else pending,
        available_change=available_change,
        pending_change=pending,
        debt_change=debt_change,
        available_after=account.available,
        pending_after=account.pending,
        debt_after=account.debt,
        idempotency_key=key,
        occurred_at=at,
        **cause,
    )


def write(entries: Iterable[PointsLedgerEntry], accounts: Iterable[LoyaltyAccount], keep_ids: bool = False) -> None:
    """Save entries and the accounts they changed: two statements whatever the number.

    The entries' IDs are read back only with ``keep_ids`` (the fast insert doesn't return them).
    """
    entries = list(entries)
    if not entries:
        return
    if keep_ids:
        PointsLedgerEntry.objects.bulk_create(entries)
    else:
        insert_rows(entries)
    changed = {entry.account_id: entry.account for entry in entries}
    changed.update({account.pk: account for account in accounts if account.pk in changed})
    update_rows(changed.values(), BALANCE_FIELDS)


def summed(field: str, kinds_excluded: tuple = ()) -> Coalesce:
    """Correlated subquery: the sum of ``field`` over the outer account's ledger entries."""
    entries = PointsLedgerEntry.objects.filter(account_id=OuterRef("pk")).exclude(kind__in=kinds_excluded)
    total = entries.order_by().values("account_id").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def rebuilt_balances() -> dict:
    """The balances every account would have if rebuilt from its ledger, as update expressions."""
    return {
        "available": summed("available_change"),
        "pending": summed("pending_change"),
        "debt": summed("debt_change"),
        "lifetime": Coalesce(
            Subquery(
                PointsLedgerEntry.objects.filter(account_id=OuterRef("pk"))
                .exclude(kind__in=NOT_LIFETIME)
                .order_by()
                .values("account_id")
                .annotate(total=Sum(F("available_change") - F("debt_change")))
                .values("total"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    }
