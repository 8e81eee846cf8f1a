"""What the pipeline keeps about deliveries: which events were applied, and which failed for good."""

from django.db import connection, models
from django.utils import timezone


class ProcessedEvent(models.Model):
    """The receipt of an applied event, written in the same transaction as its effects."""

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=32)
    processed_at = models.DateTimeField()

    class Meta:
        db_table = "crm_processed_event"


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

    One portable statement (PostgreSQL and SQLite): a concurrent transaction inserting the same
    key makes this one wait for it, then skip the key, so two workers never both apply an event.
    """
    if not events:
        return set()
    table = ProcessedEvent._meta.db_table
    now = timezone.now()
    rows = ", ".join(["(%s, %s, %s)"] * len(events))
    params = [value for key, kind in events for value in (key, kind, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, kind, processed_at) VALUES {rows} ON CONFLICT (key) DO NOTHING RETURNING key",
            params,
        )
        return {row[0] for row in cursor.fetchall()}
