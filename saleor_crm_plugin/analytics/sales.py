"""Daily sales per channel and currency, folded from the order snapshots for the days that changed.

Ingest marks the profiles whose orders changed (``dirty``); a refresh recomputes every day those
profiles ever ordered or were refunded on, whole, so a cancelled first order also moves the
"new customer" of that customer's next order. Orders count on the UTC day they were placed;
refunds on the day the order was first refunded. Each day is kept twice: per channel and for all
channels of its currency (a customer new in a channel may not be new to the store).
"""

from __future__ import annotations

import dataclasses
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connections

from ..profiles.aggregates import UNCOUNTED_STATUSES
from .store_models import ALL_CHANNELS, StoreDay

ORDERS = "crm_order_snapshot"
COUNTED = f"o.status NOT IN ({', '.join(['%s'] * len(UNCOUNTED_STATUSES))}) AND o.cancelled_at IS NULL"
# Beyond this many separate runs of days, one pass over every order is cheaper than many ranges.
MAX_RANGES = 100
FETCH = 5000


def pack(ids: Iterable[int]) -> bytes:
    return array("q", sorted(ids)).tobytes()


def unpack(blob: bytes | memoryview) -> array:
    ids = array("q")
    ids.frombytes(bytes(blob))
    return ids


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Contiguous runs of days as ``(first, last)`` pairs, oldest first."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _range_sql(column: str, days: Iterable[date] | None) -> tuple[str, list]:
    """``(condition, params)`` selecting ``column`` in these UTC days; everything when ``days`` is None."""
    if days is None:
        return "1 = 1", []
    runs = day_ranges(days)
    if not runs:
        return "1 = 0", []
    params: list = []
    for first, last in runs:
        params += [_midnight(first), _midnight(last + timedelta(days=1))]
    return "(" + " OR ".join([f"({column} >= %s AND {column} < %s)"] * len(runs)) + ")", params


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def days_of_profiles(database: str, profile_ids: list[int]) -> set[date]:
    """Every day the profiles placed an order or were first refunded on: what their change can move."""
    days: set[date] = set()
    with connections[database].cursor() as cursor:
        for start in range(0, len(profile_ids), FETCH):
            chunk = profile_ids[start : start + FETCH]
            cursor.execute(
                f"SELECT placed_at, refunded_at FROM {ORDERS} WHERE profile_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for placed_at, refunded_at in cursor.fetchall():
                days.add(utc_day(moment(placed_at)))
                if refunded_at is not None:
                    days.add(utc_day(moment(refunded_at)))
    return days


@dataclasses.dataclass
class _Day:
    orders: int = 0
    revenue: Decimal = Decimal(0)
    refunded_orders: int = 0
    refunds: Decimal = Decimal(0)
    repeat_orders: int = 0
    repeat_gap_seconds: int = 0
    buyers: list[int] = dataclasses.field(default_factory=list)
    first_buyers: list[int] = dataclasses.field(default_factory=list)


def compute_days(database: str, days: set[date] | None) -> list[StoreDay]:
    """The rows of these days (every day with orders when None), read from ``database``."""
    rows: dict[tuple[str, str, date], _Day] = defaultdict(_Day)
    for profile_id, channel, currency, placed_at, total, previous, previous_here in _orders(database, days):
        placed_at, total = moment(placed_at), Decimal(str(total))
        previous, previous_here = moment(previous), moment(previous_here)
        day = utc_day(placed_at)
        if days is not None and day not in days:
            continue
        for scope, before in _scopes(channel, previous_here, previous):
            row = rows[scope, currency, day]
            row.orders += 1
            row.revenue += total
            row.buyers.append(profile_id)
            if before is None:
                row.first_buyers.append(profile_id)
            else:
                row.repeat_orders += 1
                row.repeat_gap_seconds += int((placed_at - before).total_seconds())
    for channel, currency, refunded_at, refunded in _refunds(database, days):
        for scope, _ in _scopes(channel, None, None):
            row = rows[scope, currency, utc_day(moment(refunded_at))]
            row.refunded_orders += 1
            row.refunds += Decimal(str(refunded))
    return [
        StoreDay(
            day=day,
            channel=channel,
            currency=currency,
            orders=row.orders,
            revenue=row.revenue,
            refunded_orders=row.refunded_orders,
            refunds=row.refunds,
            new_customers=len(set(row.first_buyers)),
            repeat_orders=row.repeat_orders,
            repeat_gap_seconds=row.repeat_gap_seconds,
            buyers=pack(row.buyers),
            first_buyers=pack(set(row.first_buyers)),
        )
        for (channel, currency, day), row in rows.items()
    ]


def _scopes(channel: str, in_channel, in_currency) -> list[tuple[str, object]]:
    """The rows an order counts in: its channel's and all channels' (once, for an order without a channel)."""
    return [(ALL_CHANNELS, in_currency)] + ([(channel, in_channel)] if channel != ALL_CHANNELS else [])


def _orders(database: str, days: set[date] | None) -> Iterator[tuple]:
    """Counted orders of the customers who ordered on ``days``, each with the customer's previous
    order time in its currency and in its channel (window functions over their whole history)."""
    where, params = _range_sql("placed_at", days)
    customers = "" if days is None else f"AND o.profile_id IN (SELECT DISTINCT profile_id FROM {ORDERS} WHERE {where})"
    sql = f"""
        SELECT o.profile_id, o.channel, o.currency, o.placed_at, o.total,
               LAG(o.placed_at) OVER (PARTITION BY o.profile_id, o.currency ORDER BY o.placed_at, o.id),
               LAG(o.placed_at) OVER (PARTITION BY o.profile_id, o.channel, o.currency ORDER BY o.placed_at, o.id)
        FROM {ORDERS} o WHERE {COUNTED} {customers}
    """
    yield from _fetch(database, sql, [*UNCOUNTED_STATUSES, *params])


def _refunds(database: str, days: set[date] | None) -> Iterator[tuple]:
    where, params = _range_sql("o.refunded_at", days)
    sql = f"""
        SELECT o.channel, o.currency, o.refunded_at, o.total_refunded FROM {ORDERS} o
        WHERE {COUNTED} AND o.refunded_at IS NOT NULL AND o.total_refunded > 0 AND {where}
    """
    yield from _fetch(database, sql, [*UNCOUNTED_STATUSES, *params])


def _fetch(database: str, sql: str, params: list) -> Iterator[tuple]:
    with connections[database].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


def moment(value: datetime | str | None) -> datetime | None:
    """A timestamp from raw SQL: aware on PostgreSQL; on SQLite naive UTC, or text for computed columns."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
