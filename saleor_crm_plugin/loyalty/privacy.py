"""A deleted customer's loyalty data: the ledger keeps every amount (balances still rebuild from it) but
loses the words staff wrote; the birth date and the reward codes and checkouts go.

The ledger is append-only for points: this eraser changes only text columns, never a number.
Under the ``delete`` policy the profile's deletion removes the account and its ledger (cascade).
"""

from __future__ import annotations

from ..profiles.privacy import register_eraser
from .models import LoyaltyAccount, PointsLedgerEntry, Redemption


@register_eraser
def erase_loyalty_data(profile_ids: list[int]) -> int:
    """Three UPDATEs for any number of profiles; returns the ledger entries erased."""
    if not profile_ids:
        return 0
    LoyaltyAccount.objects.filter(profile_id__in=profile_ids).update(birth_date=None)
    # A gift card code is the shopper's money to whoever holds it; the store's ID of the card stays.
    Redemption.objects.filter(account__profile_id__in=profile_ids).update(code="", checkout_id="", error="")
    return PointsLedgerEntry.objects.filter(account__profile_id__in=profile_ids).exclude(reason="").update(reason="")
