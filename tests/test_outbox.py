"""The outbox in one process: kept with the store's transaction, nudged once, drained in batches with
per-event failure isolation, retries and dead letters. Celery is eager here; tests/test_outbox_workers.py
runs real workers."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from saleor_crm_plugin import ports, tasks
from saleor_crm_plugin.events import Event, EventKind, EventReference
from saleor_crm_plugin.ingest import ingest_many
from saleor_crm_plugin.outbox import OutboxEvent, keep
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.receipts import DeadLetter, ProcessedEvent
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.sandbox.generator import StoreGenerator
from saleor_crm_plugin.sandbox.users import create_users
from saleor_crm_plugin.segments.builtin import ensure_builtin_segments
from saleor_crm_plugin.segments.membership import evaluate_segment
from saleor_crm_plugin.segments.models import Segment, SegmentMembership
from saleor_crm_plugin.tasks import deliver, drain, replay_dead_letters

from .factories import crm_dump, customer_event, later, order_event, reset_crm
from .workers import use_broker

pytestmark = pytest.mark.django_db(transaction=True)
REDIS_DB = "redis://127.0.0.1:6379/14"  # a database of its own, cleared by the test that uses it


@pytest.fixture(autouse=True)
def on_outbox(crm_settings):
    crm_settings(process_synchronously=False)
    cache.clear()  # no nudge left "pending" by an earlier test


@pytest.fixture
def publishes(monkeypatch):
    """Drains published to the broker (recorded, not run)."""
    sent = []
    monkeypatch.setattr(tasks.drain_outbox, "apply_async", lambda *args, **options: sent.append(options))
    return sent


def test_an_event_is_kept_with_the_stores_change_or_not_at_all():
    placed = order_event()
    with pytest.raises(RuntimeError), transaction.atomic():
        deliver(placed)
        raise RuntimeError("the store's transaction fails after the hook")
    assert not OutboxEvent.objects.exists()

    with transaction.atomic():
        deliver(placed)
        assert OutboxEvent.objects.count() == 1
        assert not ProcessedEvent.objects.exists()  # nothing leaves before the commit
    # Committed: the nudge ran a drain (eagerly here).
    assert list(ProcessedEvent.objects.values_list("key", flat=True)) == [placed.key]
    assert not OutboxEvent.objects.exists()
    assert CustomerProfile.objects.get(email="ada@example.com").orders_count == 1


def test_a_failed_insert_leaves_the_stores_transaction_usable(monkeypatch):
    monkeypatch.setattr(OutboxEvent._meta, "db_table", "crm_no_such_table")
    placed = order_event()
    with transaction.atomic():
        deliver(placed)
        with connection.cursor() as cursor:  # the store goes on in its transaction
            cursor.execute("SELECT 1")
    monkeypatch.undo()
    letter = DeadLetter.objects.get()  # kept once the store committed, for crm_replay_dead_letters
    assert (letter.key, letter.attempts) == (placed.key, 0)
    assert replay_dead_letters() == (1, 0)
    assert ProcessedEvent.objects.filter(key=placed.key).exists()


def test_nudges_are_deduplicated_until_a_drain_starts(publishes):
    for number in range(3):
        deliver(order_event(order_id=f"Order:{number}"))
    assert len(publishes) == 1  # one drain on its way is enough
    assert OutboxEvent.objects.count() == 3

    tasks.drain_outbox.apply()  # the worker takes it: later events nudge again
    deliver(order_event(order_id="Order:9"))
    assert len(publishes) == 2
    assert ProcessedEvent.objects.count() == 3


def test_nudges_are_deduplicated_in_redis_by_one_client_per_process(settings, monkeypatch, publishes):
    """Web processes and workers share the pending-drain key in Redis; the shopper's request reuses one client."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_DB}}
    shared = caches.create_connection("default")  # another process's view of the same cache
    shared.clear()
    built = []
    get_client = RedisCacheClient.get_client
    monkeypatch.setattr(RedisCacheClient, "get_client", lambda *args, **kw: built.append(1) or get_client(*args, **kw))

    for number in range(3):
        deliver(order_event(order_id=f"Order:{number}"))
    assert len(publishes) == 1
    assert len(built) == 1  # one client for the process, not one per nudge
    assert shared.get(tasks._nudge_key()) == 1  # the key Django's cache.add would have set

    tasks.drain_outbox.apply()  # clears the key: the next hook publishes again
    deliver(order_event(order_id="Order:9"))
    assert len(publishes) == 2
    shared.clear()


@pytest.fixture
def memory_broker(monkeypatch):
    """Celery publishing for real (not eagerly) to an in-process broker."""
    old = celery_app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", old)  # use_broker sets it; monkeypatch puts it back
    celery_app.conf.task_always_eager = False
    use_broker("memory://")
    yield
    use_broker(old)
    celery_app.conf.task_always_eager = True


def test_a_request_thread_publishes_its_drain_without_building_a_result_backend(memory_broker, monkeypatch):
    """Celery builds the result backend once per thread, and an ASGI server runs each request in a new one."""
    monkeypatch.setattr(type(celery_app), "_get_backend", lambda app: pytest.fail("a result backend was built"))
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(tasks._drain_soon(None, None)))
    thread.start()
    thread.join()
    assert outcome == [None]
    with celery_app.connection_for_write() as broker:
        message = broker.SimpleQueue("crm").get(timeout=1)
    assert message.headers["task"] == "saleor_crm_plugin.drain_outbox"
    assert message.headers["ignore_result"] is True


def test_a_broker_outage_keeps_events_in_the_outbox(monkeypatch):
    def broker_down(*args, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.drain_outbox, "apply_async", broker_down)
    first, second = order_event(order_id="Order:1"), order_event(order_id="Order:2")
    deliver(first)
    deliver(second)  # the failed nudge was forgotten: this one tries again
    assert OutboxEvent.objects.count() == 2
    assert not DeadLetter.objects.exists()

    monkeypatch.undo()  # the broker is back: the next nudge (or beat's drain) applies everything
    deliver(first)  # a hook redelivering the same fact changes nothing
    assert sorted(ProcessedEvent.objects.values_list("key", flat=True)) == sorted([first.key, second.key])
    assert not OutboxEvent.objects.exists()


def test_a_failing_event_is_retried_with_backoff_then_kept_and_the_rest_land(crm_settings):
    crm_settings(max_retries=2)
    bad = order_event(order_id="Order:9", currency="DOLLARS")  # longer than the currency column
    good = [customer_event(), order_event(order_id="Order:1"), order_event(order_id="Order:2")]
    keep([good[0], bad, *good[1:]])

    assert drain() == 4
    assert ProcessedEvent.objects.count() == 3  # the batch fell back to one by one: the good ones landed
    row = OutboxEvent.objects.get()
    assert row.attempts == 1 and row.available_at > timezone.now()
    assert drain() == 0  # not due yet

    for _ in (2, 3):
        OutboxEvent.objects.update(available_at=timezone.now() - timedelta(seconds=1))
        assert drain() == 1
    assert not OutboxEvent.objects.exists()
    letter = DeadLetter.objects.get()
    assert (letter.key, letter.attempts, letter.payload) == (bad.key, 3, bad.to_dict())
    assert "value too long" in letter.error


def test_an_undecodable_row_goes_to_the_dead_letters_at_once():
    OutboxEvent.objects.create(payload={"kind": "order.teleported"})
    keep([customer_event()])
    assert drain() == 2
    assert DeadLetter.objects.get().key == "undecodable:order.teleported"
    assert ProcessedEvent.objects.count() == 1


def test_a_drained_outbox_ends_as_the_events_applied_in_order_whatever_the_order_and_batches():
    store = StoreGenerator(customers=25, seed=5)
    create_users(store)
    events = list(store.live_events())
    assert not ingest_many(events).failed
    expected = crm_dump()

    reset_crm()
    shuffled = events + events[:40]  # some delivered twice
    random.Random(1).shuffle(shuffled)
    keep(shuffled)
    while drain(limit=37):
        pass
    assert ProcessedEvent.objects.count() == len({event.key for event in events})
    assert crm_dump() == expected


def test_a_full_batch_asks_for_the_next_drain(publishes):
    keep([order_event(order_id=f"Order:{n}") for n in range(5)])
    tasks.drain_outbox.apply(args=[2])
    assert [options.get("args") for options in publishes] == [[2]]
    assert OutboxEvent.objects.count() == 3


def test_a_customer_deletion_in_a_batch_still_forgets_the_shopper():
    created = customer_event()
    keep([created, order_event(), later(created, EventKind.CUSTOMER_DELETED, 5)])
    drain()
    assert not CustomerProfile.objects.filter(email="ada@example.com", orders_count__gt=0).exists()


def test_a_drained_batch_rechecks_live_segments_once(monkeypatch):
    """The live re-check costs a few statements per batch, not per event or segment."""
    from saleor_crm_plugin.segments import live

    ensure_builtin_segments()
    for segment in Segment.objects.all():
        evaluate_segment(segment)
    calls = []
    recheck = live.recheck_profiles
    monkeypatch.setattr(live, "recheck_profiles", lambda ids: calls.append(list(ids)) or recheck(calls[-1]))
    keep([customer_event(pk=n, email=f"shopper{n}@example.com") for n in range(1, 4)])
    keep([order_event(order_id=f"Order:{n}", email=f"shopper{n % 3 + 1}@example.com") for n in range(30)])
    assert drain() == 33
    assert len(calls) == 1 and len(set(calls[0])) == 3
    assert SegmentMembership.objects.filter(segment__slug="repeat-buyers").count() == 3


class StoreObjects:
    """The store as a worker finds it (``ports.EventRebuilder``): payloads by pk, absent once deleted."""

    payloads: dict = {}
    refused: set = set()  # pks whose read fails
    batches: list = []

    def __call__(self, references):
        StoreObjects.batches.append(len(references))
        if any(reference.pk in self.refused for reference in references):
            raise ValueError("the store refused the read")
        return [Event(ref.kind, self.payloads[ref.pk]) if ref.pk in self.payloads else None for ref in references]


@pytest.fixture
def store_objects(settings):
    settings.CRM_PORTS = {**settings.CRM_PORTS, "event_rebuilder": f"{__name__}.StoreObjects"}
    ports._port.cache_clear()
    StoreObjects.payloads, StoreObjects.refused, StoreObjects.batches = {}, set(), []
    yield StoreObjects
    ports._port.cache_clear()


def order_reference(kind: EventKind, pk: str) -> EventReference:
    return EventReference(kind, "order.Order", pk)


def test_references_are_built_a_batch_at_a_time_from_the_store_as_it_is_then(store_objects):
    placed = order_event(order_id="Order:1", total="30.00")
    store_objects.payloads["1"] = placed.data
    created, paid = order_reference(EventKind.ORDER_CREATED, "1"), order_reference(EventKind.ORDER_PAID, "1")
    gone = EventReference(EventKind.CHECKOUT_UPDATED, "checkout.Checkout", "completed-and-deleted")
    keep([created, paid, paid, gone])  # Saleor fired the paid hook twice

    assert drain() == 4
    assert store_objects.batches == [3]  # one build for the batch, each reference once
    assert not OutboxEvent.objects.exists() and not DeadLetter.objects.exists()
    built = [Event(EventKind.ORDER_CREATED, placed.data), Event(EventKind.ORDER_PAID, placed.data)]
    assert set(ProcessedEvent.objects.values_list("key", flat=True)) == {event.key for event in built}
    as_built = crm_dump()

    reset_crm()  # the same facts delivered built, as a hook that builds its event would
    assert not ingest_many(
        [Event(EventKind.ORDER_CREATED, placed.data), Event(EventKind.ORDER_PAID, placed.data)]
    ).failed
    assert crm_dump() == as_built


def test_a_reference_that_cannot_be_built_waits_alone_then_replays_once_fixed(store_objects, crm_settings):
    crm_settings(max_retries=1)
    store_objects.payloads["1"] = order_event(order_id="Order:1").data
    store_objects.refused.add("unreadable")
    unreadable = order_reference(EventKind.ORDER_UPDATED, "unreadable")
    keep([order_reference(EventKind.ORDER_CREATED, "1"), unreadable])

    assert drain() == 2
    assert store_objects.batches == [2, 1, 1]  # the batch failed, then one by one
    assert ProcessedEvent.objects.count() == 1  # the readable one landed
    assert OutboxEvent.objects.get().attempts == 1
    OutboxEvent.objects.update(available_at=timezone.now() - timedelta(seconds=1))
    assert drain() == 1
    letter = DeadLetter.objects.get()
    assert (letter.key, letter.payload) == (unreadable.key, unreadable.to_dict())
    assert "the store refused the read" in letter.error

    store_objects.refused.clear()  # the cause is fixed
    store_objects.payloads["unreadable"] = order_event(order_id="Order:2").data
    assert replay_dead_letters() == (1, 0)
    assert ProcessedEvent.objects.count() == 2
