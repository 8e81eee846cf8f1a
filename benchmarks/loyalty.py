"""Loyalty throughput: award and release points for many orders, reconcile many accounts, each
next to the naive per-row ORM loop a developer writes first, and checked to reach the same answer.

    .venv/bin/python -m benchmarks.loyalty --orders 1000000 --accounts 100000 [--batch-size 5000]
        [--baseline-sample 5000] [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_loyalty] [--keep-db]

The store (profiles and paid order snapshots) is generated set-based in SQL. Measured:
  sample    the first --baseline-sample orders from empty loyalty tables, twice: settle_orders and
            release_due_points, then the naive loop (per order: read the snapshot, lock/create the
            account, insert standing and ledger entry, update the account; then per order again to
            release). Both commit once per --batch-size orders, so only the per-row work differs.
            Checked equal: every order's points and release, every account's pending points and
            released base points (the naive loop has no tier bonuses, so those are left out).
  award     settle_orders over all orders in runs of --batch-size, from empty (what the ingest subscriber
            does per run), then release_due_points with time moved past the return window
  reconcile drifted_accounts over every account, 1% of them corrupted, next to a per-account SUM loop on a
            sample (checked: both find the same corrupted accounts of the sample); then repair_drift
            (checked: nothing drifted after)
Exits 1 on a mismatch. The database (name must contain "bench") is dropped at the end unless --keep-db.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta

from .database import add_database_arguments, bench_database, check_database_name, start_django
from .ingest import throughput_table

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_loyalty"
LOYALTY_TABLES = "crm_loyalty_ledger, crm_loyalty_order_points, crm_loyalty_account"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db):
        start_django(args.database_url)
        _generate(args.accounts, args.orders)
        sample = _order_ids(limit=args.baseline_sample)
        rows, same = _sample(sample, args.batch_size)
        rows += _award_and_release(args)
        reconcile_rows, reconciled = _reconcile(args)
    throughput_table(rows + reconcile_rows)
    print(f"\nsample: settle_orders = naive loop (order points, releases, pending, released points): "
          f"{'OK' if same else 'MISMATCH'}")  # fmt: skip
    print(f"reconcile: drifted_accounts = naive SUM loop on the sample, none drifted after repair: "
          f"{'OK' if reconciled else 'MISMATCH'}")  # fmt: skip
    return 0 if same and reconciled else 1


def _generate(accounts: int, orders: int) -> None:
    """Registered profiles and paid order snapshots, made by PostgreSQL in a few statements."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO crm_customer_profile (email, saleor_user_id, first_name, last_name, is_active, orders_count,
                cancellations_count, refunds_count, channels, first_touch, last_touch, created_at, updated_at,
                consent_source)
            SELECT 'shopper' || i || '@example.com', 'User:' || i, '', '', true, 0, 0, 0, '[]', '{}', '{}',
                now(), now(), ''

            FROM generate_series(1, %s) AS i
            """,
            [accounts],
        )
        cursor.execute(
            """
            INSERT INTO crm_order_snapshot (saleor_order_id, number, email, channel, currency, status, charge_status,
                total, shipping, total_charged, total_refunded, lines, attribution, placed_at, version, paid_at,
                profile_id)
            SELECT 'Order:' || i, i::text, '', 'default-channel', 'USD', 'unfulfilled', 'full',
                t.total, 5, t.total, 0, '[]', '{}', now() - interval '1 day', now(), now() - interval '1 day',
                p.first_id + (i %% %s)
            FROM generate_series(1, %s) AS i
            CROSS JOIN LATERAL (SELECT (10 + (i::bigint * 7919) %% 490)::numeric(20, 3) + 0.99 AS total) AS t
            CROSS JOIN (SELECT min(id) AS first_id FROM crm_customer_profile) AS p
            """,
            [accounts, orders],
        )
        cursor.execute("ANALYZE")
    print(f"generated {accounts:,} profiles and {orders:,} paid orders in {time.monotonic() - started:.1f}s")


def _order_ids(limit: int | None = None, offset: int = 0) -> list[str]:
    from saleor_crm_plugin.profiles.models import OrderSnapshot

    ids = OrderSnapshot.objects.order_by("pk").values_list("saleor_order_id", flat=True)
    return list(ids[offset : offset + limit] if limit else ids[offset:])


def _sample(ids: list[str], batch_size: int) -> tuple[list[tuple[str, int, float]], bool]:
    """The same orders from empty tables, the project's way then the naive way; returns rows and equality."""
    from django.db import transaction
    from django.utils import timezone

    from saleor_crm_plugin.loyalty.earning import release_due_points, settle_orders
    from saleor_crm_plugin.loyalty.program import current_program

    program, now = current_program(), timezone.now()
    _empty_loyalty()
    started = time.monotonic()
    for run in _runs(ids, batch_size):
        with transaction.atomic():
            settle_orders(run, program, now)
    award = time.monotonic() - started
    started = time.monotonic()
    release_due_points(program, now + timedelta(days=15), batch=batch_size)
    release = time.monotonic() - started
    settled = _outcome()

    _empty_loyalty()
    naive_award, naive_release = _naive_award_and_release(ids, batch_size, program, now)
    naive = _outcome()
    _empty_loyalty()
    if settled != naive:
        differing = [key for key in settled.keys() | naive.keys() if settled.get(key) != naive.get(key)]
        print(f"sample MISMATCH on {len(differing)} orders/accounts, e.g. {differing[:3]}", file=sys.stderr)
    n = len(ids)
    return [
        (f"sample: award (settle_orders, runs of {batch_size})", n, award),
        ("sample: release_due_points", n, release),
        (f"sample: naive award (commit per {batch_size})", n, naive_award),
        (f"sample: naive release (commit per {batch_size})", n, naive_release),
    ], settled == naive


def _runs(ids: list[str], size: int):
    return (ids[start : start + size] for start in range(0, len(ids), size))


def _empty_loyalty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {LOYALTY_TABLES} RESTART IDENTITY CASCADE")


def _outcome() -> dict:
    """What both paths must agree on: each order's points and release, each account's pending and released points."""
    from django.db.models import Q, Sum

    from saleor_crm_plugin.loyalty.models import LoyaltyAccount, OrderPoints

    orders = {
        ("order", order_id): (points, released_at is not None)
        for order_id, points, released_at in OrderPoints.objects.values_list("saleor_order_id", "points", "released_at")
    }
    released = Sum("ledger__available_change", filter=Q(ledger__kind="release"), default=0)
    accounts = {
        ("account", profile_id): (pending, released_points)
        for profile_id, pending, released_points in LoyaltyAccount.objects.annotate(released=released).values_list(
            "profile_id", "pending", "released"
        )
    }
    return orders | accounts


def _award_and_release(args) -> list[tuple[str, int, float]]:
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from saleor_crm_plugin.loyalty.earning import release_due_points, settle_orders
    from saleor_crm_plugin.loyalty.program import current_program

    program, now = current_program(), timezone.now()
    ids = _order_ids()
    started = time.monotonic()
    for run in tqdm(_runs(ids, args.batch_size), total=-(-len(ids) // args.batch_size), unit="run", desc="award"):
        with transaction.atomic():
            settle_orders(run, program, now)
    award = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.monotonic()
    released = release_due_points(program, now + timedelta(days=15), batch=args.batch_size)
    release = time.monotonic() - started
    return [
        (f"award (settle_orders, runs of {args.batch_size})", len(ids), award),
        ("release_due_points", released, release),
    ]


def _naive_award_and_release(ids: list[str], batch_size: int, program, now) -> tuple[float, float]:
    """The per-row loop: one snapshot read, account lock and three writes per order, twice."""
    from django.db import transaction

    from saleor_crm_plugin.loyalty.models import LoyaltyAccount, OrderPoints, PointsLedgerEntry
    from saleor_crm_plugin.profiles.models import OrderSnapshot

    window = timedelta(days=program.settings.loyalty_return_window_days)
    started = time.monotonic()
    for run in _runs(ids, batch_size):
        with transaction.atomic():
            for order_id in run:
                snapshot = OrderSnapshot.objects.get(saleor_order_id=order_id)
                account, _ = LoyaltyAccount.objects.select_for_update().get_or_create(profile_id=snapshot.profile_id)
                amount = program.earning_amount(snapshot.total, snapshot.shipping, snapshot.lines)
                points = program.points_for(amount, snapshot.channel)
                OrderPoints.objects.create(
                    account=account, saleor_order_id=order_id, number=snapshot.number, channel=snapshot.channel,
                    currency=snapshot.currency, amount=amount, points=points, placed_at=snapshot.placed_at,
                    release_at=snapshot.paid_at + window,
                )  # fmt: skip
                account.pending += points
                PointsLedgerEntry.objects.create(
                    account=account, kind="pending", points=points, pending_change=points,
                    available_after=account.available, pending_after=account.pending, debt_after=0,
                    idempotency_key=f"naive-pending:{order_id}", occurred_at=now,
                )  # fmt: skip
                account.save(update_fields=["pending"])
    award = time.monotonic() - started
    due = now + timedelta(days=15)
    standing_ids = list(
        OrderPoints.objects.filter(saleor_order_id__in=ids, release_at__lte=due).values_list("pk", flat=True)
    )
    started = time.monotonic()
    for run in _runs(standing_ids, batch_size):
        with transaction.atomic():
            for standing_id in run:
                standing = OrderPoints.objects.select_for_update().get(pk=standing_id)
                account = LoyaltyAccount.objects.select_for_update().get(pk=standing.account_id)
                account.pending -= standing.points
                account.available += standing.points
                PointsLedgerEntry.objects.create(
                    account=account, kind="release", points=standing.points, available_change=standing.points,
                    pending_change=-standing.points, available_after=account.available, pending_after=account.pending,
                    debt_after=0, idempotency_key=f"naive-release:{standing.saleor_order_id}", occurred_at=due,
                )  # fmt: skip
                account.save(update_fields=["pending", "available"])
                standing.released_at = due
                standing.save(update_fields=["released_at"])
    return award, time.monotonic() - started


def _reconcile(args) -> tuple[list[tuple[str, int, float]], bool]:
    from django.db.models import F, Q, Sum

    from saleor_crm_plugin.loyalty.ledger import NOT_LIFETIME
    from saleor_crm_plugin.loyalty.models import LedgerKind, LoyaltyAccount
    from saleor_crm_plugin.loyalty.reconcile import drifted_accounts, repair_drift

    accounts = LoyaltyAccount.objects.count()
    clean, _ = drifted_accounts(limit=20)
    corrupt = set(LoyaltyAccount.objects.order_by("?").values_list("pk", flat=True)[: accounts // 100])
    LoyaltyAccount.objects.filter(pk__in=corrupt).update(available=F("available") + 7)
    started = time.monotonic()
    found, drifts = drifted_accounts()
    check = time.monotonic() - started

    sample = list(LoyaltyAccount.objects.order_by("pk")[: args.baseline_sample])
    lifetime = Q(ledger__kind__in=[kind for kind in LedgerKind if kind not in NOT_LIFETIME])
    started = time.monotonic()
    naive = set()
    for account in sample:  # what a developer writes first: one SUM query per account
        sums = LoyaltyAccount.objects.filter(pk=account.pk).aggregate(
            available=Sum("ledger__available_change", default=0),
            pending=Sum("ledger__pending_change", default=0),
            debt=Sum("ledger__debt_change", default=0),
            lifetime=Sum(F("ledger__available_change") - F("ledger__debt_change"), filter=lifetime, default=0),
        )
        if sums != {f: getattr(account, f) for f in sums}:
            naive.add(account.pk)
    naive_seconds = time.monotonic() - started

    started = time.monotonic()
    repaired = repair_drift()
    repair = time.monotonic() - started
    after, _ = drifted_accounts(limit=20)
    in_sample = {account.pk for account in sample}
    print(
        f"reconcile: {clean} drifted before corruption, {len(corrupt):,} corrupted, {found:,} found, "
        f"{len(naive):,} of the sample's {len(corrupt & in_sample):,} found by the naive loop, "
        f"{repaired:,} repaired, {after} after"
    )
    ok = (
        clean == 0
        and {drift.account_id for drift in drifts} == corrupt
        and naive == corrupt & in_sample
        and repaired == len(corrupt)
        and after == 0
    )
    return [
        ("reconcile check (drifted_accounts)", accounts, check),
        ("naive per-account SUM loop, sample", len(sample), naive_seconds),
        ("reconcile --repair after 1% corrupted", accounts, repair),
    ], ok


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--baseline-sample", type=int, default=5000)
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


if __name__ == "__main__":
    sys.exit(main())
