"""Conversions: an order placed within the attribution window after a message was sent counts for
that message: the most recently clicked one, else the most recently sent (last touch).

Each order converts at most one message, and a message converts once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, Subquery

from ..bulk import update_rows
from ..profiles import timeline
from ..profiles.models import OrderSnapshot
from .models import Message, MessageStatus

CONVERSION_FIELDS = ["converted_at", "order_id", "revenue", "currency"]


def attribute_conversions(now: datetime, window: timedelta) -> int:
    """Link new orders to the message they convert (one statement to find, one to write; the tick
    runs single-flight, so nobody converts them in between); the number of messages converted."""
    orders = (
        OrderSnapshot.objects.filter(placed_at__gte=now - window, cancelled_at__isnull=True)
        .exclude(Exists(Message.objects.filter(order_id=OuterRef("saleor_order_id"))))
        .annotate(
            _message=Subquery(
                Message.objects.filter(
                    profile_id=OuterRef("profile_id"),
                    status=MessageStatus.SENT,
                    converted_at__isnull=True,
                    sent_at__lt=OuterRef("placed_at"),
                )
                .filter(
                    Q(sent_at__gte=OuterRef("placed_at") - window) | Q(clicked_at__gte=OuterRef("placed_at") - window)
                )
                .order_by(F("clicked_at").desc(nulls_last=True), "-sent_at", "-pk")
                .values("pk")[:1]
            )
        )
        .filter(_message__isnull=False)
        .order_by("placed_at", "pk")
        .values("_message", "saleor_order_id", "number", "placed_at", "total", "currency", "profile_id")
    )
    first: dict[int, dict] = {}  # a message converts once: its earliest order
    for row in orders:
        first.setdefault(row["_message"], row)
    update_rows(
        [
            Message(
                pk=pk,
                converted_at=row["placed_at"],
                order_id=row["saleor_order_id"],
                revenue=row["total"],
                currency=row["currency"],
            )
            for pk, row in first.items()
        ],
        CONVERSION_FIELDS,
    )
    timeline.record(_converted_entry(row) for row in first.values())
    return len(first)


def _converted_entry(row: dict):
    money = timeline.money(row["total"], row["currency"])
    return timeline.entry(
        row["profile_id"],
        "message.converted",
        row["placed_at"],
        f"Order #{row['number']} ({money}) came from a message",
        {"message_id": row["_message"], "order_id": row["saleor_order_id"]},
        f"message.converted:{row['_message']}",
    )
