"""Two real Celery workers racing on one shopper end where one process ends: no lost update.

Each worker applies one event per transaction; without a lock on the shopper's profile both read it,
merge channels and touches in Python and write back, and the later write drops the earlier one's.
"""

from __future__ import annotations

import pytest

from saleor_crm_plugin.ingest import ingest_many
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.receipts import ProcessedEvent
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.tasks import ingest_event

from .factories import at, checkout_event, customer_event, order_event
from .workers import running_worker, start_worker, stop, worker_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
EVENTS = 150
COMPARED = ("orders_count", "channels", "first_touch", "last_touch", "last_activity_at", "first_order_at")


def shoppers_events(pk: int) -> list:
    """Checkouts and orders of one shopper, each in a channel and campaign of its own, out of time order."""
    email = f"racer{pk}@example.com"
    events = []
    for n in range(EVENTS):
        moment = at(days=(n * 7) % EVENTS)
        fields = {"channel": f"channel-{n}", "attribution": {"utm_campaign": f"campaign-{n}"}}  # each adds one
        if n % 3:
            events.append(checkout_event(token=f"{pk}-cart-{n}", email=email, user=pk, updated_at=moment, **fields))
        else:
            events.append(
                order_event(
                    order_id=f"Order:{pk}-{n}", number=str(n), email=email, user=pk, created_at=moment, **fields
                )
            )
    return events


def profile_of(pk: int) -> dict:
    profile = CustomerProfile.objects.get(email=f"racer{pk}@example.com")
    values = {field: getattr(profile, field) for field in COMPARED}
    return {**values, "spend": list(profile.spend.values_list("currency", "orders_count", "total"))}


def test_two_workers_racing_on_one_shopper_lose_no_update(tmp_path, crm_settings):
    for pk in (1, 2):
        ingest_many([customer_event(pk=pk, email=f"racer{pk}@example.com")])
    raced, alone = shoppers_events(1), shoppers_events(2)
    assert not ingest_many(alone).failed  # the one-process result, for an identical shopper

    crm_settings(queue=worker_queue())
    with running_worker(tmp_path / "worker-1.log") as first:
        second = start_worker(tmp_path / "worker-2.log")
        try:
            celery_app.conf.task_always_eager = False
            for event in raced:
                ingest_event.apply_async(args=[event.to_dict()], queue=worker_queue())
            applied = ProcessedEvent.objects.filter(key__in=[event.key for event in raced])
            first.wait_for(lambda: applied.count() == EVENTS, 180, "every event applied")
        finally:
            stop(second)
    assert "retry" not in (tmp_path / "worker-1.log").read_text().lower()
    assert profile_of(1) == profile_of(2)
