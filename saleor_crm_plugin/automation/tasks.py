"""Automation's Celery tasks (queue "crm"): the minute tick that moves flows on, and message sending."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone

from ..locks import single_flight
from ..ports import writer_access
from ..settings import get_settings
from .builtin import sync_builtin_flows
from .conversions import attribute_conversions
from .goals import end_enrollments
from .scheduling import dispatch_due, reap_interrupted, schedule_due_steps
from .sending import send_messages
from .timing import SendPolicy
from .triggers import enroll

# A batch handed to a sending task that is still 'scheduled' this long after is handed out again.
REDISPATCH_AFTER = timedelta(minutes=10)


def tick(now: datetime, send=None) -> dict[str, int]:
    """One pass of the automation: flows in sync, new triggers enrolled, goals applied, due steps
    scheduled, due messages handed to ``send`` (the Celery task by default), conversions linked."""
    settings = get_settings()
    send = send or _enqueue
    sync_builtin_flows(settings, now)
    reached, unsubscribed = end_enrollments(now)
    return {
        "enrolled": enroll(now, timedelta(hours=settings.automation_trigger_max_age_hours)),
        "goal_reached": reached,
        "unsubscribed": unsubscribed,
        "scheduled": schedule_due_steps(now, SendPolicy.from_settings(settings)),
        "interrupted": reap_interrupted(now, timedelta(minutes=settings.automation_sending_lease_minutes)),
        "dispatched": dispatch_due(now, send, settings.automation_send_batch, REDISPATCH_AFTER),
        "converted": attribute_conversions(now, timedelta(days=settings.automation_attribution_days)),
    }


def _enqueue(ids: list[int]) -> None:
    send_messages_task.apply_async(args=[ids], queue=get_settings().queue)


@shared_task(name="saleor_crm_plugin.automation.tick")
def automation_tick_task() -> dict[str, int]:
    """One tick at a time: a tick that overruns its minute makes the next one a no-op, not a twin."""
    with writer_access(), single_flight("automation-tick") as alone:
        return tick(timezone.now()) if alone else {"skipped": 1}


@shared_task(name="saleor_crm_plugin.automation.send_messages", acks_late=True)
def send_messages_task(ids: list[int]) -> dict[str, int]:
    """``acks_late``: a worker killed mid-batch leaves the task to be redelivered; claims make that safe."""
    with writer_access():
        return dict(send_messages(ids, timezone.now()))
