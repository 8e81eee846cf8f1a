"""Small builders of CRM events with sensible defaults, and dumps of what the CRM holds."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_crm_plugin.events import Checkout, Customer, Event, EventKind, Line, Order
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.models import (
    BackfillCheckpoint,
    CheckoutSnapshot,
    CustomerProfile,
    CustomerSpend,
    DeadLetter,
    ProcessedEvent,
    ProfileAffinity,
    TimelineEntry,
)
from saleor_crm_plugin.sandbox.generator import global_id

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes: float = 0, **delta: float) -> datetime:
    """A moment ``minutes`` (and ``days``/``hours``) after the fixed start ``T0``."""
    return T0 + timedelta(minutes=minutes, **delta)


def user_id(pk: int) -> str:
    return global_id("User", pk)


def line(quantity: int = 1, price: str = "10.00", product: int = 1, category: int = 1, **extra) -> Line:
    return Line(
        quantity=quantity,
        unit_price=Decimal(price),
        product_name=f"Product {product}",
        sku=f"SKU-{product}",
        variant_id=global_id("ProductVariant", product),
        product_id=global_id("Product", product),
        category_id=global_id("Category", category),
        category_name=f"Category {category}",
        **extra,
    )


def customer_event(
    kind: EventKind | str = EventKind.CUSTOMER_CREATED,
    pk: int = 1,
    email: str = "ada@example.com",
    updated_at: datetime | None = None,
    **fields,
) -> Event:
    fields.setdefault("first_name", "Ada")
    fields.setdefault("last_name", "Lovelace")
    fields.setdefault("date_joined", T0)
    return Event(
        EventKind(kind),
        Customer(user_id=user_id(pk), email=email, updated_at=updated_at or fields["date_joined"], **fields),
    )


def order_event(
    kind: EventKind | str = EventKind.ORDER_CREATED,
    order_id: str = "Order:1",
    email: str = "ada@example.com",
    user: int | None = None,
    total: str = "100.00",
    status: str = "unfulfilled",
    updated_at: datetime | None = None,
    refunded: str = "0",
    lines: tuple[Line, ...] | None = None,
    created_at: datetime | None = None,
    **fields,
) -> Event:
    """An order event; ``order_id`` is a plain label turned into a Saleor global ID."""
    created_at = created_at or T0
    fields.setdefault("channel", "default-channel")
    fields.setdefault("currency", "USD")
    fields.setdefault("shipping", Decimal(0))
    return Event(
        EventKind(kind),
        Order(
            order_id=global_id("Order", order_id),
            number=fields.pop("number", order_id.rsplit(":", 1)[-1]),
            status=status,
            total=Decimal(total),
            created_at=created_at,
            updated_at=updated_at or created_at,
            email=email,
            user_id=user_id(user) if user is not None else None,
            total_refunded=Decimal(refunded),
            lines=(line(),) if lines is None else lines,
            **fields,
        ),
    )


def checkout_event(
    kind: EventKind | str = EventKind.CHECKOUT_CREATED,
    token: str = "checkout-1",
    email: str = "ada@example.com",
    user: int | None = None,
    updated_at: datetime | None = None,
    lines: tuple[Line, ...] | None = None,
    **fields,
) -> Event:
    lines = (line(),) if lines is None else lines
    fields.setdefault("channel", "default-channel")
    fields.setdefault("currency", "USD")
    fields.setdefault("created_at", updated_at or T0)
    return Event(
        EventKind(kind),
        Checkout(
            token=token,
            total=sum((ln.unit_price * ln.quantity for ln in lines), Decimal(0)),
            updated_at=updated_at or fields["created_at"],
            email=email,
            user_id=user_id(user) if user is not None else None,
            lines=lines,
            **fields,
        ),
    )


def later(event: Event, kind: EventKind | str, minutes: float = 1, **changes) -> Event:
    """The same object's next state: ``updated_at`` moves on and ``changes`` apply."""
    data = dataclasses.replace(event.data, updated_at=event.data.updated_at + timedelta(minutes=minutes), **changes)
    return Event(EventKind(kind), data)


# -- what the CRM holds, as plain comparable values ----------------------------------------

PROFILE_FIELDS = (
    "email",
    "saleor_user_id",
    "first_name",
    "last_name",
    "marketing_consent",
    "anonymised_at",
    "orders_count",
    "cancellations_count",
    "refunds_count",
    "first_order_at",
    "last_order_at",
    "last_activity_at",
    "channels",
    "first_touch",
    "last_touch",
)


def crm_dump() -> dict:
    """Everything counted, keyed by account or email rather than row id; rows that are zero are left out."""
    profiles = list(CustomerProfile.objects.values("id", *PROFILE_FIELDS))
    keys = {p["id"]: p["saleor_user_id"] or f"guest:{p['email']}" for p in profiles}
    return {
        "profiles": sorted(({k: v for k, v in p.items() if k != "id"} for p in profiles), key=repr),
        "spend": sorted(
            (keys[s["profile_id"]], s["currency"], s["orders_count"], s["total"])
            for s in CustomerSpend.objects.values("profile_id", "currency", "orders_count", "total")
            if s["orders_count"] or s["total"]
        ),
        "affinities": sorted(
            (keys[a["profile_id"]], a["kind"], a["ref_id"], a["quantity"])
            for a in ProfileAffinity.objects.values("profile_id", "kind", "ref_id", "quantity")
            if a["quantity"]
        ),
        "timeline": sorted(
            (keys[t["profile_id"]], t["kind"], t["unique_key"] or "")
            for t in TimelineEntry.objects.values("profile_id", "kind", "unique_key")
        ),
    }


def counters(profile: CustomerProfile) -> dict:
    """One profile's counters, spend and affinities as they are in the database now."""
    profile.refresh_from_db()
    return {
        "orders_count": profile.orders_count,
        "cancellations_count": profile.cancellations_count,
        "refunds_count": profile.refunds_count,
        "first_order_at": profile.first_order_at,
        "last_order_at": profile.last_order_at,
        "spend": sorted(
            (s.currency, s.orders_count, s.total) for s in profile.spend.all() if s.orders_count or s.total
        ),
        "affinities": sorted((a.kind, a.ref_id, a.quantity) for a in profile.affinities.all() if a.quantity),
    }


def reset_crm() -> None:
    """Forget everything the CRM applied, to replay a stream on a clean slate inside one test."""
    for model in (CustomerProfile, CheckoutSnapshot, ProcessedEvent, DeadLetter, BackfillCheckpoint):
        model.objects.all().delete()


def replay(events) -> dict:
    """Apply ``events`` one by one on a clean slate; return the resulting dump."""
    reset_crm()
    for event in events:
        ingest(event)
    return crm_dump()
