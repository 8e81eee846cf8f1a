"""The transactional outbox between the store's commit and the CRM's workers.

A hook writes its event (for checkouts and orders, a reference a worker builds it from) as a row in
the caller's transaction, so the event commits with the store's change or not at all, and survives a
web process dying before the publish or the broker being down.
Workers claim rows in batches with ``SELECT … FOR UPDATE SKIP LOCKED`` (several workers take disjoint
batches), apply them and delete them in one transaction, so a worker dying mid-batch leaves the rows
to the next drain, and the receipts make applying a row twice a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime

from django.db import connection, models, transaction
from django.db.models.functions import Now

from .events import Event, EventReference


class OutboxEvent(models.Model):
    """An event the store committed and no worker has applied yet (or one waiting for a retry)."""

    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(db_default=Now())  # later than now: waiting for a retry

    class Meta:
        db_table = "crm_event_outbox"


def keep(events: Iterable[Event | EventReference]) -> None:
    """Write ``events`` (built, or references a worker builds) in one INSERT. Inside the caller's
    transaction it runs behind a savepoint, so a failed insert leaves the store's transaction usable;
    outside one (most Saleor hooks run after Saleor's commit) the statement commits on its own: one
    round trip, no BEGIN/COMMIT."""
    payloads = [json.dumps(event.to_dict()) for event in events]
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    sql = f"INSERT INTO {table} (payload, attempts) VALUES {', '.join(['(%s, 0)'] * len(payloads))}"
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
        cursor.execute(sql, payloads)


def claim(limit: int) -> list[OutboxEvent]:
    """Lock up to ``limit`` due rows, oldest first, that no other transaction holds (call in a transaction)."""
    due = OutboxEvent.objects.filter(available_at__lte=Now()).order_by("pk")
    return list(due.select_for_update(skip_locked=True)[:limit])


def settle(done: list[int], retry: list[tuple[int, int, datetime]]) -> None:
    """Delete the applied (or dead-lettered) rows; put the failed ones back with ``(pk, attempts, due)``."""
    if done:
        OutboxEvent.objects.filter(pk__in=done).delete()  # one DELETE: nothing points at the rows
    for pk, attempts, due in retry:
        OutboxEvent.objects.filter(pk=pk).update(attempts=attempts, available_at=due)


def pending() -> int:
    return OutboxEvent.objects.count()
