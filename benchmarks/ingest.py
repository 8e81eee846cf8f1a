"""Ingest and backfill throughput on a generated store, with the slow ways side by side.

    .venv/bin/python -m benchmarks.ingest --customers 100000 [--seed 1] [--batch-size 500]
        [--baseline-sample 20000] [--database-url postgres://postgres@127.0.0.1:5432/crm_bench] [--keep-db]

Why each measurement:
  batched   live_events() through ingest_many in batches: how fast a busy worker or replay drains a queue.
  per-event ingest(event), one transaction each, in process (sample only): an upper bound on the old
            one-Celery-task-per-event path's rate (no Celery, broker or task overhead counted);
            the live path as it runs (outbox, real worker) is measured by benchmarks/live_path.py.
  naive     the per-event ORM loop a developer writes first (below): the bar the set-wise path has to beat.
  orders    only the order.* events of the same stream, batched, from empty: the issue's order-event goal.
  backfill  run_backfill over the sandbox source into an empty CRM: the install-day import.

The sample phases take the first --baseline-sample live events and start from empty CRM tables each
time; the batched path is run on the same sample too, so the sample rows compare like with like.
Timings exclude the generator (it is timed on its own), except where noted for the backfill, whose
source generates the store inside run_backfill. The database is recreated for the run and dropped at
the end, on failure too, unless --keep-db (benchmarks.database).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import logging
import resource
import sys
import time
from collections import Counter

from .database import add_database_arguments, bench_database, check_database_name, start_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench"


class _FallbackCounter(logging.Handler):
    """Counts ingest_many's 'batch failed, applying one by one' warnings: each is a slow batch."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.levelno == logging.WARNING


FALLBACKS = _FallbackCounter()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db):
        start_django(args.database_url)
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    logging.getLogger("saleor_crm_plugin.ingest").addHandler(FALLBACKS)
    from django.db import connection

    from saleor_crm_plugin.sandbox.generator import StoreGenerator
    from saleor_crm_plugin.sandbox.users import create_users

    store = StoreGenerator(customers=args.customers, seed=args.seed)
    users = create_users(store)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version(), current_setting('synchronous_commit'), current_setting('shared_buffers'),"
            " current_setting('autovacuum')"
        )
        version, sync_commit, buffers, autovacuum = cursor.fetchone()
    print(
        f"database {connection.settings_dict['NAME']}: {version.split(' on ')[0]}, "
        f"synchronous_commit={sync_commit}, shared_buffers={buffers}, autovacuum={autovacuum} "
        f"(CRM tables analysed every {ANALYZE_EVERY_BATCHES} batches, untimed)"
    )

    rows: list[tuple[str, int, float]] = []
    started = time.perf_counter()
    kinds = Counter(event.kind.value for event in store.live_events())
    rows.append(("generate live_events (no DB)", kinds.total(), time.perf_counter() - started))
    order_events = sum(n for kind, n in kinds.items() if kind.startswith("order."))
    print(
        f"store: {args.customers} shoppers, {users} accounts, {kinds['order.created']} orders, "
        f"{kinds.total()} events ({order_events} order.*)"
    )
    print("events by kind: " + ", ".join(f"{kind}={n}" for kind, n in sorted(kinds.items())))

    sample = list(itertools.islice(store.live_events(), args.baseline_sample))
    sample_counters = {}
    for name, run in (
        (f"ingest_many batch={args.batch_size}, sample", lambda events: _batched(events, args.batch_size)),
        ("ingest() per event, sample", lambda events: _each(events, _ingest_one)),
        ("naive ORM loop, sample", lambda events: _each(events, naive_apply)),
    ):
        _truncate_crm()
        seconds = run(sample)
        rows.append((name, len(sample), seconds))
        sample_counters[name] = counters()
        print(f"{name}: {len(sample) / seconds:,.0f} events/s", file=sys.stderr)
    del sample
    sample_ok = len({repr(c) for c in sample_counters.values()}) == 1

    _truncate_crm()
    stream = store.live_events()
    gc.freeze()  # the merge holds every story up front; keep the collector from rescanning them all
    seconds = _batched(stream, args.batch_size, total=kinds.total())
    gc.unfreeze()
    del stream
    rows.append((f"ingest_many batch={args.batch_size}", kinds.total(), seconds))
    rows.append(("  of which order.* events", order_events, seconds))
    live = counters()

    # The goal is stated for order events: the same stream's order.* events alone, from empty.
    _truncate_crm()
    orders_only = (event for event in store.live_events() if event.kind.subject == "order")
    gc.freeze()
    seconds = _batched(orders_only, args.batch_size, total=order_events)
    gc.unfreeze()
    rows.append((f"order.* events only, batch={args.batch_size}", order_events, seconds))

    _truncate_crm()
    backfill = _backfill(store, args.batch_size)
    rows += backfill
    filled = counters()

    print()
    print(f"{'measurement':<40} {'events':>10} {'seconds':>9} {'events/s':>10}")
    for name, events, seconds in rows:
        print(f"{name:<40} {events:>10} {seconds:>9.1f} {events / seconds:>10,.0f}")
    print(f"batches replayed one by one after a failure: {FALLBACKS.count}")
    print(f"sample counters (batched = per-event = naive): {'OK' if sample_ok else 'MISMATCH'}")
    for name, value in sample_counters.items() if not sample_ok else ():
        print(f"  {name}: {value}")
    print(f"live (a) vs backfill (d): {'OK' if live == filled else 'MISMATCH'}")
    print(f"  live     {live}")
    print(f"  backfill {filled}")
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0 if sample_ok and live == filled else 1


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--baseline-sample", type=int, default=20_000)
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


# -- the measured paths --------------------------------------------------------------------


def _batched(events, size: int, total: int | None = None) -> float:
    """Feed ``events`` to ingest_many in batches; return the seconds spent inside ingest_many."""
    from tqdm import tqdm

    from saleor_crm_plugin.ingest import ingest_many

    spent = 0.0
    with tqdm(total=total, desc="ingest_many", unit="ev", file=sys.stderr, disable=total is None, mininterval=2) as bar:
        for number, batch in enumerate(itertools.batched(events, size), start=1):
            started = time.perf_counter()
            result = ingest_many(batch)
            spent += time.perf_counter() - started
            if number % ANALYZE_EVERY_BATCHES == 0:
                _analyze_crm()
            if result.failed:
                raise RuntimeError(f"{len(result.failed)} events failed, first: {result.failed[0][1]!r}")
            bar.update(len(batch))
    return spent


def _each(events, apply) -> float:
    started = time.perf_counter()
    for event in events:
        apply(event)
    return time.perf_counter() - started


def _ingest_one(event) -> None:
    from saleor_crm_plugin.ingest import ingest

    ingest(event)


def naive_apply(event) -> None:
    """The first version anyone writes: per event, ORM get/update_or_create and counters re-aggregated.

    Same facts as the real path (receipt, profile, snapshot, counters, spend per currency), but no
    affinities, timeline or touches, and no guest/account merging: it does less, so it is flattered.
    """
    from django.db import transaction
    from django.db.models import Count, DecimalField, F, Max, Min, Q, Sum, Value
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from saleor_crm_plugin.events import Checkout, Customer, normalise_email
    from saleor_crm_plugin.profiles.aggregates import COUNTED_ORDERS
    from saleor_crm_plugin.profiles.models import CheckoutSnapshot, CustomerProfile, CustomerSpend, OrderSnapshot
    from saleor_crm_plugin.profiles.orders import encode_lines
    from saleor_crm_plugin.receipts import ProcessedEvent

    data = event.data
    email = normalise_email(data.email)
    with transaction.atomic():
        _, fresh = ProcessedEvent.objects.get_or_create(
            key=event.key, defaults={"kind": event.kind.value, "processed_at": timezone.now()}
        )
        if not fresh:
            return
        if isinstance(data, Customer):
            CustomerProfile.objects.update_or_create(
                email=email,
                defaults={
                    "saleor_user_id": data.user_id,
                    "user_id": data.user_pk,
                    "first_name": data.first_name,
                    "last_name": data.last_name,
                    "joined_at": data.date_joined,
                    "account_version": data.updated_at,
                },
            )
            return
        profile, _ = CustomerProfile.objects.get_or_create(email=email)
        if isinstance(data, Checkout):
            CheckoutSnapshot.objects.update_or_create(
                token=data.token,
                defaults={
                    "profile": profile,
                    "email": email,
                    "channel": data.channel,
                    "currency": data.currency,
                    "total": data.total,
                    "lines": encode_lines(data.lines),
                    "attribution": data.attribution,
                    "quantity": sum(line.quantity for line in data.lines),
                    "version": data.updated_at,
                    "started_at": data.created_at or data.updated_at,
                },
            )
            return
        at = data.updated_at
        OrderSnapshot.objects.update_or_create(
            saleor_order_id=data.order_id,
            defaults={
                "profile": profile,
                "number": data.number,
                "email": email,
                "channel": data.channel,
                "currency": data.currency,
                "status": data.status,
                "charge_status": data.charge_status,
                "total": data.total,
                "shipping": data.shipping,
                "total_charged": data.total_charged,
                "total_refunded": data.total_refunded,
                "checkout_token": data.checkout_token,
                "lines": encode_lines(data.lines),
                "attribution": data.attribution,
                "placed_at": data.created_at,
                "version": at,
                "paid_at": at if data.charge_status == "full" else None,
                "fulfilled_at": at if data.status == "fulfilled" else None,
                "cancelled_at": at if data.status == "canceled" else None,
                "refunded_at": at if data.total_refunded > 0 else None,
            },
        )
        stats = profile.orders.aggregate(
            counted=Count("id", filter=COUNTED_ORDERS),
            cancelled=Count("id", filter=Q(cancelled_at__isnull=False) | Q(status="canceled")),
            refunded=Count("id", filter=Q(total_refunded__gt=0)),
            first=Min("placed_at", filter=COUNTED_ORDERS),
            last=Max("placed_at", filter=COUNTED_ORDERS),
        )
        profile.orders_count, profile.cancellations_count, profile.refunds_count = (
            stats["counted"],
            stats["cancelled"],
            stats["refunded"],
        )
        profile.first_order_at, profile.last_order_at = stats["first"], stats["last"]
        profile.last_activity_at = max(filter(None, [profile.last_activity_at, data.created_at]))
        profile.save()
        spend = profile.orders.values("currency").annotate(
            n=Count("id", filter=COUNTED_ORDERS),
            total=Coalesce(
                Sum(F("total") - F("total_refunded"), filter=COUNTED_ORDERS), Value(0), output_field=DecimalField()
            ),
        )
        for row in spend:
            CustomerSpend.objects.update_or_create(
                profile=profile, currency=row["currency"], defaults={"orders_count": row["n"], "total": row["total"]}
            )


def _backfill(store, batch_size: int) -> list[tuple[str, int, float]]:
    """run_backfill into an empty CRM, timed per subject, with and without the generator's share."""
    from saleor_crm_plugin.backfill import run_backfill

    source = _TimedSource(store)
    summary = run_backfill(source, batch_size=batch_size, restart=True, progress_to=sys.stderr)
    ended = time.perf_counter()
    orders_started = source.started["orders"]
    wall = {"customers": orders_started - source.started["customers"], "orders": ended - orders_started}
    rows = [("backfill run_backfill (wall)", summary.applied + summary.skipped, summary.seconds)]
    for subject in ("customers", "orders"):
        scanned = summary.scanned[subject]
        rows.append((f"  {subject}/s (wall)", scanned, wall[subject]))
        rows.append((f"  {subject}/s (excl. generator)", scanned, wall[subject] - source.spent[subject]))
    return rows


class _TimedSource:
    """The sandbox source, noting when each subject starts and how long generating it took."""

    def __init__(self, store):
        self.store = store
        self.started: dict[str, float] = {}
        self.spent: Counter[str] = Counter()

    def count(self, subject: str) -> int:
        self.started[subject] = started = time.perf_counter()
        count = self.store.count(subject)
        self.spent[subject] += time.perf_counter() - started
        return count

    def batches(self, subject: str, after: str | None, size: int):
        batches = self.store.backfill_batches(subject, after, size)
        while True:
            started = time.perf_counter()
            batch = next(batches, None)
            self.spent[subject] += time.perf_counter() - started
            if batch is None:
                return
            yield batch


# -- database state --------------------------------------------------------------------------


def counters() -> dict:
    """What must agree however the store got in: order counters and spend per currency."""
    from django.db.models import Count, Sum

    from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerSpend, OrderSnapshot

    profile = CustomerProfile.objects.aggregate(
        orders=Sum("orders_count"), cancellations=Sum("cancellations_count"), refunds=Sum("refunds_count")
    )
    spend = CustomerSpend.objects.values("currency").annotate(n=Sum("orders_count"), total=Sum("total"))
    return {
        **profile,
        "snapshots": OrderSnapshot.objects.aggregate(n=Count("id"))["n"],
        "spend": {row["currency"]: (row["n"], f"{row['total']:.2f}") for row in spend.order_by("currency")},
    }


# This machine's PostgreSQL runs with autovacuum off; a store's has it on. Without fresh statistics
# the planner picks sequential scans on the growing tables, so the benchmark analyses the CRM tables
# every ~100k events, outside the timed section, as autovacuum's analyze would in the background.
ANALYZE_EVERY_BATCHES = 200


def _analyze_crm() -> None:
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for model in apps.get_app_config("saleor_crm_plugin").get_models():
            if model._meta.db_table in existing:  # a model whose migration is still being written has none
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def _truncate_crm() -> None:
    from django.apps import apps
    from django.db import connection

    tables = [model._meta.db_table for model in apps.get_app_config("saleor_crm_plugin").get_models()]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def throughput_table(rows: list[tuple[str, int, float]]) -> None:
    print(f"\n{'measurement':<44}{'rows':>10}{'seconds':>10}{'rows/s':>12}")
    for name, count, seconds in rows:
        print(f"{name:<44}{count:>10,}{seconds:>10.1f}{count / seconds if seconds else 0:>12,.0f}")


if __name__ == "__main__":
    sys.exit(main())
