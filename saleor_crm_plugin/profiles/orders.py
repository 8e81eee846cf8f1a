"""How an order event changes the CRM's snapshot of that order (pure: no database).

Each event carries the whole order as Saleor had it. The newest state (by Saleor's
``updated_at``) wins; milestones (paid, fulfilled, cancelled, refunded) are kept once seen, so a
``paid`` that arrives before ``created`` still ends in the right state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from ..events import EventKind, Line, Order, normalise_email
from . import timeline
from .models import OrderSnapshot, TimelineEntry

PAID_CHARGE_STATUSES = ("full", "overcharged")
STATE_FIELDS = (
    "profile",
    "number",
    "email",
    "channel",
    "currency",
    "status",
    "charge_status",
    "total",
    "shipping",
    "total_charged",
    "total_refunded",
    "checkout_token",
    "lines",
    "attribution",
    "placed_at",
    "version",
    "paid_at",
    "fulfilled_at",
    "cancelled_at",
    "refunded_at",
)


def new_snapshot(data: Order) -> OrderSnapshot:
    snapshot = OrderSnapshot(saleor_order_id=data.order_id)
    _take_state(snapshot, data)
    return snapshot


def fold(snapshot: OrderSnapshot, data: Order, kind: EventKind) -> list[str]:
    """Merge one event into the snapshot; return the milestones it set for the first time."""
    if data.updated_at >= snapshot.version:
        charged, refunded, same_time = (
            snapshot.total_charged,
            snapshot.total_refunded,
            data.updated_at == snapshot.version,
        )
        _take_state(snapshot, data)
        if same_time:  # two states with one timestamp: money only moves forward
            snapshot.total_charged = max(charged, data.total_charged)
            snapshot.total_refunded = max(refunded, data.total_refunded)
    else:
        snapshot.total_charged = max(snapshot.total_charged, data.total_charged)
        snapshot.total_refunded = max(snapshot.total_refunded, data.total_refunded)
    return _mark_milestones(snapshot, data, kind)


def _take_state(snapshot: OrderSnapshot, data: Order) -> None:
    snapshot.number = data.number
    snapshot.email = normalise_email(data.email)
    snapshot.channel = data.channel
    snapshot.currency = data.currency
    snapshot.status = data.status
    snapshot.charge_status = data.charge_status
    snapshot.total = data.total
    snapshot.shipping = data.shipping
    snapshot.total_charged = data.total_charged
    snapshot.total_refunded = data.total_refunded
    snapshot.checkout_token = data.checkout_token
    snapshot.lines = encode_lines(data.lines)
    snapshot.attribution = dict(data.attribution) or snapshot.attribution
    snapshot.placed_at = data.created_at
    snapshot.version = data.updated_at


def _mark_milestones(snapshot: OrderSnapshot, data: Order, kind: EventKind) -> list[str]:
    seen = {
        "paid_at": kind == EventKind.ORDER_FULLY_PAID or snapshot.charge_status in PAID_CHARGE_STATUSES,
        "fulfilled_at": kind == EventKind.ORDER_FULFILLED or snapshot.status == "fulfilled",
        "cancelled_at": kind == EventKind.ORDER_CANCELLED or snapshot.status == "canceled",
        "refunded_at": snapshot.total_refunded > 0,
    }
    newly = []
    for field, happened in seen.items():
        if happened and getattr(snapshot, field) is None:
            setattr(snapshot, field, data.updated_at)
            newly.append(field)
    return newly


MILESTONE_ENTRIES = {
    "paid_at": ("order.paid", "Paid order #{number} · {money}"),
    "fulfilled_at": ("order.fulfilled", "Order #{number} fulfilled"),
    "cancelled_at": ("order.cancelled", "Order #{number} cancelled"),
}


def timeline_entries(
    snapshot: OrderSnapshot, milestones: list[str], placed: bool, refund: bool
) -> Iterator[TimelineEntry]:
    """Entries for what this change made happen; unique keys make repeats harmless."""
    money = timeline.money(snapshot.total, snapshot.currency)
    order_id, number = snapshot.saleor_order_id, snapshot.number
    data = {"order_id": order_id, "number": number, "total": str(snapshot.total), "currency": snapshot.currency}
    profile_id = snapshot.profile_id
    if placed:
        yield timeline.entry(
            profile_id,
            "order.placed",
            snapshot.placed_at,
            f"Placed order #{number} · {money}",
            data,
            f"order.placed:{order_id}",
        )
    for field in milestones:
        if field in MILESTONE_ENTRIES:
            kind, summary = MILESTONE_ENTRIES[field]
            yield timeline.entry(
                profile_id,
                kind,
                getattr(snapshot, field),
                summary.format(number=number, money=money),
                data,
                f"{kind}:{order_id}",
            )
    if refund:
        refunded = f"{snapshot.total_refunded.normalize():f}"
        yield timeline.entry(
            profile_id,
            "order.refunded",
            snapshot.version,
            f"Refunded {refunded} {snapshot.currency} of order #{number}",
            {**data, "refunded": str(snapshot.total_refunded)},
            f"order.refunded:{order_id}:{refunded}",
        )


def encode_lines(lines: tuple[Line, ...]) -> list[dict]:
    encoded = []
    for line in lines:
        raw = {field.name: getattr(line, field.name) for field in dataclasses.fields(line)}
        raw["unit_price"] = str(line.unit_price)
        encoded.append(raw)
    return encoded
