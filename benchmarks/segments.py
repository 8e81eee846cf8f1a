"""Segment evaluation and RFM scoring over 1M profiles, next to hand-written SQL and a naive Python loop.

    .venv/bin/python -m benchmarks.segments --profiles 1000000 [--naive-sample 20000] [--reuse] [--keep-db]
        [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_segments]

The database is dropped at the end, on failure too, unless --keep-db (then --reuse runs on its store).

The store is generated set-based in SQL (generate_series), not through ingest: profiles with an
exponential number of orders, spend per currency (every 7th buyer in EUR), and each buyer's latest
order as a snapshot with one line. Measured, best of ``--repeat`` runs where a run changes nothing:

  segment query     ``SEGMENT`` compiled by the language → COUNT, next to the same query hand-written
  stored evaluation evaluate_segment(): the first (stores members), an unchanged re-evaluation (set
                    difference, nothing recorded) and one after 1% of buyers moved (records changes)
                    next to a hand-written INSERT … SELECT of the members
  naive loop        a per-customer Python loop (one spend query each) over the first --naive-sample
                    profiles, extrapolated to all profiles (it is linear); it must find the same members
  RFM               score_rfm() next to a hand-written RANK() statement over every customer and a naive
                    Python loop (read and rank everyone in Python, update_or_create on a sample, extrapolated);
                    both must produce score_rfm's scores and groups (compared row by row in SQL)
  live / preview    recheck_profiles() for 1,000 profiles against every segment; preview_segment()
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from .database import add_database_arguments, bench_database, check_database_name, start_django
from .ingest import _analyze_crm

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_segments"
SEGMENT = 'orders_count >= 3 AND spent("USD") > 500 AND last_order_at < -90d'
HAND_WRITTEN = """
SELECT count(*) FROM crm_customer_profile p
JOIN crm_customer_spend s ON s.profile_id = p.id AND s.currency = 'USD'
WHERE p.anonymised_at IS NULL AND p.orders_count >= 3 AND s.total > 500 AND p.last_order_at < %s
"""
HAND_WRITTEN_INSERT = """
INSERT INTO crm_segment_membership (segment_id, profile_id, since)
SELECT %s, p.id, now() FROM crm_customer_profile p
JOIN crm_customer_spend s ON s.profile_id = p.id AND s.currency = 'USD'
WHERE p.anonymised_at IS NULL AND p.orders_count >= 3 AND s.total > 500 AND p.last_order_at < %s
"""
# The same scores and groups as score_rfm, the way the definition reads: RANK() over every customer
# ("customers with a lower value", ties shared), no grouping by distinct values first.
TEXTBOOK_RFM = """
WITH base AS (
    SELECT p.id, CAST(p.last_order_at AT TIME ZONE 'UTC' AS DATE) AS r, p.orders_count AS f,
           COALESCE(ROUND(s.total), 0) AS m,
           CASE WHEN s.orders_count > 0 THEN ROUND(s.total / s.orders_count) ELSE 0 END AS a
    FROM crm_customer_profile p LEFT JOIN crm_customer_spend s ON s.profile_id = p.id AND s.currency = %(currency)s
    WHERE p.orders_count > 0 AND p.last_order_at IS NOT NULL AND p.anonymised_at IS NULL
), scores AS (
    SELECT id, 5 * (RANK() OVER (ORDER BY r) - 1) / COUNT(*) OVER () + 1 AS recency,
           5 * (RANK() OVER (ORDER BY f) - 1) / COUNT(*) OVER () + 1 AS frequency,
           5 * (RANK() OVER (ORDER BY m) - 1) / COUNT(*) OVER () + 1 AS monetary,
           5 * (RANK() OVER (ORDER BY a) - 1) / COUNT(*) OVER () + 1 AS aov
    FROM base
)
INSERT INTO crm_customer_rfm (profile_id, recency, frequency, monetary, aov, "group", currency, computed_at)
SELECT id, recency, frequency, monetary, aov, grid."group", %(currency)s, %(now)s
FROM scores JOIN (VALUES {grid}) AS grid (r, fm, "group") ON grid.r = recency AND grid.fm = (frequency + monetary) / 2
"""
RFM_COLUMNS = 'profile_id, recency, frequency, monetary, aov, "group"'
GENERATE = [
    "SELECT setseed(0.42)",
    """
    INSERT INTO crm_customer_profile (id, email, saleor_user_id, first_name, last_name, is_active, marketing_consent,
        orders_count, cancellations_count, refunds_count, first_order_at, last_order_at, last_activity_at,
        channels, first_touch, last_touch, joined_at, created_at, updated_at, consent_source)
    SELECT n, 'c' || n || '@bench.test', CASE WHEN mod(n, 5) = 0 THEN NULL ELSE 'User:' || n END, 'First', 'Last',
        true, mod(n, 3) = 0, oc, 0, 0,
        CASE WHEN oc > 0 THEN now() - (r_last * 730 + r_span * 365) * interval '1 day' END,
        CASE WHEN oc > 0 THEN now() - r_last * 730 * interval '1 day' END,
        CASE WHEN oc > 0 THEN now() - r_last * 730 * interval '1 day' END,
        '["default-channel"]', '{}', '{}', now() - interval '3 years', now(), now(), ''
    FROM (SELECT n, floor(-ln(1 - random()) * 2.5)::int AS oc, random() AS r_last, random() AS r_span
          FROM generate_series(1, %s) AS n) AS g
    """,
    "SELECT setval(pg_get_serial_sequence('crm_customer_profile', 'id'), (SELECT max(id) FROM crm_customer_profile))",
    """
    INSERT INTO crm_customer_spend (profile_id, currency, orders_count, total)
    SELECT id, CASE WHEN mod(id, 7) = 0 THEN 'EUR' ELSE 'USD' END, orders_count,
           round((orders_count * (20 + random() * 200))::numeric, 2)
    FROM crm_customer_profile WHERE orders_count > 0
    """,
    "DROP INDEX IF EXISTS crm_order_lines_gin",
    """
    INSERT INTO crm_order_snapshot (saleor_order_id, number, email, channel, currency, status, charge_status, total,
        shipping, total_charged, total_refunded, lines, attribution, placed_at, version, profile_id)
    SELECT 'Order:' || id, id::text, email, 'default-channel', 'USD', 'fulfilled', 'full', 50, 0, 50, 0,
        jsonb_build_array(jsonb_build_object('category_id', 'Category:' || mod(id, 40), 'category_name',
            'Category ' || mod(id, 40), 'product_id', 'Product:' || mod(id, 500), 'sku', 'SKU-' || mod(id, 500),
            'quantity', 1)),
        '{}', last_order_at, last_order_at, id
    FROM crm_customer_profile WHERE orders_count > 0
    """,
    "CREATE INDEX crm_order_lines_gin ON crm_order_snapshot USING gin (lines jsonb_path_ops)",
]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db, fresh=not args.reuse):
        start_django(args.database_url)
        if not args.reuse:
            _generate(args.profiles)
        _report(args)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="use the store an earlier run left with --keep-db")
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


def _generate(profiles: int) -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in GENERATE:
            cursor.execute(statement, [profiles] if "%s" in statement else None)
    _analyze_crm()
    print(f"generated {profiles:,} profiles set-based in {time.perf_counter() - started:.1f} s")


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def once(fn: Callable[[], object]) -> tuple[float, object]:
    return best(fn, 1)


def row(name: str, seconds: float, note: str = "") -> None:
    print(f"  {name:<44} {seconds:>9.3f} s  {note}")


def _report(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.utils import timezone

    from saleor_crm_plugin.profiles.models import CustomerProfile
    from saleor_crm_plugin.segments.builtin import ensure_builtin_segments
    from saleor_crm_plugin.segments.language import compile_query
    from saleor_crm_plugin.segments.membership import evaluate_segment, recheck_profiles
    from saleor_crm_plugin.segments.models import Segment, SegmentMembership
    from saleor_crm_plugin.segments.preview import preview_segment
    from saleor_crm_plugin.segments.rfm import score_rfm

    total = CustomerProfile.objects.count()
    buyers = CustomerProfile.objects.filter(orders_count__gt=0).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version(), current_setting('work_mem'), current_setting('max_parallel_workers_per_gather')"
        )
        version, work_mem, workers = cursor.fetchone()
    print(f"{version.split(' on ')[0]}, work_mem {work_mem}, parallel workers per gather {workers}")
    print(f"{total:,} profiles, {buyers:,} buyers; segment: {SEGMENT}")
    now = timezone.now()
    compiled = compile_query(SEGMENT, now)

    def hand_count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(HAND_WRITTEN, [now - timedelta(days=90)])
            return cursor.fetchone()[0]

    print("segment query (COUNT of members):")
    language, members = best(compiled.profiles().count, args.repeat)
    hand, hand_members = best(hand_count, args.repeat)
    assert members == hand_members, (members, hand_members)
    row("segment language → ORM (one query)", language, f"{members:,} members")
    row("hand-written SQL", hand, f"ratio {language / hand:.2f}x")

    sample = min(args.naive_sample, total)
    naive, naive_members = once(lambda: _naive_members(sample, now - timedelta(days=90)))
    expected = compiled.profiles().filter(pk__lte=sample).count()
    assert naive_members == expected, (naive_members, expected)
    row(f"naive Python loop, {sample:,} profiles", naive, f"{naive_members:,} members, same as the query")
    row("naive Python loop, extrapolated to all", naive * total / sample, "(linear: one spend query per profile)")

    print("stored evaluation:")
    segment, _ = Segment.objects.update_or_create(slug="bench", defaults={"name": "Bench", "query": SEGMENT})
    SegmentMembership.objects.filter(segment=segment).delete()
    Segment.objects.filter(pk=segment.pk).update(evaluated_at=None)
    segment.refresh_from_db()
    first, evaluation = once(lambda: evaluate_segment(segment, now))
    row("evaluate_segment, first (stores members)", first, f"{evaluation.member_count:,} members")
    unchanged, evaluation = best(lambda: evaluate_segment(segment, now), args.repeat)
    row("evaluate_segment, nothing changed", unchanged, f"entered {evaluation.entered}, left {evaluation.left}")
    moved = _move_buyers(buyers // 100)
    changed, evaluation = once(lambda: evaluate_segment(segment, timezone.now()))
    row(
        f"evaluate_segment, {moved:,} buyers moved",
        changed,
        f"entered {evaluation.entered:,}, left {evaluation.left:,}",
    )
    hand_insert = _hand_insert(now)
    row("hand-written INSERT … SELECT of the members", hand_insert, f"ratio (first) {first / hand_insert:.2f}x")

    print("RFM scoring:")
    _truncate_rfm()
    rfm, scored = once(lambda: score_rfm(timezone.now(), "USD"))
    row("score_rfm, first (tie-aware quintiles + groups)", rfm, f"{scored:,} customers scored")
    again, written = best(lambda: score_rfm(timezone.now(), "USD"), args.repeat)
    row("score_rfm, again (writes changed scores only)", again, f"{written:,} rows written")
    _keep_rfm_as_expected()
    _truncate_rfm()
    textbook, _ = once(lambda: _textbook_rfm(timezone.now()))
    _check_rfm("hand-written RANK() statement", up_to=None)
    row("hand-written RANK() statement, first", textbook, f"ratio {rfm / textbook:.2f}x, same scores and groups")
    _truncate_rfm()
    rfm_sample = min(args.naive_sample // 4, scored)
    read, write, last = _naive_rfm(rfm_sample)
    _check_rfm("naive Python loop", up_to=last)
    row(f"naive: read all {scored:,}, rank in Python", read)
    row(f"naive: update_or_create {rfm_sample:,} customers", write, "same scores and groups")
    row("naive Python loop, extrapolated to all", read + write * scored / rfm_sample, "(writes are linear)")
    _truncate_rfm()
    score_rfm(timezone.now(), "USD")
    print(f"  groups: {_groups()}")

    print("live and preview:")
    ensure_builtin_segments()
    for builtin in Segment.objects.filter(evaluated_at__isnull=True):
        evaluate_segment(builtin, now)
    ids = list(CustomerProfile.objects.filter(orders_count__gt=0).order_by("?").values_list("pk", flat=True)[:1000])
    live, changes = best(lambda: recheck_profiles(ids), args.repeat)
    row(f"recheck 1,000 profiles x {Segment.objects.count()} segments", live, f"{len(changes)} changes")
    preview, result = best(lambda: preview_segment(SEGMENT), args.repeat)
    row("preview (count + first 10)", preview, f"{result.count:,}")
    _explain(compiled)


def _naive_members(sample: int, cutoff) -> int:
    from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerSpend

    found = 0
    for profile in CustomerProfile.objects.filter(pk__lte=sample, anonymised_at__isnull=True).iterator(2000):
        spend = CustomerSpend.objects.filter(profile=profile, currency="USD").first()
        spent = spend.total if spend else 0
        if profile.orders_count >= 3 and spent > 500 and profile.last_order_at and profile.last_order_at < cutoff:
            found += 1
    return found


def _move_buyers(count: int) -> int:
    """Move ``count`` buyers' last order to now: they leave the 'no order in 90 days' segment."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crm_customer_profile SET last_order_at = now() WHERE id IN "
            "(SELECT id FROM crm_customer_profile WHERE orders_count >= 3 ORDER BY id LIMIT %s)",
            [count],
        )
        return cursor.rowcount


def _hand_insert(now) -> float:
    """The hand-written INSERT … SELECT into the same table (a scratch segment), committed, then removed."""
    from django.db import connection, transaction

    from saleor_crm_plugin.segments.models import Segment

    scratch, _ = Segment.objects.get_or_create(slug="bench-hand", defaults={"name": "Hand", "query": SEGMENT})
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN_INSERT, [scratch.pk, now - timedelta(days=90)])
    elapsed = time.perf_counter() - started
    scratch.delete()
    return elapsed


def _truncate_rfm() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE crm_customer_rfm")


def _textbook_rfm(now) -> None:
    from django.db import connection

    from saleor_crm_plugin.segments.rfm import GRID

    grid = ", ".join(f"({r}, {fm}, '{group}')" for fm, groups in GRID.items() for r, group in enumerate(groups, 1))
    with connection.cursor() as cursor:
        cursor.execute(TEXTBOOK_RFM.format(grid=grid), {"currency": "USD", "now": now})


def _keep_rfm_as_expected() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_rfm_expected")
        cursor.execute(f"CREATE TEMP TABLE bench_rfm_expected AS SELECT {RFM_COLUMNS} FROM crm_customer_rfm")


def _check_rfm(name: str, up_to: int | None) -> None:
    """The scores now in crm_customer_rfm must be score_rfm's, for every customer or those with pk <= ``up_to``."""
    from django.db import connection

    expected = "bench_rfm_expected" + ("" if up_to is None else f" WHERE profile_id <= {int(up_to)}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM (SELECT {RFM_COLUMNS} FROM crm_customer_rfm"
            f" EXCEPT SELECT {RFM_COLUMNS} FROM {expected}) AS extra),"
            f" (SELECT count(*) FROM (SELECT {RFM_COLUMNS} FROM {expected}"
            f" EXCEPT SELECT {RFM_COLUMNS} FROM crm_customer_rfm) AS missing)"
        )
        extra, missing = cursor.fetchone()
    if extra or missing:
        raise SystemExit(f"MISMATCH {name} vs score_rfm: {extra} rows differ or extra, {missing} missing")


def _naive_rfm(sample: int) -> tuple[float, float, int]:
    """The app-server way: read every buyer's values, rank them in Python, update_or_create row by row.

    Returns the seconds to read and rank everyone, the seconds to write the first ``sample`` customers
    (by pk) and the last pk written, so the rows can be checked against score_rfm's.
    """
    from bisect import bisect_left
    from datetime import UTC
    from decimal import ROUND_HALF_UP, Decimal

    from django.utils import timezone

    from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerSpend
    from saleor_crm_plugin.segments.models import CustomerRfm
    from saleor_crm_plugin.segments.rfm import GRID

    def whole(amount: Decimal) -> Decimal:
        return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)

    started = time.perf_counter()
    buyers = CustomerProfile.objects.filter(orders_count__gt=0, last_order_at__isnull=False, anonymised_at__isnull=True)
    spend = {
        pk: (total, orders)
        for pk, total, orders in CustomerSpend.objects.filter(currency="USD").values_list(
            "profile_id", "total", "orders_count"
        )
    }
    values = {}
    for pk, last_order_at, orders_count in buyers.order_by("pk").values_list("pk", "last_order_at", "orders_count"):
        total, orders = spend.get(pk, (None, 0))
        values[pk] = (
            last_order_at.astimezone(UTC).date(),
            orders_count,
            whole(total) if total is not None else 0,
            whole(total / orders) if orders else 0,
        )
    del spend
    columns = [sorted(column) for column in zip(*values.values(), strict=True)]
    count = len(values)

    def score(pk: int) -> list[int]:
        return [5 * bisect_left(column, value) // count + 1 for column, value in zip(columns, values[pk], strict=True)]

    read = time.perf_counter() - started
    started, now = time.perf_counter(), timezone.now()
    written = list(values)[:sample]
    for pk in written:
        recency, frequency, monetary, aov = score(pk)
        CustomerRfm.objects.update_or_create(
            profile_id=pk,
            defaults={"recency": recency, "frequency": frequency, "monetary": monetary, "aov": aov,
                      "group": GRID[(frequency + monetary) // 2][recency - 1], "currency": "USD",
                      "computed_at": now},
        )  # fmt: skip
    return read, time.perf_counter() - started, written[-1]


def _groups() -> str:
    from django.db.models import Count

    from saleor_crm_plugin.segments.models import CustomerRfm

    counts = CustomerRfm.objects.values("group").annotate(n=Count("pk")).order_by("-n")
    return ", ".join(f"{row['group']} {row['n']:,}" for row in counts)


def _explain(compiled) -> None:
    from django.db import connection

    sql, params = compiled.profiles().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT count(*) FROM ({sql}) q", params)
        plan = [line for (line,) in cursor.fetchall()]
    print("EXPLAIN of the compiled segment query:")
    for line in plan:
        print("  " + line)


if __name__ == "__main__":
    sys.exit(main())
