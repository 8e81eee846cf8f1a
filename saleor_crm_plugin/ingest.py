"""Apply CRM events: exactly once per event key, in one transaction with the receipts.

Events are applied in the order given, set-wise in runs; a customer deletion ends a run and is
applied on its own (it removes personal data the run may hold in memory). Later
domains (loyalty, segments, ...) ``subscribe`` to run after each run, in the same transaction,
with the run's events and the profile each landed on, so they can work on the set at once.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable

from django.db import transaction

from .events import Event, EventKind
from .profiles.models import CustomerProfile
from .profiles.privacy import forget
from .profiles.runs import apply_run
from .receipts import claim

logger = logging.getLogger(__name__)

# Called with a run's events and, position by position, the profile each event landed on.
Subscriber = Callable[[list[Event], list[CustomerProfile | None]], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Let a domain react to every applied run of events (usable as a decorator)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def ingest(event: Event) -> bool:
    """Apply ``event`` unless its key was applied before; True when it was applied now."""
    with transaction.atomic():
        return _apply([event]) == 1


@dataclasses.dataclass
class BatchResult:
    applied: int = 0
    skipped: int = 0
    failed: list[tuple[Event, Exception]] = dataclasses.field(default_factory=list)


def ingest_many(events: Iterable[Event]) -> BatchResult:
    """Apply a batch in one transaction: the fast path for backfills and busy workers.

    When the batch fails, it is rolled back and replayed one event per transaction, so good
    events still land and each failure comes back to the caller with its error.
    """
    events = list(events)
    try:
        with transaction.atomic():
            applied = _apply(events)
        return BatchResult(applied=applied, skipped=len(events) - applied)
    except Exception:
        logger.warning("batch of %d events failed; applying one by one", len(events), exc_info=True)
    result = BatchResult()
    for event in events:
        try:
            if ingest(event):
                result.applied += 1
            else:
                result.skipped += 1
        except Exception as error:
            result.failed.append((event, error))
    return result


def _apply(events: list[Event]) -> int:
    fresh_keys = claim([(event.key, event.kind.value) for event in events])
    fresh: list[Event] = []
    for event in events:
        if event.key in fresh_keys:
            fresh_keys.discard(event.key)  # a key twice in one batch applies once
            fresh.append(event)
    run: list[Event] = []
    for event in fresh:
        if event.kind == EventKind.CUSTOMER_DELETED:
            _apply_run(run)
            run = []
            _notify([event], [forget(event.data)])
        else:
            run.append(event)
    _apply_run(run)
    return len(fresh)


def _apply_run(run: list[Event]) -> None:
    if run:
        _notify(run, apply_run(run))


def _notify(events: list[Event], profiles: list[CustomerProfile | None]) -> None:
    for subscriber in _subscribers:
        subscriber(events, profiles)
