"""What the pipeline keeps about deliveries: which events were applied, which failed for good, and
which accounts the store deleted (so a late event can't bring one back)."""

from datetime import datetime, timedelta

from django.db import connection, models
from django.utils import timezone


class ProcessedEvent(models.Model):
    """The receipt of an applied event, written in the same transaction as its effects."""

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=32)
    processed_at = models.DateTimeField(db_index=True)  # old receipts are pruned by age

    class Meta:
        db_table = "crm_processed_event"


class DeletedAccount(models.Model):
    """A store account that was deleted: kept for good (receipts are pruned), so that a late or
    replayed event about it never recreates a profile of a person who asked to be forgotten."""

    saleor_user_id = models.CharField(max_length=255, unique=True)
    deleted_at = models.DateTimeField()

    class Meta:
        db_table = "crm_deleted_account"


class DeadLetter(models.Model):
    """An event that kept failing after every retry: kept whole, so it can be replayed."""

    key = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(max_length=32)
    payload = models.JSONField()
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_dead_letter"
        ordering = ["-created_at"]


def claim(events: list[tuple[str, str]]) -> set[str]:
    """Record ``(key, kind)`` pairs as applied; return the keys that were not applied before.

    One statement: a concurrent transaction inserting the same key makes this one wait for it, then
    skip the key, so two workers never both apply an event. On PostgreSQL the keys travel as two
    arrays, so the statement's text is the same for any batch (nothing to build or parse per row).
    """
    if not events:
        return set()
    table = ProcessedEvent._meta.db_table
    now = timezone.now()
    if connection.vendor == "postgresql":
        keys, kinds = zip(*events, strict=True)
        rows, params = (
            "SELECT key, kind, %s FROM unnest(%s::text[], %s::text[]) AS e(key, kind)",
            [now, list(keys), list(kinds)],
        )
    else:
        rows = "VALUES " + ", ".join(["(%s, %s, %s)"] * len(events))
        params = [value for key, kind in events for value in (key, kind, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, kind, processed_at) {rows} ON CONFLICT (key) DO NOTHING RETURNING key", params
        )
        return {row[0] for row in cursor.fetchall()}


def remember_deleted(saleor_user_id: str) -> None:
    DeletedAccount.objects.get_or_create(saleor_user_id=saleor_user_id, defaults={"deleted_at": timezone.now()})


def prune_receipts(now: datetime, keep_days: int, batch: int = 10_000) -> int:
    """Drop receipts older than ``keep_days``, a batch per statement; returns how many went.

    A receipt only has to outlive every redelivery of its event (Celery retries, dead-letter
    replays, a backfill); past that, a late copy still changes nothing, because orders and checkouts
    apply by version, loyalty by ledger keys and the timeline by unique keys.
    """
    cutoff, pruned = now - timedelta(days=keep_days), 0
    while True:
        ids = list(ProcessedEvent.objects.filter(processed_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return pruned
        pruned += ProcessedEvent.objects.filter(pk__in=ids).delete()[0]
