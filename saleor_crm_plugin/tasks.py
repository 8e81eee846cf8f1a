"""Celery tasks of the CRM, all on the queue named by ``settings.queue`` (``crm``).

A hook writes its event to the outbox (``outbox.py``) in the store's transaction and, once that
commits, nudges a worker; ``drain_outbox`` applies the outbox in batches, building the events that
checkout and order hooks left as references from the store's objects a batch at a time. An event
that fails is retried with exponential backoff, and after the last retry kept as a ``DeadLetter``
that ``crm_replay_dead_letters`` can replay.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from celery import shared_task
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from . import outbox, ports
from .events import Event, EventReference, decode
from .ingest import ingest, ingest_many
from .ports import writer_access
from .profiles.checkouts import mark_abandoned_checkouts
from .receipts import DeadLetter, prune_receipts
from .settings import get_settings

logger = logging.getLogger(__name__)

PERIODIC_TASKS = {
    # The safety net under the nudges: a nudge lost with a broker outage, or one not sent because the
    # cache said another was pending, leaves events in the outbox for at most this long.
    "crm-drain-outbox": {
        "task": "saleor_crm_plugin.drain_outbox",
        "schedule": timedelta(seconds=5),
        "options": {"queue": "crm", "expires": 5},
    },
    "crm-mark-abandoned-checkouts": {
        "task": "saleor_crm_plugin.mark_abandoned_checkouts",
        "schedule": timedelta(minutes=15),
        "options": {"queue": "crm", "expires": 15 * 60},
    },
    # Domains add their periodic tasks here, one entry each (queue "crm", named "crm-<what>").
    "crm-automation-tick": {
        "task": "saleor_crm_plugin.automation.tick",
        "schedule": timedelta(minutes=1),
        "options": {"queue": "crm", "expires": 60},
    },
    "crm-analytics-refit-predictions": {
        "task": "saleor_crm_plugin.analytics.refit_predictions",
        "schedule": timedelta(days=1),
        "options": {"queue": "crm", "expires": 12 * 3600},
    },
    "crm-recommendations-rebuild": {
        "task": "saleor_crm_plugin.recommendations.rebuild",
        "schedule": timedelta(days=1),
        "options": {"queue": "crm", "expires": 12 * 3600},
    },
    "crm-segments-refresh": {
        "task": "saleor_crm_plugin.refresh_segments",
        "schedule": timedelta(hours=1),
        "options": {"queue": "crm", "expires": 3600},
    },
    "crm-loyalty-release-points": {
        "task": "saleor_crm_plugin.loyalty.release_points",
        "schedule": timedelta(minutes=30),
        "options": {"queue": "crm", "expires": 30 * 60},
    },
    "crm-loyalty-daily": {
        "task": "saleor_crm_plugin.loyalty.daily",
        "schedule": timedelta(days=1),
        "options": {"queue": "crm", "expires": 12 * 3600},
    },
    "crm-ticket-sla": {
        "task": "saleor_crm_plugin.ticket_sla",
        "schedule": timedelta(minutes=5),
        "options": {"queue": "crm", "expires": 5 * 60},
    },
    "crm-prune-receipts": {
        "task": "saleor_crm_plugin.prune_receipts",
        "schedule": timedelta(days=1),
        "options": {"queue": "crm", "expires": 12 * 3600},
    },
    "crm-analytics-refresh": {
        "task": "saleor_crm_plugin.analytics.refresh_store",
        "schedule": timedelta(minutes=15),
        "options": {"queue": "crm", "expires": 15 * 60},
    },
    "crm-ticket-autoclose": {
        "task": "saleor_crm_plugin.ticket_autoclose",
        "schedule": timedelta(hours=1),
        "options": {"queue": "crm", "expires": 60 * 60},
    },
}


DRAIN_BATCH = 500
# How long a sent nudge stands for "a drain is coming": nudges in between are not sent. The drain
# clears it as it starts, so this only matters when a nudge is lost (beat drains anyway).
NUDGE_SECONDS = 10


def deliver(event: Event | EventReference) -> None:
    """Hand an event (or a reference to build it from) to the pipeline from a hook, in the caller's
    transaction. Never raises.

    The event is kept in the outbox in that transaction; once it commits, a worker is nudged. With
    ``process_synchronously`` it is applied right after the commit instead.
    """
    settings = get_settings()
    if settings.process_synchronously:
        raw = event.to_dict()
        transaction.on_commit(lambda: apply_or_keep(raw, attempts=1), robust=True)
        return
    try:
        with writer_access():
            outbox.keep([event])
    except Exception as error:  # the database refused: keep the event rather than lose it
        logger.exception("CRM could not keep %s in the outbox", event.key)
        transaction.on_commit(lambda error=error: keep_dead_letter(event.to_dict(), error, attempts=0), robust=True)
        return
    transaction.on_commit(nudge, robust=True)


def nudge(limit: int | None = None, queue: str | None = None) -> None:
    """Ask a worker to drain the outbox, unless a nudge is already pending: one cache ``add`` per
    committed hook, and a publish only when no drain is on its way."""
    key = _nudge_key()
    try:
        if pending_drains().mark(key):
            _drain_soon(limit, queue)
    except Exception:
        logger.warning("CRM could not nudge a worker; the periodic drain will apply the outbox", exc_info=True)
        try:
            pending_drains().clear(key)
        except Exception:
            logger.debug("could not clear the nudge key", exc_info=True)


class PendingDrains:
    """Whether a drain is on its way (a key per database), in the default cache, so web processes and
    workers agree. One per process, shared by all request threads: Django's ``caches`` are per thread
    and an ASGI server runs each request in a new thread (a new Redis connection per hooked request),
    and Django's Redis cache builds a new client object for every call (~0.25 ms of the shopper's
    request); this keeps one client on the cache's connection pool."""

    def __init__(self) -> None:
        self.cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
        self.redis = self.cache._cache.get_client(write=True) if isinstance(self.cache, RedisCache) else None

    def mark(self, key: str) -> bool:
        """Mark a drain as on its way; False when one already was (nothing to send)."""
        if self.redis is None:
            return self.cache.add(key, 1, NUDGE_SECONDS)
        # What Django's RedisCache.add sends, without building a client for it.
        return bool(self.redis.set(self.cache.make_and_validate_key(key), 1, nx=True, ex=NUDGE_SECONDS))

    def clear(self, key: str) -> None:
        self.cache.delete(key)


@functools.cache
def pending_drains() -> PendingDrains:
    return PendingDrains()


@receiver(setting_changed)
def _forget_pending_drains(*, setting: str, **kwargs) -> None:
    if setting == "CACHES":  # tests that point the cache elsewhere (override_settings)
        pending_drains.cache_clear()


def _nudge_key() -> str:
    # One outbox per database: stores (or test databases) sharing a cache keep their own nudges.
    return f"crm:outbox-nudge:{connection.settings_dict['NAME']}"


@shared_task(bind=True, name="saleor_crm_plugin.drain_outbox", ignore_result=True)
def drain_outbox(self, limit: int | None = None) -> int:
    """Apply one batch of the outbox. A full batch nudges the next drain (on the queue this one came
    from) before it is applied, so an idle worker takes the following batch meanwhile."""
    pending_drains().clear(_nudge_key())  # events committed from now on nudge again
    queue = (self.request.delivery_info or {}).get("routing_key") or None

    def next_drain() -> None:
        nudge(limit, queue)

    # Run eagerly (tests) the next drain would run inside this transaction,
    # where this batch's locked rows are its own: it waits for the commit then.
    on_full = (lambda: transaction.on_commit(next_drain)) if self.request.is_eager else next_drain
    with writer_access():
        return drain(limit or DRAIN_BATCH, on_full=on_full, queue=queue)


def drain(limit: int = DRAIN_BATCH, on_full: Callable[[], None] | None = None, queue: str | None = None) -> int:
    """Claim up to ``limit`` outbox rows, apply them with ``ingest_many`` and settle them, in one
    transaction; returns how many rows were claimed.

    ``ingest_many`` applies the batch in a savepoint and, if it fails, one event per savepoint: a
    failing event is put back with a backoff (a dead letter after the last retry) and the rest land.
    """
    with transaction.atomic():
        rows = outbox.claim(limit)
        if len(rows) == limit and on_full is not None:
            on_full()
        done, retry = [], []
        applied = _events_of(rows, done)
        outcome = ingest_many([event for _, event in applied if isinstance(event, Event)])
        failed = {event.key: error for event, error in outcome.failed}
        now, max_retries = timezone.now(), get_settings().max_retries
        for row, event in applied:
            error = event if isinstance(event, Exception) else failed.get(event.key)
            if error is not None and row.attempts < max_retries:
                retry.append((row.pk, row.attempts + 1, now + timedelta(seconds=backoff_seconds(row.attempts))))
                continue
            if error is not None:
                keep_dead_letter(row.payload, error, attempts=row.attempts + 1)
            done.append(row.pk)
        outbox.settle(done, retry)
        if retry:  # wake a drain when the first retry is due (beat would, a little later)
            wait = min(backoff_seconds(attempts - 1) for _, attempts, _ in retry)
            transaction.on_commit(lambda: _drain_soon(None, queue, countdown=wait), robust=True)
        return len(rows)


def _events_of(rows: list[outbox.OutboxEvent], done: list[int]) -> list[tuple[outbox.OutboxEvent, Event | Exception]]:
    """Each row's event, decoded or built from the store (an ``Exception`` where building failed: it is
    retried). Rows with nothing to apply go to ``done``: a payload that doesn't decode (kept as a dead
    letter: retrying can't help it) and a reference to an object that is gone (a completed checkout)."""
    decoded = []
    for row in rows:
        try:
            decoded.append((row, decode(row.payload)))
        except Exception as error:
            keep_dead_letter(row.payload, error, attempts=row.attempts + 1)
            done.append(row.pk)
    built = build_events([item for _, item in decoded if isinstance(item, EventReference)])
    applied = []
    for row, item in decoded:
        event = built[item] if isinstance(item, EventReference) else item
        if event is None:
            done.append(row.pk)
        else:
            applied.append((row, event))
    return applied


def build_events(references: list[EventReference]) -> dict[EventReference, Event | Exception | None]:
    """Each reference's event, built from the store's objects as they are now; None where the object is
    gone. The batch is built at once, in a few queries; if that fails, one by one, so an object that
    can't be built waits for its retry alone."""
    unique = list(dict.fromkeys(references))
    if not unique:
        return {}
    try:
        with transaction.atomic():  # a savepoint: a failed read leaves the drain's transaction usable
            return dict(zip(unique, ports.event_rebuilder()(unique), strict=True))
    except Exception:
        logger.warning("CRM could not build a batch of %d events; building them one by one", len(unique), exc_info=True)
    outcome: dict[EventReference, Event | Exception | None] = {}
    for reference in unique:
        try:
            with transaction.atomic():
                [outcome[reference]] = ports.event_rebuilder()([reference])
        except Exception as error:
            outcome[reference] = error
    return outcome


def _drain_soon(limit: int | None, queue: str | None, countdown: int | None = None) -> None:
    """Publish a drain through the app's producer pool, asking for no result.

    Not ``apply_async``: it hands back an ``AsyncResult`` bound to the result backend, which Celery 5.5
    builds once per thread (entry points scanned, ~15 ms), i.e. on every request of a threaded server,
    even for a task whose result is ignored. Eager (tests) it runs here, as ``apply_async`` would.
    """
    app = drain_outbox.app
    options = {"args": [limit] if limit else [], "queue": queue or get_settings().queue, "countdown": countdown}
    if app.conf.task_always_eager:
        drain_outbox.apply_async(ignore_result=True, **options)
        return
    app.send_task(drain_outbox.name, ignore_result=True, result_cls=_Published, add_to_parent=False, **options)


class _Published:
    """What ``send_task`` hands back for a drain: its id, no result backend."""

    def __init__(self, task_id: str) -> None:
        self.id = task_id


@shared_task(bind=True, name="saleor_crm_plugin.ingest_event", acks_late=True, max_retries=None)
def ingest_event(self, raw: dict) -> bool:
    """One event per task: what hooks enqueued before the outbox (messages still on the broker after
    an upgrade); ``drain_outbox`` is the live path now."""
    try:
        with writer_access():
            return ingest(Event.from_dict(raw))
    except Exception as error:
        attempts = self.request.retries + 1
        if attempts > get_settings().max_retries:
            keep_dead_letter(raw, error, attempts)
            return False
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error


def apply_or_keep(raw: dict, attempts: int) -> bool:
    """Apply now; on failure keep the event as a dead letter instead of raising."""
    try:
        with writer_access():
            event = _event_of(raw)
            return event is not None and ingest(event)
    except Exception as error:
        keep_dead_letter(raw, error, attempts)
        return False


def backoff_seconds(retries: int) -> int:
    """2, 4, 8, ... seconds, capped at ten minutes."""
    return min(2 ** (retries + 1), 600)


def keep_unbuilt(reference: EventReference, error: Exception) -> DeadLetter:
    """A hook that couldn't turn a store object into an event: kept with the object's reference, so
    nothing is lost silently and a replay builds the event again from the store once the cause is fixed."""
    return keep_dead_letter(reference.to_dict(), error, attempts=0)


def _event_of(raw: dict) -> Event | None:
    """The event a kept payload stands for; None when it was a reference to an object that is gone."""
    item = decode(raw)
    if isinstance(item, EventReference):
        [item] = ports.event_rebuilder()([item])
    return item


def keep_dead_letter(raw: dict, error: Exception, attempts: int) -> DeadLetter:
    kind = str(raw.get("kind", "?"))
    try:
        key = decode(raw).key
    except Exception:
        key = f"undecodable:{kind}"
    logger.error("CRM event %s failed for good after %d attempts: %s", key, attempts, error)
    with writer_access():
        return DeadLetter.objects.create(
            key=key,
            kind=kind,
            payload=raw,
            attempts=attempts,
            error="".join(traceback.format_exception(error)).strip()[-10_000:],
        )


def replay_dead_letters(limit: int | None = None) -> tuple[int, int]:
    """Re-apply kept events (idempotent); returns (replayed, still failing)."""
    replayed = failing = 0
    letters = DeadLetter.objects.filter(replayed_at__isnull=True).order_by("created_at")
    for letter in letters[:limit] if limit else letters:
        try:
            event = _event_of(letter.payload)
            if event is not None:  # else the object is gone: nothing is left to apply
                ingest(event)
        except Exception as error:
            failing += 1
            letter.attempts += 1
            letter.error = "".join(traceback.format_exception(error)).strip()[-10_000:]
            letter.save(update_fields=["attempts", "error"])
            continue
        letter.replayed_at = timezone.now()
        letter.save(update_fields=["replayed_at"])
        replayed += 1
    return replayed, failing


@shared_task(name="saleor_crm_plugin.mark_abandoned_checkouts")
def mark_abandoned_checkouts_task() -> int:
    with writer_access():
        return mark_abandoned_checkouts(timezone.now())


@shared_task(name="saleor_crm_plugin.prune_receipts")
def prune_receipts_task() -> int:
    with writer_access():
        return prune_receipts(timezone.now(), get_settings().receipts_keep_days)


# Domain task modules, imported so Celery registers their tasks (Saleor autodiscovers only this module).
from .analytics import predictions_tasks  # noqa: E402, F401
from .analytics import store_tasks as analytics_store_tasks  # noqa: E402, F401
from .automation import tasks as automation_tasks  # noqa: E402, F401
from .loyalty import tasks as loyalty_tasks  # noqa: E402, F401
from .recommendations import tasks as recommendation_tasks  # noqa: E402, F401
from .segments import tasks as segment_tasks  # noqa: E402, F401
from .tickets import tasks as ticket_tasks  # noqa: E402, F401
