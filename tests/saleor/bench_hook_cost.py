"""What the CRM's hooks cost inside Saleor's requests: every hooked mutation, plugin on vs off, interleaved.

Run it inside the Saleor 3.23 environment (README "Saleor integration tests"), e.g.::

    CRM_HOOK_BENCH_ITERATIONS=60 pytest -c tests/saleor/pytest.ini tests/saleor/bench_hook_cost.py \\
        --ds=tests.saleor.settings --reuse-db -n 0 -p no:randomly -s

The file name keeps it out of every normal run (pytest collects ``test_*.py``); named explicitly it
runs, and outside Saleor it skips with the reason.

One iteration is a guest's whole checkout through Saleor's GraphQL API (checkoutCreate,
checkoutLinesAdd, checkoutEmailUpdate, checkoutShippingAddressUpdate, checkoutBillingAddressUpdate,
checkoutDeliveryMethodUpdate, checkoutComplete; three products), then staff's orderMarkAsPaid and
customerUpdate. Iterations take turns plugin on / off (on, off, off, on, ...) so drift on a shared
machine hits both alike; "off" is the plugin not in ``PLUGINS``. As under Saleor's ASGI server, every
request runs in a new thread (per-thread caches are paid per request), in real transactions (so
on-commit work is timed), with Celery publishing to a real Redis broker (``CRM_HOOK_BENCH_BROKER``, a
database of its own that is flushed), not eagerly. The thread's database connection is opened before
the clock starts, so the overhead is relative to the request alone. With ``CRM_HOOK_BENCH_WARM=1`` the
requests run on one long-lived thread instead, its connection kept open, as behind a connection pool.

Printed per mutation: median ms off and on (with the interquartile range), the difference and the
overhead in percent, the median of the differences between neighbouring on and off flows (``paired``:
drift on the machine cancels out), SQL queries off/on, hooks fired per request, and the median ms per
request spent in each part of the plugin's work: ``emit`` is the whole hook: ``build`` a customer's
event, ``keep`` it (or a checkout's or an order's reference) in the outbox, and ``nudge`` (the cache
``add``, with ``publish`` when it sends a drain), which runs inside the hook since Saleor's transaction
has committed by then. Then the worker's side: the outbox the flows left, drained in batches as a worker
does (references built from Saleor's rows, applied). The run fails if a mutation fails, if the plugin
emitted nothing when on or anything when off, or if the drain leaves a row behind (the fixture fails
a dead letter).
"""

from tests.saleor import require_saleor

require_saleor()

import cProfile  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from contextlib import nullcontext  # noqa: E402

import pytest  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from saleor.celeryconf import app as celery_app  # noqa: E402
from saleor.tests.utils import prepare_test_db_connections  # noqa: E402
from saleor.warehouse.models import Stock  # noqa: E402

from saleor_crm_plugin import outbox, tasks  # noqa: E402
from saleor_crm_plugin.outbox import OutboxEvent  # noqa: E402
from saleor_crm_plugin.ports import writer_access  # noqa: E402
from saleor_crm_plugin.receipts import ProcessedEvent  # noqa: E402
from saleor_crm_plugin.saleor import event_builders  # noqa: E402
from saleor_crm_plugin.saleor.plugin import CRMPlugin  # noqa: E402

from . import test_flows  # noqa: E402
from .conftest import CRM_PLUGIN_PATH  # noqa: E402
from .test_flows import (  # noqa: E402
    CHECKOUT_COMPLETE,
    CHECKOUT_CREATE,
    CHECKOUT_DELIVERY_METHOD_UPDATE,
    CHECKOUT_EMAIL_UPDATE,
    CUSTOMER_UPDATE,
    ERRORS,
    ORDER_MARK_AS_PAID,
    REDIRECT_URL,
    gid,
    run,
)

shop, staff_client = test_flows.shop, test_flows.staff_client  # the flows' fixtures, used here too

ITERATIONS = int(os.environ.get("CRM_HOOK_BENCH_ITERATIONS", "60"))
WARMUP = int(os.environ.get("CRM_HOOK_BENCH_WARMUP", "3"))
BROKER = os.environ.get("CRM_HOOK_BENCH_BROKER", "redis://127.0.0.1:6379/13")
# "1": before every request forget the pending nudge, as a worker's drain does, so every hooked request
# publishes (sparse traffic, the worst case); otherwise nudges are deduplicated as under steady traffic.
DRAINED = os.environ.get("CRM_HOOK_BENCH_DRAINED") == "1"
# Requests on one long-lived thread whose database connection stays open, as behind a connection pool
# (Django's psycopg pool, PgBouncer): PostgreSQL's per-connection catalog caches are warm.
WARM = os.environ.get("CRM_HOOK_BENCH_WARM") == "1"
# A file name: cProfile's statistics of the plugin's ``_emit`` calls are written there (pstats).
PROFILE = os.environ.get("CRM_HOOK_BENCH_PROFILE")
PROFILER = cProfile.Profile()

CHECKOUT_LINES_ADD = f"""
mutation($id: ID!, $lines: [CheckoutLineInput!]!) {{
  checkoutLinesAdd(id: $id, lines: $lines) {{ checkout {{ quantity }} {ERRORS} }}
}}"""
CHECKOUT_SHIPPING_ADDRESS_UPDATE = f"""
mutation($id: ID!, $address: AddressInput!) {{
  checkoutShippingAddressUpdate(id: $id, shippingAddress: $address) {{ checkout {{ id }} {ERRORS} }}
}}"""
CHECKOUT_BILLING_ADDRESS_UPDATE = f"""
mutation($id: ID!, $address: AddressInput!) {{
  checkoutBillingAddressUpdate(id: $id, billingAddress: $address) {{ checkout {{ id }} {ERRORS} }}
}}"""


# The parts of a hook's cost, timed inside each request (``emit`` holds build and keep; nudge runs on commit).
PARTS = ("emit", "build", "keep", "nudge", "publish")


class Recorder:
    """Times each request in a thread of its own and the plugin's parts inside it (``PARTS``)."""

    def __init__(self) -> None:
        self.ms: dict[tuple[str, bool], list[float]] = defaultdict(list)
        self.queries: dict[tuple[str, bool], int] = {}
        self.part_ms: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.emits: dict[tuple[str, bool], int] = defaultdict(int)
        self._parts: dict[str, list[float]] = defaultdict(list)
        self._pooled = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pooled-request")  # WARM only
        self._prepared = threading.local()

    def timer(self, part: str, function):
        """``function`` with its calls' seconds added to ``part`` of the current request."""

        def timed(*args, **kwargs):
            began = time.perf_counter()
            profile = PROFILE and part == "emit"
            if profile:
                PROFILER.enable()
            try:
                return function(*args, **kwargs)
            finally:
                if profile:
                    PROFILER.disable()
                self._parts[part].append(time.perf_counter() - began)

        return timed

    def request(self, on: bool, timed: bool, client, query: str, variables: dict, name: str) -> dict:
        outcome: dict = {}

        def in_thread() -> None:
            if not getattr(self._prepared, "done", False):  # once per thread: it wraps the connections
                prepare_test_db_connections()
                self._prepared.done = WARM
            connections["default"].ensure_connection()
            capture = nullcontext() if timed else CaptureQueriesContext(connections["default"])
            try:
                with capture:
                    began = time.perf_counter()
                    outcome["data"] = run(client, query, variables, name)
                    outcome["ms"] = (time.perf_counter() - began) * 1000
                if not timed:
                    outcome["queries"] = len(capture)
            except BaseException as error:  # re-raised in the test's thread
                outcome["error"] = error
            finally:
                if not WARM:
                    connections.close_all()

        self._parts.clear()
        if DRAINED:
            tasks.pending_drains().clear(tasks._nudge_key())
        if WARM:
            self._pooled.submit(in_thread).result()
        else:
            thread = threading.Thread(target=in_thread, name=f"request-{name}")
            thread.start()
            thread.join()
        if "error" in outcome:
            raise outcome["error"]
        self.emits[name, on] += len(self._parts["emit"])
        if timed:
            self.ms[name, on].append(outcome["ms"])
            if on:
                for part in PARTS:
                    self.part_ms[name, part].append(sum(self._parts[part]) * 1000)
        else:
            self.queries[name, on] = outcome["queries"]
        return outcome["data"]


@pytest.fixture
def celery_to_redis(monkeypatch):
    """Celery as in production: tasks published to a broker (a Redis database of our own), not run eagerly."""
    import redis

    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()
    # Saleor's configuration is read from Django settings under the CELERY_ namespace: set those keys
    # (Celery prefers the environment's CELERY_BROKER_URL to them: not here).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    monkeypatch.setattr(celery_app.conf, "CELERY_BROKER_URL", BROKER)
    assert not celery_app.conf.task_always_eager and celery_app.conf.broker_url == BROKER
    yield
    celery_app.pool.force_close_all()
    broker.flushdb()


@pytest.mark.django_db(transaction=True)
def test_hook_cost(
    crm_plugin, settings, monkeypatch, celery_to_redis, api_client, staff_client, shop, product_list, customer_user
):
    recorder = Recorder()
    _time_parts(recorder, monkeypatch)
    Stock.objects.update(quantity=1_000_000)
    variants = [gid("ProductVariant", pk) for pk in (shop.variant.pk, *(p.variants.get().pk for p in product_list[:2]))]
    modes = [True, False, False, True]

    def flow(on: bool, number: int, timed: bool) -> None:
        settings.PLUGINS = [CRM_PLUGIN_PATH] if on else []
        staff_client.regenerate_access_token()  # the run outlasts a staff token

        def call(client, query, variables, name):
            return recorder.request(on, timed, client, query, variables, name)

        created = call(
            api_client,
            CHECKOUT_CREATE,
            {"input": {"channel": shop.channel.slug, "lines": [{"quantity": 2, "variantId": variants[0]}]}},
            "checkoutCreate",
        )
        checkout = created["checkout"]["id"]
        lines = [{"quantity": 1, "variantId": variant} for variant in variants[1:]]
        call(api_client, CHECKOUT_LINES_ADD, {"id": checkout, "lines": lines}, "checkoutLinesAdd")
        email = f"shopper{number}@example.com"
        call(api_client, CHECKOUT_EMAIL_UPDATE, {"id": checkout, "email": email}, "checkoutEmailUpdate")
        address = {"id": checkout, "address": shop.address}
        call(api_client, CHECKOUT_SHIPPING_ADDRESS_UPDATE, address, "checkoutShippingAddressUpdate")
        call(api_client, CHECKOUT_BILLING_ADDRESS_UPDATE, address, "checkoutBillingAddressUpdate")
        delivery = {"id": checkout, "deliveryMethodId": shop.shipping_method_id}
        call(api_client, CHECKOUT_DELIVERY_METHOD_UPDATE, delivery, "checkoutDeliveryMethodUpdate")
        order = call(api_client, CHECKOUT_COMPLETE, {"id": checkout, "redirectUrl": REDIRECT_URL}, "checkoutComplete")
        call(staff_client, ORDER_MARK_AS_PAID, {"id": order["order"]["id"]}, "orderMarkAsPaid")
        customer = {"id": gid("User", customer_user.pk), "input": {"firstName": f"Ada {number}"}}
        call(staff_client, CUSTOMER_UPDATE, customer, "customerUpdate")

    for number in range(2 * WARMUP):  # untimed: first-use costs, and the SQL queries of each side
        flow(number % 2 == 0, number, timed=False)
    started = time.monotonic()
    for number in range(2 * ITERATIONS):
        flow(modes[number % 4], 2 * WARMUP + number, timed=True)
        if (number + 1) % 20 == 0:
            print(f"  {number + 1}/{2 * ITERATIONS} flows, {time.monotonic() - started:.0f}s", flush=True)

    _report(recorder)
    _drain_and_report(monkeypatch)
    if PROFILE:
        PROFILER.dump_stats(PROFILE)
    silent = sorted(name for (name, on), count in recorder.emits.items() if on and not count)
    assert not silent, f"the plugin emitted nothing for {silent}: nothing was measured"
    assert not any(count for (name, on), count in recorder.emits.items() if not on), "the plugin emitted while off"


def _time_parts(recorder: Recorder, monkeypatch) -> None:
    """Wrap each part of a hook's cost where the plugin looks it up (module attributes, at call time)."""
    monkeypatch.setattr(CRMPlugin, "_emit", recorder.timer("emit", CRMPlugin._emit))
    # The only event built in the request: a customer's (checkouts and orders keep a reference).
    monkeypatch.setattr(event_builders, "customer_payload", recorder.timer("build", event_builders.customer_payload))
    monkeypatch.setattr(outbox, "keep", recorder.timer("keep", outbox.keep))
    monkeypatch.setattr(tasks, "nudge", recorder.timer("nudge", tasks.nudge))
    monkeypatch.setattr(tasks, "_drain_soon", recorder.timer("publish", tasks._drain_soon))


def _report(recorder: Recorder) -> None:
    import saleor_crm_plugin

    names = list(dict.fromkeys(name for name, _ in recorder.ms))
    print(
        f"\nSaleor request latency, plugin off vs on: {ITERATIONS} interleaved flows each (after {WARMUP} warm-up),"
        f" {'one warm connection (pooled)' if WARM else 'one thread per request'}, Celery on Redis"
        f"{', every request nudges' if DRAINED else ''};"
        f" plugin code {os.path.dirname(saleor_crm_plugin.__file__)}"
    )
    header = f"{'mutation':<31}{'off ms':>8}{'IQR':>15}{'on ms':>8}{'IQR':>15}{'diff':>8}{'over':>8}{'paired':>8}"
    print(header + f"{'SQL off/on':>12}{'hooks':>6}" + "".join(f"{part:>9}" for part in PARTS))
    for name in names:
        off, on = recorder.ms[name, False], recorder.ms[name, True]
        diff = statistics.median(on) - statistics.median(off)
        # Flows run on, off, off, on, ...: the i-th "on" and the i-th "off" ran next to each other.
        paired = statistics.median(after - before for after, before in zip(on, off, strict=True))
        queries = f"{recorder.queries.get((name, False), '?')}/{recorder.queries.get((name, True), '?')}"
        print(
            f"{name:<31}{statistics.median(off):>8.1f}{_iqr(off):>15}{statistics.median(on):>8.1f}{_iqr(on):>15}"
            f"{diff:>+8.1f}{100 * diff / statistics.median(off):>+7.1f}%{100 * paired / statistics.median(off):>+7.1f}%"
            f"{queries:>12}"
            f"{recorder.emits[name, True] / (len(on) + WARMUP):>6.1f}"
            + "".join(f"{statistics.median(recorder.part_ms[name, part]):>9.2f}" for part in PARTS)
        )


def _drain_and_report(monkeypatch) -> None:
    pending, applied_before = OutboxEvent.objects.count(), ProcessedEvent.objects.count()
    built: list[tuple[int, float]] = []  # (references, seconds) per batch

    def timed_build(references):
        began = time.perf_counter()
        try:
            return build_events(references)
        finally:
            built.append((len(references), time.perf_counter() - began))

    build_events = tasks.build_events
    monkeypatch.setattr(tasks, "build_events", timed_build)
    began = time.perf_counter()
    with writer_access():
        while tasks.drain():
            pass
    seconds = time.perf_counter() - began
    assert not OutboxEvent.objects.exists(), "the drain left rows in the outbox"
    applied = ProcessedEvent.objects.count() - applied_before
    references, building = sum(count for count, _ in built), sum(spent for _, spent in built)
    print(
        f"Worker: {pending} outbox rows drained in batches of {tasks.DRAIN_BATCH} in {seconds:.2f} s"
        f" ({pending / seconds:.0f} rows/s), {applied} events applied (the rest repeats, or checkouts completed"
        f" before their drain); building the {references} references from Saleor's rows took {building:.3f} s"
        f" ({references / building:.0f}/s)"
    )


def _iqr(samples: list[float]) -> str:
    quartiles = statistics.quantiles(samples, n=4, method="inclusive")
    return f"{quartiles[0]:.1f}-{quartiles[2]:.1f}"
