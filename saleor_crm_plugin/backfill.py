"""Import the store's existing customers and orders through the same ingest path as live events.

Batched and resumable: a checkpoint per subject is saved after every committed batch, so an
interrupted run continues where it stopped, and a rerun changes nothing (events are idempotent).
"""

from __future__ import annotations

import dataclasses
import time
from typing import TextIO

from django.db import models
from django.utils import timezone
from tqdm import tqdm

from .ingest import ingest_many
from .ports import BackfillSource
from .tasks import keep_dead_letter

SUBJECTS = ("customers", "orders")


class BackfillCheckpoint(models.Model):
    subject = models.CharField(max_length=32, unique=True)
    cursor = models.CharField(max_length=128, null=True, blank=True)
    processed = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_backfill_checkpoint"


@dataclasses.dataclass
class BackfillSummary:
    scanned: dict[str, int] = dataclasses.field(default_factory=dict)
    applied: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0


def run_backfill(
    source: BackfillSource,
    batch_size: int = 500,
    restart: bool = False,
    progress_to: TextIO | None = None,
) -> BackfillSummary:
    summary = BackfillSummary()
    started = time.perf_counter()
    for subject in SUBJECTS:
        checkpoint, _ = BackfillCheckpoint.objects.get_or_create(subject=subject)
        if restart:
            checkpoint.cursor, checkpoint.processed, checkpoint.finished_at = None, 0, None
        if checkpoint.finished_at is not None:
            summary.scanned[subject] = 0
            continue
        checkpoint.started_at = checkpoint.started_at or timezone.now()
        checkpoint.save()
        scanned = 0
        with tqdm(
            total=source.count(subject),
            initial=checkpoint.processed,
            desc=subject,
            unit=subject[:-1],
            file=progress_to,
            disable=progress_to is None,
            mininterval=0.5,
        ) as bar:
            for cursor, events in source.batches(subject, checkpoint.cursor, batch_size):
                result = ingest_many(events)
                for event, error in result.failed:
                    keep_dead_letter(event.to_dict(), error, attempts=1)
                summary.applied += result.applied
                summary.skipped += result.skipped
                summary.failed += len(result.failed)
                batch_objects = len({event.object_id for event in events})
                scanned += batch_objects
                checkpoint.cursor, checkpoint.processed = cursor, checkpoint.processed + batch_objects
                checkpoint.save(update_fields=["cursor", "processed"])
                bar.update(batch_objects)
        checkpoint.finished_at = timezone.now()
        checkpoint.save(update_fields=["finished_at"])
        summary.scanned[subject] = scanned
    summary.seconds = time.perf_counter() - started
    return summary
