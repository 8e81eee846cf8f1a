"""``crm_backfill`` imports a store's existing customers and orders: idempotent and resumable."""

from io import StringIO

import pytest
from django.core.management import call_command

from saleor_crm_plugin import ports
from saleor_crm_plugin.backfill import BackfillCheckpoint, run_backfill
from saleor_crm_plugin.ingest import ingest_many
from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot
from saleor_crm_plugin.sandbox.generator import StoreGenerator
from saleor_crm_plugin.sandbox.ports import GeneratedStoreSource
from saleor_crm_plugin.sandbox.users import create_users

from .factories import crm_dump, reset_crm

pytestmark = pytest.mark.django_db

STORE = StoreGenerator(customers=300, seed=5)


@pytest.fixture
def store(settings):
    settings.CRM_SANDBOX_STORE = {"customers": STORE.customers, "seed": STORE.seed}
    ports._port.cache_clear()
    create_users(STORE)
    yield STORE
    ports._port.cache_clear()


def backfill(*args) -> str:
    out = StringIO()
    call_command("crm_backfill", "--quiet", *args, stdout=out)
    return out.getvalue()


class Interrupted(Exception):
    pass


class InterruptedSource:
    """The generated store, but the process dies after ``batches`` batches were handed out."""

    def __init__(self, batches: int):
        self.source, self.left = GeneratedStoreSource(), batches

    def count(self, subject):
        return self.source.count(subject)

    def batches(self, subject, after, size):
        for batch in self.source.batches(subject, after, size):
            if self.left == 0:
                raise Interrupted
            self.left -= 1
            yield batch


def test_backfill_creates_a_profile_per_shopper(store):
    output = backfill()

    final_orders = [e.data for _, batch in store.backfill_batches("orders", None, 10_000) for e in batch]
    accounts = {s.email for s in store.users() if s.registered_at <= store.now}
    assert CustomerProfile.objects.filter(saleor_user_id__isnull=False).count() == len(accounts)
    assert set(CustomerProfile.objects.values_list("email", flat=True)) == accounts | {o.email for o in final_orders}
    assert OrderSnapshot.objects.count() == len(final_orders)
    counted = [o for o in final_orders if o.status != "canceled"]
    assert sum(CustomerProfile.objects.values_list("orders_count", flat=True)) == len(counted)
    assert CustomerProfile.objects.filter(user__isnull=False).count() == len(accounts)
    assert f"scanned {len(accounts)} customers, {len(final_orders)} orders" in output
    assert "failed 0" in output


def test_second_run_and_restart_change_nothing(store):
    backfill()
    before = crm_dump()

    assert "already complete" in backfill()
    assert crm_dump() == before

    output = backfill("--restart")
    assert "events applied 0" in output and "already complete" not in output
    assert crm_dump() == before


@pytest.mark.parametrize("batches", [2, 7], ids=["in customers", "in orders"])
def test_an_interrupted_run_resumes_to_the_same_result(store, batches):
    with pytest.raises(Interrupted):
        run_backfill(InterruptedSource(batches), batch_size=40)
    stopped = {c.subject: (c.cursor, c.processed, c.finished_at) for c in BackfillCheckpoint.objects.all()}
    assert any(cursor is not None and finished is None for cursor, _, finished in stopped.values())

    resumed = run_backfill(GeneratedStoreSource(), batch_size=40)
    after_resume = crm_dump()

    for checkpoint in BackfillCheckpoint.objects.all():
        assert checkpoint.finished_at is not None
        assert checkpoint.processed == store.count(checkpoint.subject)  # nothing scanned twice
        assert checkpoint.cursor == str(store.customers - 1)
    assert resumed.skipped == 0  # the resumed run started after the last committed batch

    reset_crm()
    run_backfill(GeneratedStoreSource(), batch_size=40)
    assert after_resume == crm_dump()


def test_backfill_after_the_live_stream_changes_no_counters(store):
    events = list(store.live_events())
    for start in range(0, len(events), 500):
        assert not ingest_many(events[start : start + 500]).failed
    live = crm_dump()

    summary = run_backfill(GeneratedStoreSource(), batch_size=100)

    assert summary.failed == 0 and summary.skipped > 0
    assert crm_dump() == live


def test_backfill_after_the_demo_seed_walks_the_store_the_seed_generated():
    """The demo seeds its own size while ``CRM_SANDBOX_STORE`` says another: the backfill must still
    walk the seeded store (same shoppers, same orders) and change nothing."""
    call_command("crm_sandbox_seed", "--customers", "40", "--seed", "3", "--abandoned", "0", stdout=StringIO())
    seeded = crm_dump()

    summary = run_backfill(ports.backfill_source(), batch_size=100)

    assert summary.scanned["orders"] == OrderSnapshot.objects.count() > 0
    assert summary.skipped > 0
    assert crm_dump() == seeded
