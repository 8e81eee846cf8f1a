"""Apply a run of account, order and checkout events in a fixed number of statements.

Load every snapshot and profile the run names, resolve every shopper (new profiles in one
INSERT), fold the events in memory in their order, then write snapshots, account details,
counters, spend, favourites and timeline entries with one statement each. A single live event is
a run of one; a backfill batch is a run of hundreds.
"""

from __future__ import annotations

import dataclasses
import zlib
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Case, F, Value, When

from ..bulk import insert_or_update, update_values
from ..events import Checkout, Customer, Event, EventKind, Order
from . import accounts, activity, checkouts, orders
from .aggregates import NOTHING, Contribution, Deltas, contribution_of
from .models import CheckoutSnapshot, CustomerProfile, OrderSnapshot
from .shoppers import ProfilesMoved, Shoppers
from .timeline import record


@dataclasses.dataclass
class _Touched:
    """An order's state when the run first saw it, to compute the change the run made."""

    before: Contribution
    owner_before: int | None
    refunded_before: Decimal | None  # None: the order is new to the CRM
    milestones: list[str] = dataclasses.field(default_factory=list)


def apply_run(events: list[Event]) -> list[CustomerProfile | None]:
    """Apply the run; return, per event, the profile it landed on (None: no shopper known)."""
    for _ in range(3):
        try:
            return _apply(events)
        except ProfilesMoved:
            continue
    return _apply(events)


def _apply(events: list[Event]) -> list[CustomerProfile | None]:
    order_snaps = _locked(
        OrderSnapshot, "saleor_order_id", [e.data.order_id for e in events if isinstance(e.data, Order)]
    )
    checkout_snaps = _locked(CheckoutSnapshot, "token", [e.data.token for e in events if isinstance(e.data, Checkout)])
    owners = {s.profile_id for s in order_snaps.values()} | {
        s.profile_id for s in checkout_snaps.values() if s.profile_id
    }
    shoppers = Shoppers(events, owners)
    for event in events:  # resolve first: new profiles get their keys before anything points at them
        _shopper_of(event, order_snaps, shoppers)
    shoppers.create_unsaved()

    deltas, entries, touched, landed = Deltas(), [], {}, []
    for event in events:
        data = event.data
        profile = _shopper_of(event, order_snaps, shoppers)
        if isinstance(data, Checkout):
            _fold_checkout(data, profile, checkout_snaps, deltas, entries)
        elif profile is None:
            pass  # a late fact about an account the store deleted
        elif isinstance(data, Customer):
            shoppers.mark_changed(profile, accounts.fold(profile, data))
            if event.kind == EventKind.CUSTOMER_CREATED:
                entries.append(accounts.registered_entry(profile, data))
        else:
            _fold_order(event, profile, order_snaps, touched)
        landed.append(profile)
    completed = _account_for_orders(order_snaps, touched, deltas, entries)
    _complete_from_known_orders(checkout_snaps)
    insert_or_update(checkout_snaps.values(), "token", checkouts.STATE_FIELDS)
    insert_or_update([order_snaps[i] for i in touched], "saleor_order_id", orders.STATE_FIELDS)
    _mark_completed(completed)
    shoppers.save_changed()
    deltas.write(shoppers.by_id)
    record(entries)
    return landed


def _shopper_of(event: Event, order_snaps: dict, shoppers: Shoppers) -> CustomerProfile | None:
    data = event.data
    if isinstance(data, Customer):
        return shoppers.account(data.user_id, data.user_pk, data.email, known_as=True)
    if isinstance(data, Order) and data.order_id in order_snaps:
        return shoppers.owner(order_snaps[data.order_id], data.user_id, data.user_pk, data.email)
    if data.email or data.user_id:
        return shoppers.shopper(data.email, data.user_id, data.user_pk)
    return None


def _fold_order(event: Event, profile: CustomerProfile, snaps: dict, touched: dict) -> None:
    data: Order = event.data
    snapshot = snaps.get(data.order_id)
    if snapshot is None:
        snapshot = snaps[data.order_id] = orders.new_snapshot(data)
        touched[data.order_id] = _Touched(NOTHING, None, None)
    elif data.order_id not in touched:
        touched[data.order_id] = _Touched(contribution_of(snapshot), snapshot.profile_id, snapshot.total_refunded)
    touched[data.order_id].milestones += orders.fold(snapshot, data, event.kind)
    snapshot.profile = profile
    if profile.anonymised_at is not None:
        snapshot.email = ""


def _fold_checkout(data: Checkout, profile: CustomerProfile | None, snaps: dict, deltas: Deltas, entries: list) -> None:
    snapshot = snaps[data.token] = checkouts.fold(snaps.get(data.token), data)
    snapshot.profile = profile
    if profile is None:
        return  # no email yet: kept, and linked when the shopper types one
    if profile.anonymised_at is not None:
        snapshot.email = ""
    touch = activity.note_touch(profile, data.updated_at, data.channel, data.attribution, "checkout")
    deltas.active(profile, data.updated_at, touch)
    if snapshot.quantity:
        entries.append(checkouts.started_entry(snapshot))


def _account_for_orders(order_snaps: dict, touched: dict, deltas: Deltas, entries: list) -> dict:
    """Counter deltas and timeline entries of every order the run changed; checkouts it completed."""
    completed = {}
    for order_id, seen in touched.items():
        snapshot = order_snaps[order_id]
        after = contribution_of(snapshot)
        moved = seen.owner_before is not None and seen.owner_before != snapshot.profile_id
        if moved:
            deltas.order_changed(seen.owner_before, snapshot, seen.before, NOTHING)
            deltas.order_changed(snapshot.profile_id, snapshot, NOTHING, after)
        else:
            deltas.order_changed(snapshot.profile_id, snapshot, seen.before, after)
        is_new = seen.refunded_before is None
        if is_new:  # activity, channel and attribution are facts of placing the order: once
            touch = activity.note_touch(
                snapshot.profile,
                snapshot.placed_at,
                snapshot.channel,
                snapshot.attribution,
                f"order #{snapshot.number}",
            )
            deltas.active(snapshot.profile, snapshot.placed_at, touch)
            if snapshot.checkout_token:
                completed[snapshot.checkout_token] = snapshot.placed_at
        refund = snapshot.total_refunded > 0 and snapshot.total_refunded != seen.refunded_before
        entries += orders.timeline_entries(snapshot, seen.milestones, placed=is_new or moved, refund=refund)
    return completed


def _mark_completed(completed: dict[str, datetime]) -> None:
    """Close the checkouts that orders of this run completed, at each order's time (one UPDATE)."""
    if not completed:
        return
    if connection.vendor == "postgresql":
        update_values(
            CheckoutSnapshot, ["completed_at"], list(completed.items()), key="token", only_where_null="completed_at"
        )
        return
    CheckoutSnapshot.objects.filter(token__in=completed, completed_at__isnull=True).update(
        completed_at=Case(*(When(token=t, then=Value(at)) for t, at in completed.items()), default=F("completed_at"))
    )


def _complete_from_known_orders(checkout_snaps: dict[str, CheckoutSnapshot]) -> None:
    """A checkout event arriving after the order that completed it must not reopen the cart.

    Only checkouts new to the CRM can have missed their order: an order arriving after its checkout
    closes it (``_mark_completed``).
    """
    open_tokens = [token for token, snapshot in checkout_snaps.items() if snapshot.pk is None]
    if open_tokens:
        placed = OrderSnapshot.objects.filter(checkout_token__in=open_tokens).values_list("checkout_token", "placed_at")
        for token, placed_at in placed:
            checkout_snaps[token].completed_at = placed_at


def _locked(model, key: str, values: list[str]) -> dict:
    """Snapshots of the run, locked in id order like the profiles: two workers never wait in a circle."""
    if not values:
        return {}
    _lock_keys(model, values)
    snapshots = model.objects.select_for_update().filter(**{f"{key}__in": values}).order_by("pk")
    return {getattr(s, key): s for s in snapshots}


def _lock_keys(model, values: list[str]) -> None:
    """Hold each key of the run for the transaction, so a snapshot not in the database yet is still
    one worker's at a time: without this, two workers draining events of one new order at once both
    take it as new, and both count it. Advisory locks (PostgreSQL), taken in one sorted order."""
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time
    tag = (zlib.crc32(model._meta.db_table.encode()) & 0x7FFFFFFF) << 32  # a signed 64-bit key
    keys = sorted({tag | zlib.crc32(value.encode()) for value in values})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_advisory_xact_lock(key)) FROM unnest(%s::bigint[]) AS key", [keys])
