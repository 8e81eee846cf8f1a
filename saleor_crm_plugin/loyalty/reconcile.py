"""Check (and repair) that every account's stored balances equal the sums of its ledger.

Set-based: one query finds the drifted accounts with their ledger sums, one UPDATE repairs them.
"""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.db.models import F, Q

from .ledger import rebuilt_balances
from .models import LoyaltyAccount

FIELDS = ("available", "pending", "debt", "lifetime")


@dataclasses.dataclass(frozen=True)
class Drift:
    account_id: int
    stored: dict[str, int]
    ledger: dict[str, int]


def _drifted():
    annotated = LoyaltyAccount.objects.annotate(**{f"ledger_{f}": e for f, e in rebuilt_balances().items()})
    same = Q()
    for field in FIELDS:
        same &= Q(**{field: F(f"ledger_{field}")})
    return annotated.exclude(same)


def drifted_accounts(limit: int | None = None) -> tuple[int, list[Drift]]:
    """How many accounts drifted, and up to ``limit`` of them with stored and ledger balances."""
    drifted = _drifted().order_by("pk")
    rows = drifted.values("pk", *FIELDS, *(f"ledger_{f}" for f in FIELDS))
    rows = list(rows[:limit] if limit is not None else rows)
    count = len(rows) if limit is None or len(rows) < limit else drifted.count()
    return count, [
        Drift(row["pk"], {f: row[f] for f in FIELDS}, {f: row[f"ledger_{f}"] for f in FIELDS}) for row in rows
    ]


@transaction.atomic
def repair_drift() -> int:
    """Rebuild every drifted account's balances from its ledger in one UPDATE; returns how many."""
    ids = _drifted().values("pk")
    return LoyaltyAccount.objects.filter(pk__in=ids).update(**rebuilt_balances())
