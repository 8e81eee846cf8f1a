"""What loyalty lends other domains: segment fields, ticket and message placeholders, message incentives,
its export section.

Registered through their registries (imported in ``apps.ready``), so segments, tickets and automation never
import loyalty code.
"""

from __future__ import annotations

from ..automation import registry as automation
from ..profiles.export import register_section
from ..segments.language.registry import register_field
from ..segments.language.values import ValueType
from ..tickets import placeholders
from .actions import award_message_bonus
from .models import LoyaltyAccount, PointsLedgerEntry

# Volatile: releases, expiry and tier reviews change them outside ingest; the hourly refresh re-checks.
register_field("loyalty_tier", ValueType.STRING, "loyalty__tier", "Loyalty tier.", nullable=True, volatile=True)
register_field("loyalty_points", ValueType.INT, "loyalty__available", "Points available.", nullable=True, volatile=True)


def _balance(ticket) -> int | None:
    return LoyaltyAccount.objects.filter(profile_id=ticket.profile_id).values_list("available", flat=True).first()


placeholders.register("loyalty_balance", "The customer's available loyalty points.", _balance)


def _export(profile, staff: bool) -> dict:
    """The shopper sees their ledger as the API shows it; staff also see who adjusted it."""
    fields = ("available", "pending", "debt", "tier", "birth_date")
    account = LoyaltyAccount.objects.filter(profile=profile).values(*fields).first()
    ledger = PointsLedgerEntry.objects.filter(account__profile=profile).order_by("occurred_at", "id")
    columns = ("kind", "points", "rule", "reason", "occurred_at", *(("staff_user_id",) if staff else ()))
    return {"account": account, "ledger": list(ledger.values(*columns))}


register_section("loyalty", _export)


def _accounts(profile_ids: list[int], field: str) -> dict[int, object]:
    return dict(LoyaltyAccount.objects.filter(profile_id__in=profile_ids).values_list("profile_id", field))


automation.register_placeholder("loyalty_balance", "Points available.", lambda ids: _accounts(ids, "available"))
automation.register_placeholder("loyalty_tier", "The loyalty tier's name.", lambda ids: _accounts(ids, "tier"))
automation.register_placeholder(
    "expiring_points", "Points expiring soon.", lambda ids: _accounts(ids, "expiring_points")
)
automation.register_placeholder(
    "expiring_at",
    "When the expiring points expire (date).",
    lambda ids: {pk: at.date().isoformat() for pk, at in _accounts(ids, "expiring_at").items() if at},
)
automation.register_incentive(award_message_bonus)
