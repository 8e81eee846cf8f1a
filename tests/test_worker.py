"""The asynchronous path for real: events through Redis to a Celery worker on the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.receipts import DeadLetter, ProcessedEvent
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.settings import get_settings
from saleor_crm_plugin.tasks import backoff_seconds, deliver, ingest_event

from .factories import at, later, order_event

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BROKER_URL = "redis://127.0.0.1:6379/9"
CELERY = Path(sys.executable).with_name("celery")


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log

    def wait_for(self, condition, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker died ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            value = condition()
            if value:
                return value
            time.sleep(0.25)
        pytest.fail(f"timed out after {timeout}s waiting for {what}; worker log:\n{self.log.read_text()[-3000:]}")


def _use_broker(url: str) -> None:
    """Point this process's Celery app at ``url``, dropping connection and producer pools an earlier
    test may have opened on the previous broker (they would keep publishing there)."""
    os.environ["CELERY_BROKER_URL"] = celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """One real worker on the ``crm`` queue of a Redis database of its own, for the whole module."""
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    # Celery reads CELERY_BROKER_URL from the environment before its own setting: change both.
    old_env, old_broker = os.environ.get("CELERY_BROKER_URL"), celery_app.conf.broker_url
    _use_broker(BROKER_URL)
    with celery_app.connection_for_write() as broker:
        assert broker.as_uri().endswith("/9")
        broker.default_channel.queue_purge(get_settings().queue)
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER_URL,
        "CRM_SYNC": "0",
        "DJANGO_SETTINGS_MODULE": "saleor_crm_plugin.sandbox.settings",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "saleor_crm_plugin.sandbox.celery",
                "worker",
                "-Q",
                "crm",
                "-c",
                "1",
                "--pool",
                "solo",
                "-l",
                "warning",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _use_broker(old_broker)
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env


@pytest.fixture
def on_broker(worker, crm_settings):
    """This process sends tasks to the worker instead of running them inline."""
    crm_settings(process_synchronously=False)
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
