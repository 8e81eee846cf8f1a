"""Sending a batch of scheduled messages: at most once each, even when a worker dies mid-batch.

Before the mailer sees a message, one committed ``UPDATE … WHERE status = 'scheduled'`` claims it
('sending'). A retried or duplicated task finds it claimed and leaves it; a worker that dies between
the claim and the 'sent' mark leaves it 'sending', and the scheduler later marks it failed rather
than risk a second copy in the customer's inbox. The mail server refusing (``OSError``) is known
not to have sent it, so the message goes back to 'scheduled' with a backoff.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q

from .. import ports
from ..profiles import timeline
from ..settings import CRMSettings, get_settings
from . import registry
from .goals import unsubscribed, with_goals
from .models import Message, MessageStatus
from .rendering import Rendered, render_batch
from .timing import SendPolicy

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Advisory lock namespace of the per-customer frequency-cap check (the second key is the profile id).
CAP_LOCK = 7301


def send_messages(ids: list[int], now: datetime) -> Counter:
    """Send what is still scheduled among ``ids``; a count of outcomes (sent, skipped reasons, ...)."""
    settings = get_settings()
    policy = SendPolicy.from_settings(settings)
    messages = list(
        Message.objects.filter(pk__in=ids, status=MessageStatus.SCHEDULED, send_at__lte=now)
        .select_related("flow", "step", "profile", "enrollment")
        .order_by("pk")
    )
    outcome: Counter = Counter()
    if not messages:
        return outcome
    if policy.is_quiet(now):
        later = policy.after_quiet(now)
        outcome["postponed"] = Message.objects.filter(
            pk__in=[m.pk for m in messages], status=MessageStatus.SCHEDULED
        ).update(send_at=later, dispatched_at=None)
        return outcome
    skips = _skip_reasons(messages, settings, policy, now)
    for reason, skipped in _group(skips).items():
        outcome[reason] += Message.objects.filter(pk__in=skipped, status=MessageStatus.SCHEDULED).update(
            status=MessageStatus.SKIPPED, reason=reason
        )
    sendable = [m for m in messages if m.pk not in skips]
    sent: list[tuple[Message, Rendered]] = []  # mailed, to be marked in the transaction of the next claim
    for message, rendered in zip(sendable, _render(sendable), strict=True):
        result = _send_one(message, rendered, sent, policy, now)
        outcome[result] += 1
    with transaction.atomic():
        _mark_sent(sent, now)
    return outcome


def _render(messages: list[Message]) -> list[Rendered | Exception]:
    rendered = render_batch(messages)
    return [rendered[m.pk] for m in messages]


def _skip_reasons(messages: list[Message], settings: CRMSettings, policy: SendPolicy, now: datetime) -> dict[int, str]:
    """Why each message that must not go out doesn't: one query per rule for the whole batch."""
    ids = [m.pk for m in messages]
    in_batch = Message.objects.filter(pk__in=ids)
    gone = set(in_batch.filter(unsubscribed()).values_list("pk", flat=True))
    reached = set(with_goals(in_batch, "enrollment__").values_list("pk", flat=True))
    reasons: dict[int, str] = {}
    for message in messages:
        profile, flow = message.profile, message.flow
        needs_consent = not flow.transactional or settings.automation_reminders_need_consent
        if message.pk in gone:
            reasons[message.pk] = "unsubscribed"
        elif message.pk in reached:
            reasons[message.pk] = "goal_reached"
        elif not flow.is_active or message.step is None:
            reasons[message.pk] = "flow_paused"
        elif not profile.email or profile.anonymised_at is not None:
            reasons[message.pk] = "no_email"
        elif needs_consent and profile.marketing_consent is not True:
            reasons[message.pk] = "no_consent"
    reasons.update(_over_cap([m for m in messages if m.pk not in reasons], policy, now))
    return reasons


def _over_cap(messages: list[Message], policy: SendPolicy, now: datetime) -> dict[int, str]:
    """Marketing messages beyond the cap per customer per window (transactional ones don't count against it)."""
    if policy.cap is None:
        return {}
    limit, window = policy.cap
    marketing = [m for m in messages if not m.flow.transactional]
    sent = Counter(
        dict(
            _counted_against_cap({m.profile_id for m in marketing}, now - window)
            .values("profile_id")
            .annotate(n=Count("pk"))
            .values_list("profile_id", "n")
        )
    )
    over = {}
    for message in marketing:
        if sent[message.profile_id] >= limit:
            over[message.pk] = "frequency_cap"
        else:
            sent[message.profile_id] += 1
    return over


def _counted_against_cap(profile_ids, since: datetime):
    """Marketing messages sent since ``since``, or being sent now by some worker."""
    return Message.objects.filter(profile_id__in=profile_ids, flow__transactional=False).filter(
        Q(status=MessageStatus.SENT, sent_at__gte=since) | Q(status=MessageStatus.SENDING, claimed_at__gte=since)
    )


def _still_under_cap(message: Message, policy: SendPolicy, now: datetime) -> bool:
    """Inside the claim's transaction: the cap again, under a per-customer lock, so two workers
    sending to one customer at once can't both pass the batch-level check."""
    if policy.cap is None or message.flow.transactional or connection.vendor != "postgresql":
        return True
    limit, window = policy.cap
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CAP_LOCK, message.profile_id])
    return _counted_against_cap([message.profile_id], now - window).exclude(pk=message.pk).count() < limit


def _group(reasons: dict[int, str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for pk, reason in reasons.items():
        grouped.setdefault(reason, []).append(pk)
    return grouped


def _send_one(message: Message, rendered: Rendered | Exception, sent: list, policy: SendPolicy, now: datetime) -> str:
    """Claim, mail, and queue the 'sent' mark. The previous message's mark commits with this claim:
    one commit per message, and a message is never mailed before its claim is committed."""
    if isinstance(rendered, Exception):
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, reason=f"render: {rendered}"[:255])
        return "failed"
    with transaction.atomic():
        _mark_sent(sent, now)
        if not _still_under_cap(message, policy, now):
            Message.objects.filter(pk=message.pk, status=MessageStatus.SCHEDULED).update(
                status=MessageStatus.SKIPPED, reason="frequency_cap"
            )
            return "frequency_cap"
        claimed = Message.objects.filter(pk=message.pk, status=MessageStatus.SCHEDULED).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=message.attempts + 1
        )
    if not claimed:  # another worker has it
        return "claimed_elsewhere"
    try:
        ports.mailer().send(
            to=message.profile.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html or None,
            channel=message.channel or None,
            headers=rendered.headers,
        )
    except OSError as error:
        return _refused(message, error, now)
    except Exception as error:  # the mailer rejected this message itself (an address, a header): not sent
        logger.exception("message %s could not be mailed", message.pk)
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, reason=f"mailer: {error}"[:255])
        return "failed"
    sent.append((message, rendered))
    return "sent"


def _mark_sent(sent: list[tuple[Message, Rendered]], now: datetime) -> None:
    """Record mailed messages as sent, with their timeline entry and incentive; empties ``sent``."""
    for message, rendered in sent:
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENT,
            sent_at=now,
            email=message.profile.email,
            subject=rendered.subject,
            language=rendered.language,
        )
        if message.step.incentive_points:
            registry.give_incentive(message.profile_id, message.step.incentive_points, message.pk, now)
    timeline.record(_sent_entry(message, rendered.subject, now) for message, rendered in sent)
    sent.clear()


def _refused(message: Message, error: OSError, now: datetime) -> str:
    """The mail server said no: nothing left, so it may be tried again later, a few times."""
    attempts = message.attempts + 1
    logger.warning("message %s refused by the mail server (attempt %d): %s", message.pk, attempts, error)
    if attempts >= MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, reason=f"refused: {error}"[:255])
        return "failed"
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SCHEDULED, send_at=now + timedelta(minutes=2**attempts), dispatched_at=None
    )
    return "retry"


def _sent_entry(message: Message, subject: str, now: datetime):
    return timeline.entry(
        message.profile_id,
        "message.sent",
        now,
        f"Sent “{subject}” ({message.flow.name})",
        {"message_id": message.pk, "flow_id": message.flow_id, "flow": message.flow.slug},
        f"message.sent:{message.pk}",
    )
