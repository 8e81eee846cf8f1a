"""Loyalty throughput: award and release points for many orders, reconcile many accounts, each
next to the naive per-row ORM loop a developer writes first.

    .venv/bin/python -m benchmarks.loyalty --orders 1000000 --accounts 100000 [--batch-size 5000]
        [--baseline-sample 5000] [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_loyalty] [--keep-db]

The store (profiles and paid order snapshots) is generated set-based in SQL. Measured:
  award     settle_orders over the orders in runs of --batch-size (what the ingest subscriber does per run)
  release   release_due_points with time moved past the return window (the scheduled task)
  naive     per order: read the snapshot, lock/create the account, insert standing and ledger entry,
            update the account; then per order again to release (on a sample of --baseline-sample orders)
  reconcile drifted_accounts over every account, then repair_drift after corrupting 1% of them, next to a
            per-account SUM query loop (on a sample)
All paths end in the same balances for the sample (checked). The database name must contain "bench".
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta

from benchmarks.ingest import finish, start_django, throughput_table

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_loyalty"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("the database name must contain 'bench'")
    start_django(args.database_url, recreate=True)
    rows = []
    try:
        _generate(args.accounts, args.orders)
        rows += _award_and_release(args)
        rows += _naive_award_and_release(args)
        rows += _reconcile(args)
    finally:
        finish(args.database_url, args.keep_db)
    throughput_table(rows)
    return 0


def _generate(accounts: int, orders: int) -> None:
    """Registered profiles and paid order snapshots, made by PostgreSQL in a few statements."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO crm_customer_profile (email, saleor_user_id, first_name, last_name, is_active, orders_count,
                cancellations_count, refunds_count, channels, first_touch, last_touch, created_at, updated_at)
            SELECT 'shopper' || i || '@example.com', 'User:' || i, '', '', true, 0, 0, 0, '[]', '{}', '{}', now(), now()
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


def _award_and_release(args) -> list[tuple[str, int, float]]:
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from saleor_crm_plugin.loyalty.earning import release_due_points, settle_orders
    from saleor_crm_plugin.loyalty.program import current_program

    program, now = current_program(), timezone.now()
    ids = _order_ids(offset=args.baseline_sample)  # the sample is left for the naive loop
    started = time.monotonic()
    for start in tqdm(range(0, len(ids), args.batch_size), unit="run", desc="award"):
        with transaction.atomic():
            settle_orders(ids[start : start + args.batch_size], program, now)
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


def _naive_award_and_release(args) -> list[tuple[str, int, float]]:
    """The per-row loop: one snapshot read, account lock and three writes per order, twice."""
    from django.db import transaction
    from django.utils import timezone

    from saleor_crm_plugin.loyalty.models import LoyaltyAccount, OrderPoints, PointsLedgerEntry
    from saleor_crm_plugin.loyalty.program import current_program
    from saleor_crm_plugin.profiles.models import OrderSnapshot

    program, now = current_program(), timezone.now()
    ids = _order_ids(limit=args.baseline_sample)
    started = time.monotonic()
    for order_id in ids:
        with transaction.atomic():
            snapshot = OrderSnapshot.objects.get(saleor_order_id=order_id)
            account, _ = LoyaltyAccount.objects.select_for_update().get_or_create(profile_id=snapshot.profile_id)
            amount = program.earning_amount(snapshot.total, snapshot.shipping, snapshot.lines)
            points = program.points_for(amount, snapshot.channel)
            OrderPoints.objects.create(
                account=account, saleor_order_id=order_id, number=snapshot.number, channel=snapshot.channel,
                currency=snapshot.currency, amount=amount, points=points, placed_at=snapshot.placed_at,
                release_at=snapshot.paid_at + timedelta(days=14),
            )  # fmt: skip
            account.pending += points
            PointsLedgerEntry.objects.create(
                account=account, kind="pending", points=points, pending_change=points,
                available_after=account.available, pending_after=account.pending, debt_after=0,
                idempotency_key=f"naive-pending:{order_id}", occurred_at=now,
            )  # fmt: skip
            account.save(update_fields=["pending"])
    award = time.monotonic() - started
    started = time.monotonic()
    for standing_id in OrderPoints.objects.filter(saleor_order_id__in=ids).values_list("pk", flat=True):
        with transaction.atomic():
            standing = OrderPoints.objects.select_for_update().get(pk=standing_id)
            account = LoyaltyAccount.objects.select_for_update().get(pk=standing.account_id)
            account.pending -= standing.points
            account.available += standing.points
            PointsLedgerEntry.objects.create(
                account=account, kind="release", points=standing.points, available_change=standing.points,
                pending_change=-standing.points, available_after=account.available, pending_after=account.pending,
                debt_after=0, idempotency_key=f"naive-release:{standing.saleor_order_id}", occurred_at=now,
            )  # fmt: skip
            account.save(update_fields=["pending", "available"])
            standing.released_at = now
            standing.save(update_fields=["released_at"])
    release = time.monotonic() - started
    return [("naive per-order award, sample", len(ids), award), ("naive per-order release, sample", len(ids), release)]


def _reconcile(args) -> list[tuple[str, int, float]]:
    from django.db.models import Sum

    from saleor_crm_plugin.loyalty.models import LoyaltyAccount, PointsLedgerEntry
    from saleor_crm_plugin.loyalty.reconcile import drifted_accounts, repair_drift

    accounts = LoyaltyAccount.objects.count()
    started = time.monotonic()
    clean, _ = drifted_accounts(limit=20)
    check = time.monotonic() - started
    # lifetime of the naive sample's accounts is not tracked by the naive loop: that drift is real and expected
    corrupt = list(LoyaltyAccount.objects.order_by("?").values_list("pk", flat=True)[: accounts // 100])
    LoyaltyAccount.objects.filter(pk__in=corrupt).update(available=123456789)
    started = time.monotonic()
    repaired = repair_drift()
    repair = time.monotonic() - started
    after, _ = drifted_accounts(limit=20)
    print(
        f"reconcile: {clean:,} drifted before corruption (the naive sample's lifetime), "
        f"{repaired:,} repaired, {after} after"
    )
    sample = list(LoyaltyAccount.objects.order_by("pk")[: args.baseline_sample])
    started = time.monotonic()
    drifted = 0
    for account in sample:
        sums = PointsLedgerEntry.objects.filter(account=account).aggregate(
            a=Sum("available_change"), p=Sum("pending_change"), d=Sum("debt_change")
        )
        drifted += (sums["a"] or 0, sums["p"] or 0, sums["d"] or 0) != (
            account.available,
            account.pending,
            account.debt,
        )
    naive = time.monotonic() - started
    return [
        ("reconcile check (drifted_accounts)", accounts, check),
        ("reconcile --repair after 1% corrupted", accounts, repair),
        ("naive per-account SUM loop, sample", len(sample), naive),
    ]


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--baseline-sample", type=int, default=5000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
