"""The outbox with real Celery workers on Redis: a web process dying between its commit and the nudge,
a broker outage, and two workers draining one outbox at the same time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.db import connection

from benchmarks.live_path import end_state
from saleor_crm_plugin.ingest import ingest_many
from saleor_crm_plugin.outbox import OutboxEvent, keep
from saleor_crm_plugin.receipts import DeadLetter, ProcessedEvent
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.sandbox.generator import StoreGenerator
from saleor_crm_plugin.sandbox.users import create_users
from saleor_crm_plugin.segments.builtin import ensure_builtin_segments
from saleor_crm_plugin.segments.membership import evaluate_segment
from saleor_crm_plugin.segments.models import Segment
from saleor_crm_plugin.tasks import deliver, drain_outbox

from .factories import order_event, reset_crm
from .workers import BROKER_URL, running_worker, start_worker, stop, use_broker, worker_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# A web process: commits a hook's event, then dies before its on_commit nudge can run.
DYING_WEB_PROCESS = """
import json, os, sys
import django
django.setup()
from django.db import transaction
from saleor_crm_plugin.events import Event
from saleor_crm_plugin.tasks import deliver
with transaction.atomic():
    transaction.on_commit(lambda: os._exit(9))  # registered first: runs before the nudge
    deliver(Event.from_dict(json.loads(sys.argv[1])))
"""


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    with running_worker(tmp_path_factory.mktemp("outbox-worker") / "worker.log") as started:
        yield started


@pytest.fixture
def on_broker(worker, crm_settings):
    crm_settings(process_synchronously=False, queue=worker_queue())
    celery_app.conf.task_always_eager = False
    return worker


def applied(*events) -> set[str]:
    return set(ProcessedEvent.objects.filter(key__in=[event.key for event in events]).values_list("key", flat=True))


def test_an_event_survives_the_web_process_dying_between_commit_and_nudge(on_broker):
    placed = order_event()
    database = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    web = subprocess.run(
        [sys.executable, "-c", DYING_WEB_PROCESS, json.dumps(placed.to_dict())],
        env={**os.environ, "DATABASE_URL": database, "CELERY_BROKER_URL": BROKER_URL, "CRM_SYNC": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert web.returncode == 9, web.stderr
    assert OutboxEvent.objects.count() == 1  # committed with the store's change, never published
    assert not applied(placed)

    # Beat's periodic drain (every few seconds in a store) finds it.
    drain_outbox.apply_async(queue=worker_queue())
    on_broker.wait_for(lambda: applied(placed), 30, "the event kept by the dead process")
    deliver(order_event())  # a redelivery of the same fact, nudged this time
    on_broker.wait_for(lambda: not OutboxEvent.objects.exists(), 30, "the redelivery drained")
    assert ProcessedEvent.objects.count() == 1
    assert not DeadLetter.objects.exists()


def test_events_kept_while_the_broker_is_down_are_applied_once_it_is_back(on_broker):
    during = [order_event(order_id=f"Order:{n}") for n in range(3)]
    use_broker("redis://127.0.0.1:1/9")  # nothing listens there: every publish fails
    try:
        for event in during:
            deliver(event)  # the hook returns; nothing raises into the store's request
    finally:
        use_broker(BROKER_URL)
    assert OutboxEvent.objects.count() == 3
    assert not DeadLetter.objects.exists()  # nothing to replay by hand

    after = order_event(order_id="Order:9")
    deliver(after)  # the broker is back: this nudge drains everything kept meanwhile
    on_broker.wait_for(lambda: len(applied(*during, after)) == 4, 30, "the kept events")
    assert not OutboxEvent.objects.exists()
    assert not DeadLetter.objects.exists()


def live_segments() -> None:
    ensure_builtin_segments()
    Segment.objects.create(slug="big-spenders", name="Big spenders", query='spent("USD") > 300')
    for segment in Segment.objects.all():
        evaluate_segment(segment)


def test_two_workers_draining_at_once_double_nothing_and_skip_nothing(on_broker, tmp_path):
    store = StoreGenerator(customers=80, seed=3)
    create_users(store)
    events = list(store.live_events())
    live_segments()
    assert not ingest_many(events).failed
    expected = end_state()

    reset_crm()
    Segment.objects.all().delete()
    live_segments()
    keep(events + events[::7])  # every seventh event delivered twice
    second = start_worker(tmp_path / "second.log")
    try:
        for _ in range(2):  # two drains of small batches; each full batch asks for the next one
            drain_outbox.apply_async(args=[40], queue=worker_queue())
        on_broker.wait_for(lambda: not OutboxEvent.objects.exists(), 240, "the outbox drained")
    finally:
        stop(second)
    assert not DeadLetter.objects.exists()
    assert ProcessedEvent.objects.count() == len({event.key for event in events})
    assert end_state() == expected
