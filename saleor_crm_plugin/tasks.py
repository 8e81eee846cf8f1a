"""Celery tasks of the CRM, all on the queue named by ``settings.queue`` (``crm``).

A hook only enqueues; the task applies the event, retries with exponential backoff, and after
the last retry keeps the event as a ``DeadLetter`` that ``crm_replay_dead_letters`` can replay.
"""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import ports
from .events import Event
from .ingest import ingest
from .ports import writer_access
from .profiles.checkouts import mark_abandoned_checkouts
from .receipts import DeadLetter, prune_receipts
from .settings import get_settings

logger = logging.getLogger(__name__)

PERIODIC_TASKS = {
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
    "crm-ticket-autoclose": {
        "task": "saleor_crm_plugin.ticket_autoclose",
        "schedule": timedelta(hours=1),
        "options": {"queue": "crm", "expires": 60 * 60},
    },
}


def deliver(event: Event) -> None:
    """Hand an event to the pipeline: inline or on Celery, per the settings. Never raises."""
    settings = get_settings()
    try:
        if settings.process_synchronously:
            apply_or_keep(event.to_dict(), attempts=1)
        else:
            ingest_event.apply_async(args=[event.to_dict()], queue=settings.queue)
    except Exception as error:  # the broker is down: keep the event rather than lose it
        logger.exception("CRM could not deliver %s", event.key)
        keep_dead_letter(event.to_dict(), error, attempts=0)


@shared_task(bind=True, name="saleor_crm_plugin.ingest_event", acks_late=True, max_retries=None)
def ingest_event(self, raw: dict) -> bool:
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
            return ingest(Event.from_dict(raw))
    except Exception as error:
        keep_dead_letter(raw, error, attempts)
        return False


def backoff_seconds(retries: int) -> int:
    """2, 4, 8, ... seconds, capped at ten minutes."""
    return min(2 ** (retries + 1), 600)


def keep_unbuilt(kind: str, model: str, pk: object, error: Exception) -> DeadLetter:
    """A hook that couldn't turn a store object into an event: kept with the object's reference, so
    nothing is lost silently and a replay builds the event again from the store once the cause is fixed."""
    return keep_dead_letter({"kind": kind, "unbuilt": {"model": model, "pk": str(pk)}}, error, attempts=0)


def _event_of(raw: dict) -> Event:
    unbuilt = raw.get("unbuilt")
    if unbuilt:
        return ports.event_rebuilder()(raw["kind"], unbuilt["model"], unbuilt["pk"])
    return Event.from_dict(raw)


def keep_dead_letter(raw: dict, error: Exception, attempts: int) -> DeadLetter:
    kind = str(raw.get("kind", "?"))
    unbuilt = raw.get("unbuilt")
    try:
        key = f"unbuilt:{kind}:{unbuilt['model']}:{unbuilt['pk']}" if unbuilt else Event.from_dict(raw).key
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
            ingest(_event_of(letter.payload))
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
from .automation import tasks as automation_tasks  # noqa: E402, F401
from .loyalty import tasks as loyalty_tasks  # noqa: E402, F401
from .recommendations import tasks as recommendation_tasks  # noqa: E402, F401
from .segments import tasks as segment_tasks  # noqa: E402, F401
from .tickets import tasks as ticket_tasks  # noqa: E402, F401
