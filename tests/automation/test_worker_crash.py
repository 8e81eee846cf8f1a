"""Never sent twice, for real: a Celery worker is killed (SIGKILL) in the middle of a sending batch,
a new one takes over, batches are handed out again and delivered twice; every customer's mailbox
still holds each reminder at most once, and every reminder but the one in flight at the kill is sent."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.utils import timezone

from saleor_crm_plugin.automation.models import Message, MessageStatus
from saleor_crm_plugin.automation.tasks import send_messages_task, tick
from saleor_crm_plugin.events import Checkout, Event, EventKind
from saleor_crm_plugin.ingest import ingest_many
from saleor_crm_plugin.profiles.checkouts import mark_abandoned_checkouts
from saleor_crm_plugin.sandbox.celery import app as celery_app

from ..factories import customer_event, line
from ..workers import running_worker, start_worker, stop, worker_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHOPPERS = 1200
BATCH = 300


def mailbox_ids(directory) -> Counter:
    """How many copies of each message (by its X-CRM-Message header) the mailbox holds."""
    return Counter(message_from_bytes(path.read_bytes())["X-CRM-Message"] for path in directory.glob("*.eml"))


def test_a_worker_killed_mid_batch_sends_nothing_twice(tmp_path, crm_settings):
    mailbox = tmp_path / "mailbox"
    crm_settings(automation_abandoned_checkout=True, automation_abandoned_checkout_waits="0h",
                 automation_quiet_hours="", automation_send_batch=BATCH, queue=worker_queue())  # fmt: skip
    now = timezone.now()
    touched = now - timedelta(hours=5)
    events = []
    for n in range(SHOPPERS):
        events.append(
            customer_event(pk=100 + n, email=f"s{n}@example.com", marketing_consent=True, date_joined=touched)
        )
        events.append(Event(EventKind.CHECKOUT_CREATED, Checkout(
            token=f"cart-{n}", channel="default-channel", currency="USD", total=line().unit_price,
            updated_at=touched, email=f"s{n}@example.com", lines=(line(),))))  # fmt: skip
    assert not ingest_many(events).failed
    mark_abandoned_checkouts(now)

    env = {"CRM_DEMO_FLOWS": "1", "CRM_MAILBOX_DIR": str(mailbox)}
    with running_worker(tmp_path / "worker-1.log", **env) as first:
        celery_app.conf.task_always_eager = False
        handed: list[list[int]] = []

        def enqueue(ids: list[int]) -> None:
            handed.append(ids)
            send_messages_task.apply_async(args=[ids], queue=worker_queue())

        tick(now, send=enqueue)
        assert len(handed) == SHOPPERS // BATCH
        first.wait_for(lambda: len(list(mailbox.glob("*.eml"))) >= BATCH // 2, 120, "half a batch in the mailbox")
        os.kill(first.process.pid, signal.SIGKILL)  # mid-batch: no warm shutdown, no ack
        first.process.wait()
        at_kill = Counter(Message.objects.values_list("status", flat=True))
        assert 0 < at_kill[MessageStatus.SENT] < SHOPPERS and at_kill[MessageStatus.SENDING] <= 1

        second = start_worker(tmp_path / "worker-2.log", **env)
        try:
            for ids in handed:  # the broker redelivers what the dead worker held: every batch again
                send_messages_task.apply_async(args=[ids], queue=worker_queue())
            tick(now + timedelta(minutes=11), send=enqueue)  # lost batches are handed out again too
            settled = Message.objects.exclude(status__in=[MessageStatus.SCHEDULED, MessageStatus.SENDING])
            second.wait_for(lambda: settled.count() >= SHOPPERS - 1, 180, "every message but the one in flight")
            tick(now + timedelta(minutes=30), send=enqueue)  # the one in flight is reaped, never resent
            second.wait_for(lambda: settled.count() == SHOPPERS, 60, "the interrupted message to be reaped")
        finally:
            stop(second)

    copies = mailbox_ids(mailbox)
    statuses = Counter(Message.objects.values_list("status", flat=True))
    assert max(copies.values()) == 1, "a message reached a mailbox twice"
    assert statuses[MessageStatus.SENT] >= SHOPPERS - 1
    assert statuses[MessageStatus.SENT] + statuses[MessageStatus.FAILED] == SHOPPERS
    sent_ids = {str(pk) for pk in Message.objects.filter(status=MessageStatus.SENT).values_list("pk", flat=True)}
    assert sent_ids <= set(copies)  # everything marked sent is in the mailbox
    interrupted = Message.objects.filter(status=MessageStatus.FAILED)
    assert all(m.reason == "interrupted: delivery unknown" for m in interrupted)
