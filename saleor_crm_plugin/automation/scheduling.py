"""Turning due flow steps into scheduled messages, and handing due messages to the sending task.

A step becomes a ``Message`` row in the same transaction that moves its enrollment on, and the
(enrollment, position) pair is unique: a crash or a second scheduler before or after that commit
can't make a step twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from tqdm import tqdm

from ..bulk import update_rows
from ..profiles.models import CheckoutSnapshot
from .models import Enrollment, EnrollmentStatus, FlowStep, Message, MessageStatus
from .timing import SendPolicy, best_hours, store_best_hour

ADVANCE_FIELDS = ["status", "next_position", "next_at", "ended_at"]


def schedule_due_steps(now: datetime, policy: SendPolicy, batch: int = 5000, progress: bool = False) -> int:
    """Make a message for every enrollment whose next step is due; the number of messages made."""
    made = 0
    due = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, next_at__lte=now)
    total = due.count() if progress else 0
    fallback_hour = store_best_hour(policy.zone, now)
    with tqdm(total=total, unit="step", desc="schedule", disable=not progress) as bar:
        while True:
            with transaction.atomic():
                enrollments = list(due.select_for_update(skip_locked=True).order_by("next_at", "pk")[:batch])
                if not enrollments:
                    return made
                made += _schedule(enrollments, now, policy, fallback_hour)
            bar.update(len(enrollments))


def _schedule(enrollments: list[Enrollment], now: datetime, policy: SendPolicy, fallback_hour: int | None) -> int:
    steps = _steps_by_flow({e.flow_id for e in enrollments})
    hours = best_hours([e.profile_id for e in enrollments], policy.zone)
    channels = _channels(enrollments)
    messages = []
    for enrollment in enrollments:
        flow_steps = steps.get(enrollment.flow_id, {})
        step = flow_steps.get(enrollment.next_position)
        if step is not None:
            best = hours.get(enrollment.profile_id, fallback_hour)
            messages.append(
                Message(
                    enrollment=enrollment,
                    flow_id=enrollment.flow_id,
                    step=step,
                    position=step.position,
                    profile_id=enrollment.profile_id,
                    send_at=max(policy.send_time(enrollment.next_at, step.send_window_hours, best), now),
                    channel=channels.get(enrollment.pk, ""),
                )
            )
        _advance(enrollment, flow_steps, now)
    Message.objects.bulk_create(messages, ignore_conflicts=True, batch_size=2000)
    update_rows(enrollments, ADVANCE_FIELDS)
    return len(messages)


def _advance(enrollment: Enrollment, steps: dict[int, FlowStep], now: datetime) -> None:
    following = steps.get(enrollment.next_position + 1)
    if following is None:
        enrollment.status, enrollment.next_at, enrollment.ended_at = EnrollmentStatus.COMPLETED, None, now
    else:
        enrollment.next_at += timedelta(minutes=following.wait_minutes)
    enrollment.next_position += 1


def _steps_by_flow(flow_ids: set[int]) -> dict[int, dict[int, FlowStep]]:
    steps: dict[int, dict[int, FlowStep]] = {}
    for step in FlowStep.objects.filter(flow_id__in=flow_ids):
        steps.setdefault(step.flow_id, {})[step.position] = step
    return steps


def _channels(enrollments: list[Enrollment]) -> dict[int, str]:
    """The channel a message speaks for: the trigger's (order, checkout), else the checkout's by token."""
    channels = {e.pk: e.context["channel"] for e in enrollments if e.context.get("channel")}
    tokens = {e.pk: e.context["token"] for e in enrollments if e.pk not in channels and e.context.get("token")}
    if tokens:
        by_token = dict(CheckoutSnapshot.objects.filter(token__in=tokens.values()).values_list("token", "channel"))
        channels.update({pk: by_token.get(token, "") for pk, token in tokens.items()})
    return channels


def dispatch_due(now: datetime, send: Callable[[list[int]], None], batch: int, redispatch_after: timedelta) -> int:
    """Hand due messages to ``send`` in batches of ids; a message handed out earlier and still
    scheduled after ``redispatch_after`` (its task was lost) is handed out again: sending claims each
    message, so a second hand-out can't send it twice."""
    due = Message.objects.filter(status=MessageStatus.SCHEDULED, send_at__lte=now).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - redispatch_after)
    )
    handed = 0
    while ids := list(due.order_by("send_at", "pk").values_list("pk", flat=True)[:10_000]):
        Message.objects.filter(pk__in=ids).update(dispatched_at=now)
        for start in range(0, len(ids), batch):
            send(ids[start : start + batch])
        handed += len(ids)
    return handed


def reap_interrupted(now: datetime, lease: timedelta) -> int:
    """Messages a worker claimed and never finished (it died mid-send): failed, never sent again,
    since the mail may have left before the crash."""
    return Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=now - lease).update(
        status=MessageStatus.FAILED, reason="interrupted: delivery unknown"
    )
