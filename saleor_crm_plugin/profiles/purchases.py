"""Apply a run of order and checkout events in a fixed number of statements, however long the run.

Load every snapshot and profile the run names (3 SELECTs), fold the events in memory in order,
then write snapshots, counters, spend, affinities and timeline entries with one statement each.
A single live event is a run of one; a backfill batch is a run of hundreds.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db.models import Case, F, Q, Value, When

from ..events import Checkout, Event, Order, normalise_email
from . import activity, checkouts, orders, timeline
from .aggregates import NOTHING, Contribution, Deltas, contribution_of
from .identity import ForgottenCustomer, profile_for
from .models import CheckoutSnapshot, CustomerProfile, OrderSnapshot


class _ProfilesMoved(Exception):
    """A guest profile was merged into an account mid-run: snapshots moved, so start over."""


@dataclasses.dataclass
class _Touched:
    """An order's state when the run first saw it, to compute the change the run made."""

    before: Contribution
    owner_before: int | None
    refunded_before: Decimal | None  # None: the order is new to the CRM
    milestones: list[str] = dataclasses.field(default_factory=list)


def apply_purchases(events: list[Event]) -> list[CustomerProfile | None]:
    """Apply the run; return, per event, the profile it landed on (None: no shopper known)."""
    for _ in range(3):
        try:
            return _apply(events)
        except _ProfilesMoved:
            continue
    return _apply(events)


def _apply(events: list[Event]) -> list[CustomerProfile | None]:
    order_ids = [e.data.order_id for e in events if isinstance(e.data, Order)]
    tokens = [e.data.token for e in events if isinstance(e.data, Checkout)]
    order_snaps = _locked(OrderSnapshot, "saleor_order_id", order_ids)
    checkout_snaps = _locked(CheckoutSnapshot, "token", tokens)
    profiles = _Profiles(events, order_snaps.values(), checkout_snaps.values())
    deltas, entries, touched, completed = Deltas(), [], {}, {}
    landed: list[CustomerProfile | None] = []
    for event in events:
        data = event.data
        if isinstance(data, Order):
            profile = _fold_order(event, order_snaps, touched, profiles)
        else:
            profile = profiles.shopper(data.email, data.user_id, data.user_pk) if (data.email or data.user_id) else None
            snapshot = checkout_snaps[data.token] = checkouts.fold(checkout_snaps.get(data.token), data)
            snapshot.profile = profile
            if profile is not None:
                snapshot.email = "" if profile.anonymised_at else snapshot.email
                deltas.active(
                    profile,
                    data.updated_at,
                    activity.note_touch(profile, data.updated_at, data.channel, data.attribution, "checkout"),
                )
                if snapshot.quantity:
                    entries.append(checkouts.started_entry(snapshot))
        landed.append(profile)

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

    _complete_from_known_orders(checkout_snaps)
    _save(CheckoutSnapshot, checkout_snaps.values(), "token", checkouts.STATE_FIELDS)
    _save(OrderSnapshot, [order_snaps[i] for i in touched], "saleor_order_id", orders.STATE_FIELDS)
    if completed:
        CheckoutSnapshot.objects.filter(token__in=completed, completed_at__isnull=True).update(
            completed_at=Case(
                *(When(token=t, then=Value(at)) for t, at in completed.items()), default=F("completed_at")
            )
        )
    deltas.write(profiles.by_id)
    timeline.record(entries)
    return landed


def _fold_order(event: Event, snaps: dict, touched: dict, profiles: _Profiles) -> CustomerProfile | None:
    data: Order = event.data
    snapshot = snaps.get(data.order_id)
    if snapshot is None:
        profile = profiles.shopper(data.email, data.user_id, data.user_pk)
        if profile is None:
            return None
        snapshot = snaps[data.order_id] = orders.new_snapshot(data)
        touched[data.order_id] = _Touched(NOTHING, None, None)
    else:
        if data.order_id not in touched:
            touched[data.order_id] = _Touched(contribution_of(snapshot), snapshot.profile_id, snapshot.total_refunded)
        profile = profiles.owner(snapshot, data)
    touched[data.order_id].milestones += orders.fold(snapshot, data, event.kind)
    snapshot.profile = profile
    if profile.anonymised_at is not None:
        snapshot.email = ""
    return profile


class _Profiles:
    """The run's profiles, loaded in one query and kept as one object per row."""

    def __init__(self, events: list[Event], order_snaps, checkout_snaps):
        owners = {s.profile_id for s in order_snaps} | {s.profile_id for s in checkout_snaps if s.profile_id}
        user_ids = {e.data.user_id for e in events if e.data.user_id}
        emails = {normalise_email(e.data.email) for e in events if e.data.email}
        query = Q(id__in=owners) | Q(saleor_user_id__in=user_ids) | Q(email__in=emails, anonymised_at__isnull=True)
        self.by_id: dict[int, CustomerProfile] = {}
        self.by_user: dict[str, CustomerProfile] = {}
        self.guest_by_email: dict[str, CustomerProfile] = {}
        self.account_by_email: dict[str, CustomerProfile] = {}
        for profile in CustomerProfile.objects.filter(query) if (owners or user_ids or emails) else ():
            self._add(profile)

    def _add(self, profile: CustomerProfile) -> None:
        self.by_id[profile.pk] = profile
        if profile.saleor_user_id:
            self.by_user[profile.saleor_user_id] = profile
        if profile.anonymised_at is None and profile.email:
            index = self.account_by_email if profile.saleor_user_id else self.guest_by_email
            index.setdefault(profile.email, profile)

    def owner(self, snapshot: OrderSnapshot, data: Order) -> CustomerProfile | None:
        """Keep the known owner unless the event names another account."""
        current = self.by_id[snapshot.profile_id]
        if data.user_id is None or current.saleor_user_id == data.user_id:
            return current
        return self.shopper(data.email, data.user_id, data.user_pk) or current

    def shopper(self, email: str, user_id: str | None, user_pk: int | None) -> CustomerProfile | None:
        email = normalise_email(email)
        guest = self.guest_by_email.get(email)
        if user_id:
            profile = self.by_user.get(user_id)
            if profile is not None and (guest is None or profile.anonymised_at is not None):
                return profile
        else:
            profile = self.account_by_email.get(email) or guest
            if profile is not None:
                return profile
        try:  # new shopper, or a guest history to join: the careful one-by-one path
            profile = profile_for(email, user_id, user_pk)
        except ForgottenCustomer:
            return None
        if guest is not None and guest.pk != profile.pk:
            raise _ProfilesMoved
        if guest is not None:
            del self.guest_by_email[email]
        self._add(profile)
        return profile


def _complete_from_known_orders(checkout_snaps: dict[str, CheckoutSnapshot]) -> None:
    """A checkout event arriving after the order that completed it must not reopen the cart."""
    open_tokens = [token for token, snapshot in checkout_snaps.items() if snapshot.completed_at is None]
    if open_tokens:
        placed = OrderSnapshot.objects.filter(checkout_token__in=open_tokens).values_list("checkout_token", "placed_at")
        for token, placed_at in placed:
            checkout_snaps[token].completed_at = placed_at


def _locked(model, key: str, values: list[str]) -> dict:
    if not values:
        return {}
    return {getattr(s, key): s for s in model.objects.select_for_update().filter(**{f"{key}__in": values})}


def _save(model, snapshots, key: str, fields: tuple[str, ...]) -> None:
    snapshots = list(snapshots)
    if snapshots:
        model.objects.bulk_create(snapshots, update_conflicts=True, unique_fields=[key], update_fields=list(fields))
