"""What an order adds to its profile's counters, and how a change of that moves them.

An order's contribution is a pure function of its snapshot, so applying the same state twice,
or states in any order, ends with the same counters; ``rebuild`` recomputes them from the
snapshots alone, which is how merges and checks prove the counters right.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from ..settings import get_settings
from ..upsert import upsert_add
from .models import CustomerProfile, CustomerSpend, OrderSnapshot, ProfileAffinity

# Orders in these states are not purchases (anymore): they add nothing to counters.
UNCOUNTED_STATUSES = ("draft", "canceled", "expired")
COUNTED_ORDERS = ~Q(status__in=UNCOUNTED_STATUSES) & Q(cancelled_at__isnull=True)


@dataclasses.dataclass(frozen=True)
class Contribution:
    counted: bool = False
    net_total: Decimal = Decimal(0)
    cancelled: bool = False
    refunded: bool = False


NOTHING = Contribution()


def contribution_of(order: OrderSnapshot) -> Contribution:
    counted = order.status not in UNCOUNTED_STATUSES and order.cancelled_at is None
    return Contribution(
        counted=counted,
        net_total=(order.total - order.total_refunded) if counted else Decimal(0),
        cancelled=order.cancelled_at is not None or order.status == "canceled",
        refunded=order.total_refunded > 0,
    )


@dataclasses.dataclass
class ProfileDelta:
    """What one run of events changes on one profile, written in one statement for all profiles."""

    orders: int = 0
    cancellations: int = 0
    refunds: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    last_activity_at: datetime | None = None
    lost_an_order: bool = False  # an order stopped counting: first/last dates are recomputed
    json_fields: set[str] = dataclasses.field(default_factory=set)  # channels / touches changed


class Deltas:
    """Accumulates counter, spend and affinity changes of a run; ``write`` applies them."""

    def __init__(self) -> None:
        self.profiles: dict[int, ProfileDelta] = defaultdict(ProfileDelta)
        self.spend: dict[tuple[int, str], list] = {}
        self.affinity: dict[tuple[int, str, str], list] = {}

    def order_changed(self, profile_id: int, order: OrderSnapshot, before: Contribution, after: Contribution) -> None:
        if before == after:
            return
        delta = self.profiles[profile_id]
        counted = int(after.counted) - int(before.counted)
        delta.orders += counted
        delta.cancellations += int(after.cancelled) - int(before.cancelled)
        delta.refunds += int(after.refunded) - int(before.refunded)
        if counted > 0:
            delta.first_order_at = min(filter(None, [delta.first_order_at, order.placed_at]))
            delta.last_order_at = max(filter(None, [delta.last_order_at, order.placed_at]))
        elif counted < 0:
            delta.lost_an_order = True
        spend = self.spend.setdefault((profile_id, order.currency), [0, Decimal(0)])
        spend[0] += counted
        spend[1] += after.net_total - before.net_total
        if counted:
            for row in _affinity_rows(profile_id, [order], sign=counted):
                entry = self.affinity.setdefault((profile_id, row["kind"], row["ref_id"]), [0, row["name"]])
                entry[0] += row["quantity"]

    def active(self, profile: CustomerProfile, at: datetime, json_fields: set[str]) -> None:
        delta = self.profiles[profile.pk]
        delta.last_activity_at = max(filter(None, [delta.last_activity_at, at]))
        delta.json_fields |= json_fields

    def write(self, profiles: dict[int, CustomerProfile]) -> None:
        if self.profiles:
            write_profile_deltas({pid: (d, profiles[pid]) for pid, d in self.profiles.items()})
            lost = [pid for pid, d in self.profiles.items() if d.lost_an_order]
            if lost:
                _recompute_order_dates(lost)
        upsert_add(
            CustomerSpend,
            ["profile", "currency"],
            [{"profile": p, "currency": c, "orders_count": n, "total": t} for (p, c), (n, t) in self.spend.items()],
            add_fields=["orders_count", "total"],
        )
        upsert_add(
            ProfileAffinity,
            ["profile", "kind", "ref_id"],
            [
                {"profile": p, "kind": k, "ref_id": r, "name": name, "quantity": q}
                for (p, k, r), (q, name) in self.affinity.items()
            ],
            add_fields=["quantity"],
            replace_fields=["name"],
        )


def write_profile_deltas(changes: dict[int, tuple[ProfileDelta, CustomerProfile]]) -> None:
    """One UPDATE for every profile on PostgreSQL; the portable twin updates them one by one."""
    if connection.vendor == "postgresql":
        _write_profile_deltas_postgresql(changes)
    else:
        write_profile_deltas_portable(changes)


def write_profile_deltas_portable(changes: dict[int, tuple[ProfileDelta, CustomerProfile]]) -> None:
    for profile_id, (delta, profile) in changes.items():
        updates = {
            "orders_count": F("orders_count") + delta.orders,
            "cancellations_count": F("cancellations_count") + delta.cancellations,
            "refunds_count": F("refunds_count") + delta.refunds,
            **{field: getattr(profile, field) for field in delta.json_fields},
        }
        for field, value, pick in (
            ("first_order_at", delta.first_order_at, Least),
            ("last_order_at", delta.last_order_at, Greatest),
            ("last_activity_at", delta.last_activity_at, Greatest),
        ):
            if value is not None:
                updates[field] = pick(Coalesce(field, Value(value)), Value(value))
        CustomerProfile.objects.filter(pk=profile_id).update(**updates)


def _write_profile_deltas_postgresql(changes: dict[int, tuple[ProfileDelta, CustomerProfile]]) -> None:
    # PostgreSQL's LEAST/GREATEST skip NULLs, so an absent date leaves the stored one alone. One array
    # per column: the statement's text is the same for any number of profiles.
    rows = [
        (
            profile_id,
            delta.orders,
            delta.cancellations,
            delta.refunds,
            delta.first_order_at,
            delta.last_order_at,
            delta.last_activity_at,
            *(
                json.dumps(getattr(profile, f)) if f in delta.json_fields else None
                for f in ("channels", "first_touch", "last_touch")
            ),
        )
        for profile_id, (delta, profile) in changes.items()
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    table = CustomerProfile._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} AS p SET
                orders_count = p.orders_count + v.d_orders,
                cancellations_count = p.cancellations_count + v.d_cancellations,
                refunds_count = p.refunds_count + v.d_refunds,
                first_order_at = LEAST(p.first_order_at, v.first_order_at),
                last_order_at = GREATEST(p.last_order_at, v.last_order_at),
                last_activity_at = GREATEST(p.last_activity_at, v.last_activity_at),
                channels = COALESCE(v.channels::jsonb, p.channels),
                first_touch = COALESCE(v.first_touch::jsonb, p.first_touch),
                last_touch = COALESCE(v.last_touch::jsonb, p.last_touch),
                updated_at = now()
            FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::timestamptz[], %s::timestamptz[],
                        %s::timestamptz[], %s::text[], %s::text[], %s::text[]) AS v(
                id, d_orders, d_cancellations, d_refunds, first_order_at, last_order_at, last_activity_at,
                channels, first_touch, last_touch)
            WHERE p.id = v.id""",
            columns,
        )


def rebuild(profile_ids: Iterable[int]) -> None:
    """Recompute counters, spend and affinities of these profiles from their order snapshots."""
    profile_ids = list(profile_ids)
    orders = OrderSnapshot.objects.filter(profile_id__in=profile_ids)
    CustomerSpend.objects.filter(profile_id__in=profile_ids).delete()
    ProfileAffinity.objects.filter(profile_id__in=profile_ids).delete()
    spend = (
        orders.filter(COUNTED_ORDERS)
        .values("profile_id", "currency")
        .annotate(n=Count("id"), total=Sum(F("total") - F("total_refunded")))
    )
    CustomerSpend.objects.bulk_create(
        CustomerSpend(profile_id=row["profile_id"], currency=row["currency"], orders_count=row["n"], total=row["total"])
        for row in spend
    )
    for profile_id in profile_ids:
        counted = list(orders.filter(COUNTED_ORDERS, profile_id=profile_id).only("lines"))
        rows = _affinity_rows(profile_id, counted, sign=1)
        ProfileAffinity.objects.bulk_create(
            ProfileAffinity(
                profile_id=r["profile"], kind=r["kind"], ref_id=r["ref_id"], name=r["name"], quantity=r["quantity"]
            )
            for r in rows
        )
        stats = orders.filter(profile_id=profile_id).aggregate(
            counted=Count("id", filter=COUNTED_ORDERS),
            cancelled=Count("id", filter=Q(cancelled_at__isnull=False) | Q(status="canceled")),
            refunded=Count("id", filter=Q(total_refunded__gt=0)),
        )
        CustomerProfile.objects.filter(pk=profile_id).update(
            orders_count=stats["counted"],
            cancellations_count=stats["cancelled"],
            refunds_count=stats["refunded"],
        )
    _recompute_order_dates(profile_ids)


def _recompute_order_dates(profile_ids: list[int]) -> None:
    """First and last order times from the snapshots, for all these profiles in one UPDATE."""
    counted = OrderSnapshot.objects.filter(COUNTED_ORDERS, profile_id=OuterRef("pk")).values("placed_at")
    CustomerProfile.objects.filter(pk__in=profile_ids).update(
        first_order_at=Subquery(counted.order_by("placed_at")[:1]),
        last_order_at=Subquery(counted.order_by("-placed_at")[:1]),
    )


def _affinity_rows(profile_id: int, orders: Iterable[OrderSnapshot], sign: int) -> list[dict]:
    quantities: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], str] = {}
    for order in orders:
        for line in order.lines:
            for kind, ref, name in (
                (ProfileAffinity.PRODUCT, line.get("product_id"), line.get("product_name", "")),
                (ProfileAffinity.CATEGORY, line.get("category_id"), line.get("category_name", "")),
            ):
                if ref:
                    quantities[kind, ref] += int(line["quantity"]) * sign
                    names[kind, ref] = name
    return [
        {"profile": profile_id, "kind": kind, "ref_id": ref, "name": names[kind, ref], "quantity": qty}
        for (kind, ref), qty in quantities.items()
    ]


def favourites(profile: CustomerProfile, kind: str, limit: int | None = None) -> list[ProfileAffinity]:
    """The shopper's top categories or products by units bought (``favourites_limit`` of them)."""
    limit = limit or get_settings().favourites_limit
    return list(profile.affinities.filter(kind=kind, quantity__gt=0).order_by("-quantity", "name")[:limit])
