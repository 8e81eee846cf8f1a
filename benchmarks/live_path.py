"""The live path end to end: hook-side enqueue → outbox → a real Celery worker on Redis → every subscriber.

    .venv/bin/python -m benchmarks.live_path --customers 20000 [--seed 1] [--hook-sample 5000]
        [--broker redis://127.0.0.1:6379/8] [--database-url postgres://…/crm_bench_live] [--keep-db]

The generated store's live events, with all subscribers on (profiles, loyalty, the 15 built-in segments
plus CUSTOM_SEGMENTS evaluated and live, tickets, the built-in automation flows), go through:
  batched  ingest_many in batches of the drain's size, in this process: the baseline (the worker's floor
           of work: what it runs per batch, without Celery, Redis, the outbox or JSON).
  hook     ``tasks.deliver(event)`` once per event for the first --hook-sample events, each its own
           transaction, as Saleor's hooks call it right after Saleor's commit: the outbox INSERT plus the
           deduplicated nudge (cost per request). The rest of the stream is written to the outbox in bulk,
           untimed, as the other web processes would.
  worker   a real ``celery worker`` (prefork, concurrency 1) on Redis, stopped while the outbox fills,
           then draining it through the nudges: events/s from its first to its last commit.
Both sides must end in identical state (``end_state``: counters, spend, loyalty ledger net, points per
order, balances and tiers, segment memberships, enrollments, receipts); the command fails if not.
The database is recreated for the run and dropped at the end (on failure too) unless --keep-db.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .database import add_database_arguments, bench_database, check_database_name, start_django
from .ingest import _analyze_crm, _truncate_crm

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_live"
DEFAULT_BROKER = "redis://127.0.0.1:6379/8"
# Custom segments next to the built-in ones: each is re-checked live after every run of events.
CUSTOM_SEGMENTS = {
    "big-spenders": 'spent("USD") > 300',
    "loyal-recent": "orders_count >= 2 AND last_order_at > -60d",
    "refunders": "refunds_count >= 1",
}


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    # Flows on (CRM_DEMO_FLOWS), worker and this process sharing broker and cache (the nudge key).
    env = {"CRM_DEMO_FLOWS": "1", "CELERY_BROKER_URL": args.broker, "CACHE_URL": args.broker, "CRM_SYNC": "0"}
    with bench_database(args.database_url, keep=args.keep_db):
        start_django(args.database_url, **env)
        return _run(args, env)


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    from saleor_crm_plugin.outbox import keep
    from saleor_crm_plugin.sandbox.generator import StoreGenerator
    from saleor_crm_plugin.sandbox.users import create_users
    from saleor_crm_plugin.tasks import DRAIN_BATCH

    # The store ends a month ago: points pending a return window are released when a run sees them due,
    # so an order whose window closes between the two sides' runs would make them differ by the clock.
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    store = StoreGenerator(customers=args.customers, seed=args.seed, start=today - timedelta(days=365 + 30))
    create_users(store)
    events = list(store.live_events())
    print(f"store: {args.customers:,} shoppers, {len(events):,} live events", file=sys.stderr)
    segments = _prepare()
    print(f"segments live: {segments} (built-in + {len(CUSTOM_SEGMENTS)} custom); flows on", file=sys.stderr)
    rows = [(f"batched ingest_many batch={DRAIN_BATCH} (in process)", len(events), _batched(events, DRAIN_BATCH))]
    baseline = end_state(at=today)

    _prepare()
    worker = _start_worker(env)
    try:
        sample = events[: args.hook_sample]
        rows.append(("hook: deliver() per event (sample)", len(sample), _enqueue(sample)))
        for chunk in itertools.batched(events[len(sample) :], 1000):  # the other web processes' share, untimed
            keep(chunk)
        _resume(worker)
        rows.append(("worker: hook → outbox → Redis → drain_outbox", len(events), _drained(len(events))))
    finally:
        _stop(worker)
    live = end_state(at=today)

    print(f"\n{'measurement':<48}{'events':>10}{'seconds':>10}{'events/s':>11}{'ms/event':>10}")
    for name, count, seconds in rows:
        print(f"{name:<48}{count:>10,}{seconds:>10.1f}{count / seconds:>11,.0f}{1000 * seconds / count:>10.3f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    same = baseline == live
    verdict = "OK" if same else "MISMATCH"
    print(f"end state (counters, loyalty, memberships, enrollments, receipts) identical: {verdict}")
    print("  " + ", ".join(f"{key}={value}" for key, value in baseline["sizes"].items()))
    if not same:
        print(f"  differs: {sorted(key for key in live if live[key] != baseline[key])}")
        for slug in sorted(set(baseline["members"]) | set(live["members"])):
            if baseline["members"].get(slug) != live["members"].get(slug):
                counts = baseline["memberships"].get(slug), live["memberships"].get(slug)
                print(f"  segment {slug}: members batched {counts[0]}, worker {counts[1]}")
    return 0 if same else 1


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.live_path", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hook-sample", type=int, default=5000, help="events sent one by one through deliver()")
    parser.add_argument("--broker", default=DEFAULT_BROKER, help="Redis for Celery and the nudge key")
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


# -- set-up -------------------------------------------------------------------------------------


def _prepare() -> int:
    """Empty CRM, then the store's configuration again: built-in and custom segments evaluated (so they
    are live), built-in flows synced. Returns how many segments are live."""
    from django.utils import timezone

    from saleor_crm_plugin.automation.builtin import sync_builtin_flows
    from saleor_crm_plugin.segments.actions import check_query
    from saleor_crm_plugin.segments.builtin import ensure_builtin_segments
    from saleor_crm_plugin.segments.membership import evaluate_segment
    from saleor_crm_plugin.segments.models import Segment
    from saleor_crm_plugin.settings import get_settings

    _truncate_crm()
    ensure_builtin_segments()
    for slug, query in CUSTOM_SEGMENTS.items():
        Segment.objects.create(slug=slug, name=slug, query=query, time_relative=check_query(query))
    for segment in Segment.objects.all():
        evaluate_segment(segment)
    sync_builtin_flows(get_settings(), timezone.now())
    _clear_broker()
    return Segment.objects.count()


def _clear_broker() -> None:
    from django.core.cache import cache

    from saleor_crm_plugin.sandbox.celery import app
    from saleor_crm_plugin.settings import get_settings

    cache.clear()
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(get_settings().queue)


def _start_worker(env: dict[str, str]) -> subprocess.Popen:
    """``celery worker`` (prefork, one child) on the crm queue, SIGSTOPped until ``_resume``: the hook
    phase fills the outbox alone and the worker phase times the drain alone."""
    import signal

    from saleor_crm_plugin.settings import get_settings

    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "-A", "saleor_crm_plugin.sandbox.celery", "worker", "-Q", get_settings().queue,
               "-c", "1", "--pool", "prefork", "-l", "warning"]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, **env}, start_new_session=True)
    _wait_ready()
    os.killpg(process.pid, signal.SIGSTOP)
    return process


def _wait_ready() -> None:
    from saleor_crm_plugin.sandbox.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not start")


def _resume(process: subprocess.Popen) -> None:
    import signal

    os.killpg(process.pid, signal.SIGCONT)


def _stop(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGCONT)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


# -- the measured paths ------------------------------------------------------------------------


def _batched(events: list, size: int) -> float:
    from tqdm import tqdm

    from saleor_crm_plugin.ingest import ingest_many

    spent = 0.0
    for number, batch in enumerate(tqdm(list(itertools.batched(events, size)), desc="batched", file=sys.stderr)):
        started = time.perf_counter()
        result = ingest_many(batch)
        spent += time.perf_counter() - started
        assert not result.failed, result.failed[0]
        if number % 200 == 199:
            _analyze_crm()  # untimed, as autovacuum would (see benchmarks/ingest.py)
    return spent


def _enqueue(events: list) -> float:
    """What Saleor's hooks do after Saleor's commit: ``deliver`` per event, autocommit (its own transaction)."""
    from tqdm import tqdm

    from saleor_crm_plugin.tasks import deliver

    started = time.perf_counter()
    for event in tqdm(events, desc="hook: deliver() per event", file=sys.stderr, mininterval=2):
        deliver(event)
    return time.perf_counter() - started


def _drained(total: int) -> float:
    """Wait for the outbox to empty; the worker's time is its first to last commit (receipts' stamps)."""
    from django.db.models import Max, Min

    from saleor_crm_plugin.receipts import ProcessedEvent
    from saleor_crm_plugin.tasks import DRAIN_BATCH

    _wait_empty(total)
    span = ProcessedEvent.objects.aggregate(first=Min("processed_at"), last=Max("processed_at"))
    # The first batch's own time is not in the span: add one batch's share of it.
    batches = max(1, total // DRAIN_BATCH)
    seconds = (span["last"] - span["first"]).total_seconds()
    return seconds * batches / max(1, batches - 1)


def _wait_empty(total: int) -> None:
    from tqdm import tqdm

    from saleor_crm_plugin.outbox import pending
    from saleor_crm_plugin.receipts import DeadLetter

    with tqdm(total=total, desc="worker draining", file=sys.stderr, mininterval=2) as bar:
        left = pending()
        while left:
            time.sleep(0.5)
            now = pending()
            bar.update(left - now)
            left = now
    assert not DeadLetter.objects.exists(), DeadLetter.objects.first().error


# -- the state both sides must reach ----------------------------------------------------------------


def end_state(at: datetime | None = None) -> dict:
    """What must agree however the events got in, keyed by email/slug/order rather than row ids or times
    of application: profile counters and spend, loyalty (the ledger's net per account, points per order,
    balances, tiers), memberships per segment, enrollments per flow, and the set of receipts (hashed).

    A time-relative segment (``last_order_at > -60d``) answers for the instant each profile was last
    re-checked, and the two sides run minutes apart: a shopper whose last order turns 60 days old in
    between is a member on one side only. A loyalty tier is likewise what the account's facts reach in
    the rolling window (365 days) before the moment the account last changed. With ``at``, such segments
    and the tiers are first re-evaluated at that one instant on both sides (as the hourly refresh does
    for segments); the facts themselves (ledger, points per order, balances) are compared as the live
    path left them.

    Ledger *entries* are not compared one by one: a batch nets an order placed and cancelled within it
    (no entry), where one event at a time writes a "pending" and a "reverse" entry; the net changes of
    available, pending and debt points per account are the same.
    """
    from django.db.models import Count, Sum

    from benchmarks.ingest import counters
    from saleor_crm_plugin.automation.models import Enrollment
    from saleor_crm_plugin.loyalty.models import LoyaltyAccount, OrderPoints, PointsLedgerEntry
    from saleor_crm_plugin.loyalty.program import current_program
    from saleor_crm_plugin.loyalty.tiers import move_tiers
    from saleor_crm_plugin.receipts import ProcessedEvent
    from saleor_crm_plugin.segments.membership import evaluate_segment
    from saleor_crm_plugin.segments.models import Segment, SegmentMembership

    if at is not None:
        for segment in Segment.objects.filter(time_relative=True).order_by("pk"):
            evaluate_segment(segment, at)
        move_tiers(LoyaltyAccount.objects.order_by("pk"), current_program(), at, downgrade=False)

    def digest(rows) -> str:
        return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:16]

    receipts = list(ProcessedEvent.objects.values_list("key", flat=True))
    ledger = PointsLedgerEntry.objects.values_list("account__profile__email").annotate(
        Sum("available_change"), Sum("pending_change"), Sum("debt_change")
    )
    accounts = LoyaltyAccount.objects.values_list("profile__email", "available", "pending", "debt")
    per_segment = SegmentMembership.objects.values_list("segment__slug").annotate(n=Count("id"))
    return {
        "counters": counters(),
        "ledger": digest(ledger),
        "order points": digest(OrderPoints.objects.values_list("saleor_order_id", "points", "reversed", "bonus")),
        "balances": digest(accounts),
        "tiers": digest(LoyaltyAccount.objects.values_list("profile__email", "tier")),
        "memberships": dict(per_segment.order_by("segment__slug")),
        "members": {
            slug: digest(SegmentMembership.objects.filter(segment__slug=slug).values_list("profile__email"))
            for slug in Segment.objects.values_list("slug", flat=True)
        },
        "enrollments": digest(Enrollment.objects.values_list("flow__slug", "profile__email", "trigger_key")),
        "receipts": digest(receipts),
        "sizes": {
            "receipts": len(receipts),
            "loyalty accounts": LoyaltyAccount.objects.count(),
            "memberships": SegmentMembership.objects.count(),
            "enrollments": Enrollment.objects.count(),
        },
    }


if __name__ == "__main__":
    sys.exit(main())
