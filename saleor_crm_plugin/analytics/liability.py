"""Loyalty liability: what members' points are worth, per currency, and how many history says will lapse.

Points are one pool per member, redeemed in the currency of the channel they buy in (the channel of
their newest order, else the configured reward channel: ``loyalty.channels``), so a member's points
count in that currency. Issued, redeemed, expired and reversed points per day come from the
append-only ledger, grouped in one statement; breakage is expired / (expired + redeemed) over it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db import connections, transaction

from .. import ports
from ..graphql.core.types import fraction_digits
from ..loyalty.models import LedgerKind
from ..loyalty.program import current_program
from ..segments.rfm import rfm_currency
from .store_models import LiabilitySnapshot, PointsDay

DAY = {"postgresql": "CAST({0} AT TIME ZONE 'UTC' AS DATE)", "sqlite": "DATE({0})"}
# Each member's currency: the one of their newest order (param: the fallback currency).
HOME = """
home AS (
    SELECT profile_id, currency FROM (
        SELECT o.profile_id, o.currency,
               ROW_NUMBER() OVER (PARTITION BY o.profile_id ORDER BY o.placed_at DESC, o.id DESC) AS n
        FROM crm_order_snapshot o WHERE o.profile_id IN (SELECT profile_id FROM crm_loyalty_account)
    ) ranked WHERE n = 1
)"""
ISSUED = (LedgerKind.EARN, LedgerKind.RELEASE, LedgerKind.BONUS)


def _points_sql(vendor: str) -> str:
    day = DAY[vendor].format("e.occurred_at")
    issued = ", ".join(["%s"] * len(ISSUED))
    return f"""WITH {HOME}
SELECT COALESCE(h.currency, %s) AS currency, {day} AS day,
    SUM(CASE WHEN e.kind IN ({issued}) OR (e.kind = %s AND e.points > 0) THEN e.points ELSE 0 END),
    -SUM(CASE WHEN e.kind = %s THEN e.points ELSE 0 END),
    -SUM(CASE WHEN e.kind = %s THEN e.points ELSE 0 END),
    -SUM(CASE WHEN e.kind = %s THEN e.points ELSE 0 END)
FROM crm_loyalty_ledger e JOIN crm_loyalty_account a ON a.id = e.account_id
LEFT JOIN home h ON h.profile_id = a.profile_id
GROUP BY COALESCE(h.currency, %s), {day}"""


BALANCES_SQL = f"""WITH {HOME}
SELECT COALESCE(h.currency, %s), COUNT(*), SUM(a.available), SUM(a.pending)
FROM crm_loyalty_account a LEFT JOIN home h ON h.profile_id = a.profile_id
GROUP BY COALESCE(h.currency, %s)"""


def fallback_currency() -> str:
    """The reward channel's currency: what a member who never ordered redeems in."""
    channel = current_program().settings.loyalty_reward_channel
    return ports.reward_issuer().currency(channel) or rfm_currency()


def rebuild_points_days(database: str, fallback: str) -> int:
    """Replace the per-day ledger figures with a regrouping of the whole ledger; rows written."""
    connection = connections[database]
    params = [fallback, *ISSUED, LedgerKind.ADJUST, LedgerKind.REDEEM, LedgerKind.EXPIRE, LedgerKind.REVERSE, fallback]
    with connection.cursor() as cursor:
        cursor.execute(_points_sql(connection.vendor), [str(p) for p in params])
        rows = [
            PointsDay(
                currency=currency,
                day=date.fromisoformat(day) if isinstance(day, str) else day,
                issued=issued,
                redeemed=redeemed,
                expired=expired,
                reversed=reversed_,
            )
            for currency, day, issued, redeemed, expired, reversed_ in cursor.fetchall()
        ]
    with transaction.atomic():
        PointsDay.objects.all().delete()
        PointsDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def breakage_rate(expired: int, redeemed: int) -> Decimal | None:
    """Share of the points that left balances by lapsing rather than being spent; None before any left."""
    if expired + redeemed <= 0:
        return None
    return (Decimal(expired) / Decimal(expired + redeemed)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def snapshot_liability(database: str, fallback: str, now: datetime) -> int:
    """Today's liability per currency (rewritten until the day ends); needs the points days rebuilt first."""
    program = current_program()
    history: dict[str, tuple[int, int]] = {}
    for row in PointsDay.objects.values("currency", "expired", "redeemed"):
        expired, redeemed = history.get(row["currency"], (0, 0))
        history[row["currency"]] = (expired + row["expired"], redeemed + row["redeemed"])
    with connections[database].cursor() as cursor:
        cursor.execute(BALANCES_SQL, [fallback, fallback])
        balances = cursor.fetchall()
    today = now.date()
    snapshots = [
        LiabilitySnapshot(
            day=today,
            currency=currency,
            taken_at=now,
            members=members,
            outstanding_points=available or 0,
            pending_points=pending or 0,
            value=points_value(program.redeem_value(available or 0), currency),
            breakage_rate=breakage_rate(*history.get(currency, (0, 0))),
        )
        for currency, members, available, pending in balances
    ]
    with transaction.atomic():
        LiabilitySnapshot.objects.filter(day=today).delete()
        LiabilitySnapshot.objects.bulk_create(snapshots)
    return len(snapshots)


def points_value(value: Decimal, currency: str) -> Decimal:
    """Money in the currency's minor unit, rounded down like a redemption is."""
    return value.quantize(Decimal(1).scaleb(-fraction_digits(currency)), rounding=ROUND_FLOOR)
