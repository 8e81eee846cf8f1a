"""What loyalty lends other domains: segment fields, the ticket macro placeholder, its export section.

Registered through their registries (imported in ``apps.ready``), so segments and tickets never
import loyalty code.
"""

from __future__ import annotations

from ..profiles.export import register_section
from ..segments.language.registry import register_field
from ..segments.language.values import ValueType
from ..tickets import placeholders
from .models import LoyaltyAccount, PointsLedgerEntry

# Volatile: releases, expiry and tier reviews change them outside ingest; the hourly refresh re-checks.
register_field("loyalty_tier", ValueType.STRING, "loyalty__tier", "Loyalty tier.", nullable=True, volatile=True)
register_field("loyalty_points", ValueType.INT, "loyalty__available", "Points available.", nullable=True, volatile=True)


def _balance(ticket) -> int | None:
    return LoyaltyAccount.objects.filter(profile_id=ticket.profile_id).values_list("available", flat=True).first()


placeholders.register("loyalty_balance", "The customer's available loyalty points.", _balance)


def _export(profile) -> dict:
    account = LoyaltyAccount.objects.filter(profile=profile).values("available", "pending", "debt", "tier").first()
    ledger = PointsLedgerEntry.objects.filter(account__profile=profile).order_by("occurred_at", "id")
    return {"account": account, "ledger": list(ledger.values("kind", "points", "rule", "reason", "occurred_at"))}


register_section("loyalty", _export)
