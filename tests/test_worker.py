"""The asynchronous path for real: events through Redis to a Celery worker on the test database."""

import pytest

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.receipts import DeadLetter, ProcessedEvent
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.settings import get_settings
from saleor_crm_plugin.tasks import backoff_seconds, deliver, ingest_event

from .factories import at, later, order_event
from .workers import running_worker, worker_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """One real worker on the ``crm`` queue of a Redis database of its own, for the whole module."""
    with running_worker(tmp_path_factory.mktemp("worker") / "worker.log") as started:
        yield started


@pytest.fixture
def on_broker(worker, crm_settings):
    """This process sends tasks to the worker instead of running them inline."""
    crm_settings(process_synchronously=False, queue=worker_queue())
    celery_app.conf.task_always_eager = False
    assert celery_app.connection_for_write().as_uri().endswith("/9")
    return worker


def test_events_are_applied_exactly_once_by_the_worker(on_broker):
    created = order_event(order_id="Order:1", total="40.00")
    paid = later(created, EventKind.ORDER_FULLY_PAID, 5, charge_status="full")
    last = order_event(order_id="Order:2", total="10.00", created_at=at(days=1))

    for event in (created, created, paid, created, last):
        deliver(event)

    # One worker, one process: once the last event is in, every earlier one was handled.
    on_broker.wait_for(lambda: ProcessedEvent.objects.filter(key=last.key).exists(), 30, "the last event")
    profile = CustomerProfile.objects.get(email="ada@example.com")
    assert profile.orders_count == 2
    assert [(s.currency, s.orders_count, s.total) for s in profile.spend.all()] == [("USD", 2, 50)]
    assert sorted(ProcessedEvent.objects.values_list("key", flat=True)) == sorted({created.key, paid.key, last.key})
    assert profile.timeline.filter(kind="order.placed").count() == 2
    assert profile.timeline.filter(kind="order.paid").count() == 1
    assert not DeadLetter.objects.exists()


def test_an_event_that_keeps_failing_ends_as_a_dead_letter(on_broker):
    bad = order_event(order_id="Order:9", currency="DOLLARS")  # longer than the currency column: ingest raises
    retries = get_settings().max_retries
    budget = sum(backoff_seconds(n) for n in range(retries)) + 30

    ingest_event.apply_async(args=[bad.to_dict()], queue=get_settings().queue)

    letter = on_broker.wait_for(lambda: DeadLetter.objects.first(), budget, "the dead letter")
    assert (letter.key, letter.kind, letter.attempts) == (bad.key, "order.created", retries + 1)
    assert letter.payload == bad.to_dict()
    assert "value too long" in letter.error
    assert not CustomerProfile.objects.exists()
    assert not ProcessedEvent.objects.exists()
