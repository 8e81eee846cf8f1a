"""Loyalty test helpers: a shopper, orders through the real ingest path, and the ledger's view."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.earning import release_due_points
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, PointsLedgerEntry
from saleor_crm_plugin.loyalty.program import current_program

from ..factories import order_event


def configure_program(crm_settings):
    """Predictable program settings: 1 point per unit, no bonuses, three tiers."""
    return crm_settings(
        loyalty_earn_rates="*:1",
        loyalty_signup_bonus=0,
        loyalty_first_order_bonus=0,
        loyalty_return_window_days=14,
        loyalty_min_redeem_points=100,
        loyalty_redeem_rate="100",
        loyalty_tiers="Bronze:0:1, Silver:500:1.5, Gold:2000:2",
    )


def account(profile) -> LoyaltyAccount:
    return LoyaltyAccount.objects.get(profile=profile)


def balances(profile) -> tuple[int, int, int]:
    """``(available, pending, debt)`` of the shopper's account."""
    found = account(profile)
    return found.available, found.pending, found.debt


def ledger_matches(acc: LoyaltyAccount) -> bool:
    acc.refresh_from_db()
    sums = PointsLedgerEntry.objects.filter(account=acc).aggregate(
        a=Sum("available_change"), p=Sum("pending_change"), d=Sum("debt_change")
    )
    return (sums["a"] or 0, sums["p"] or 0, sums["d"] or 0) == (acc.available, acc.pending, acc.debt)


def paid_order(order_id="Order:1", total="100.00", user=1, **fields):
    """Create and fully pay an order for user ``user`` now; returns the paid event (for ``later``)."""
    from ..factories import later

    fields.setdefault("created_at", timezone.now())
    created = order_event(order_id=order_id, total=total, user=user, **fields)
    ingest(created)
    paid = later(created, "order.fully_paid", charge_status="full", total_charged=created.data.total)
    ingest(paid)
    return paid


def release_all(days: int = 15) -> int:
    return release_due_points(current_program(), timezone.now() + timedelta(days=days))
