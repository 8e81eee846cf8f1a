"""Points expiry, by earned lot (oldest points are spent first) or by inactivity, and the
expiring-soon flag. One aggregate query and a few writes per batch of accounts.

Per lot (FIFO): the points still held from lots older than the cut-off are the credits up to
the cut-off minus everything ever taken out (spent, expired, reversed); those expire.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, F, IntegerField, Min, Sum, When

from ..bulk import update_rows
from ..profiles.timeline import record
from . import ledger, timeline
from .accounts import sum_over_locked_batches
from .models import LedgerKind, LoyaltyAccount, PointsLedgerEntry
from .program import Program

FLAG_FIELDS = ["expiring_points", "expiring_at"]


def expire_points(program: Program, now: datetime, batch: int = 5000) -> int:
    """Expire what is due and refresh the expiring-soon flag of every account; returns points expired."""
    mode = program.settings.loyalty_expiry
    if mode not in ("lot", "inactivity"):
        return 0
    expire = _expire_lots if mode == "lot" else _expire_inactive
    return sum_over_locked_batches(lambda accounts: expire(accounts, program, now), "expiry", batch)


def _expire_lots(accounts: dict[int, LoyaltyAccount], program: Program, now: datetime) -> int:
    days = timedelta(days=program.settings.loyalty_expiry_days)
    soon = now - days + timedelta(days=program.settings.loyalty_expiry_warning_days)
    owned = F("available_change") - F("debt_change")
    rows = (
        PointsLedgerEntry.objects.filter(account_id__in=accounts)
        .annotate(owned=owned)
        .values("account_id")
        .order_by("account_id")
        .annotate(
            due=Sum(
                Case(When(owned__gt=0, occurred_at__lte=now - days, then="owned"), default=0),
                output_field=IntegerField(),
            ),
            soon=Sum(
                Case(When(owned__gt=0, occurred_at__lte=soon, then="owned"), default=0), output_field=IntegerField()
            ),
            out=Sum(Case(When(owned__lt=0, then=-F("owned")), default=0), output_field=IntegerField()),
            next_lot=Min(
                Case(When(owned__gt=0, occurred_at__gt=now - days, occurred_at__lte=soon, then="occurred_at"))
            ),
        )
    )
    entries, flagged = [], []
    for row in rows:
        account = accounts[row["account_id"]]
        points = min(max(row["due"] - row["out"], 0), account.available)
        if points:
            key = f"expire:{account.pk}:out:{row['out'] + points}"  # all points ever taken out: only grows
            entries.append(ledger.post(account, LedgerKind.EXPIRE, key=key, at=now, owned=-points, rule="expiry"))
        expiring = min(max(row["soon"] - row["out"] - points, 0), account.available)
        account.expiring_points = expiring
        account.expiring_at = row["next_lot"] + days if expiring and row["next_lot"] else None
        flagged.append(account)
    ledger.write(entries, accounts.values())
    update_rows(flagged, FLAG_FIELDS)
    _announce_expiring(flagged, now)
    return sum(-entry.points for entry in entries)


def _expire_inactive(accounts: dict[int, LoyaltyAccount], program: Program, now: datetime) -> int:
    days = timedelta(days=program.settings.loyalty_expiry_days)
    warning = timedelta(days=program.settings.loyalty_expiry_warning_days)
    entries = []
    for account in accounts.values():
        inactive_since = account.last_activity_at
        if account.available and inactive_since and inactive_since <= now - days:
            key = f"expire:{account.pk}:inactive:{inactive_since.isoformat()}"  # once per stretch of inactivity
            entries.append(
                ledger.post(account, LedgerKind.EXPIRE, key=key, at=now, owned=-account.available, rule="inactivity")
            )
        soon = account.available and inactive_since and inactive_since <= now - days + warning
        account.expiring_points = account.available if soon else 0
        account.expiring_at = inactive_since + days if soon else None
    ledger.write(entries, accounts.values())
    update_rows(accounts.values(), FLAG_FIELDS)
    _announce_expiring(accounts.values(), now)
    return sum(-entry.points for entry in entries)


def _announce_expiring(accounts, now: datetime) -> None:
    """A timeline fact per account with points expiring soon: what the loyalty flow starts on."""
    record(
        timeline.points_expiring(a.profile_id, a.expiring_points, a.expiring_at, now)
        for a in accounts
        if a.expiring_points and a.expiring_at
    )
