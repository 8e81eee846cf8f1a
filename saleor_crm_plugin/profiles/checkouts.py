"""Checkouts: the shopper's activity before an order, and the carts they leave behind."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from ..events import Checkout, normalise_email
from ..settings import get_settings
from . import timeline
from .models import CheckoutSnapshot
from .orders import encode_lines

STATE_FIELDS = (
    "completed_at",
    "profile",
    "email",
    "channel",
    "currency",
    "total",
    "lines",
    "quantity",
    "attribution",
    "version",
    "abandoned_at",
)


def fold(snapshot: CheckoutSnapshot | None, data: Checkout) -> CheckoutSnapshot:
    """The snapshot after this event; an older state than the one held changes nothing."""
    if snapshot is None:
        snapshot = CheckoutSnapshot(
            token=data.token, started_at=data.created_at or data.updated_at, version=data.updated_at
        )
    elif data.updated_at < snapshot.version:
        return snapshot
    snapshot.email = normalise_email(data.email)
    snapshot.channel, snapshot.currency, snapshot.total = data.channel, data.currency, data.total
    snapshot.lines = encode_lines(data.lines)
    snapshot.quantity = sum(line.quantity for line in data.lines)
    snapshot.attribution = dict(data.attribution) or snapshot.attribution
    snapshot.version = data.updated_at
    snapshot.abandoned_at = None  # touched again: no longer abandoned
    return snapshot


def started_entry(snapshot: CheckoutSnapshot):
    return timeline.entry(
        snapshot.profile_id,
        "checkout.started",
        snapshot.started_at,
        f"Started a checkout · {snapshot.quantity} item(s)",
        {"token": snapshot.token, "channel": snapshot.channel},
        f"checkout.started:{snapshot.token}",
    )


def mark_abandoned_checkouts(now: datetime, batch_size: int = 5000) -> int:
    """Flag open checkouts with a shopper and lines, untouched for the configured hours.

    Set-based: per batch one SELECT of ids, one UPDATE and one INSERT of timeline entries.
    """
    cutoff = now - timedelta(hours=get_settings().checkout_abandoned_after_hours)
    stale = CheckoutSnapshot.objects.filter(
        completed_at__isnull=True,
        abandoned_at__isnull=True,
        version__lt=cutoff,
        profile__isnull=False,
        quantity__gt=0,
    )
    marked = 0
    while True:
        with transaction.atomic():
            batch = list(
                stale.select_for_update(skip_locked=True).values(
                    "id", "token", "profile_id", "version", "total", "currency", "quantity"
                )[:batch_size]
            )
            if not batch:
                return marked
            CheckoutSnapshot.objects.filter(id__in=[row["id"] for row in batch]).update(abandoned_at=now)
            timeline.record(_abandoned_entry(row) for row in batch)
            marked += len(batch)


def _abandoned_entry(row: dict):
    total = timeline.money(row["total"], row["currency"])
    return timeline.entry(
        row["profile_id"],
        "checkout.abandoned",
        row["version"],
        f"Left a checkout · {row['quantity']} item(s), {total}",
        {"token": row["token"], "total": str(row["total"]), "currency": row["currency"]},
        f"checkout.abandoned:{row['token']}:{row['version'].isoformat()}",
    )
