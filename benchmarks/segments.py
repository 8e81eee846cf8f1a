"""Segment evaluation and RFM scoring over 1M profiles, next to hand-written SQL and a naive Python loop.

    .venv/bin/python -m benchmarks.segments --profiles 1000000 [--naive-sample 20000] [--reuse]
        [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_segments]

The store is generated set-based in SQL (generate_series), not through ingest: profiles with an
exponential number of orders, spend per currency (every 7th buyer in EUR), and each buyer's latest
order as a snapshot with one line. Measured, best of ``--repeat`` runs where a run changes nothing:

  segment query     ``SEGMENT`` compiled by the language → COUNT, next to the same query hand-written
  stored evaluation evaluate_segment(): the first (stores members), an unchanged re-evaluation (set
                    difference, nothing recorded) and one after 1% of buyers moved (records changes)
                    next to a hand-written INSERT … SELECT of the members
  naive loop        a per-customer Python loop (one spend query each) over the first --naive-sample
                    profiles, extrapolated to all profiles (it is linear); it must find the same members
  RFM               score_rfm() next to the textbook NTILE(5) statement and a naive Python loop
                    (per-customer update_or_create, on a sample, extrapolated)
  live / preview    recheck_profiles() for 1,000 profiles against every segment; preview_segment()
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from .ingest import _analyze_crm, _db_config, start_django

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
TEXTBOOK_RFM = """
INSERT INTO crm_customer_rfm (profile_id, recency, frequency, monetary, aov, "group", currency, computed_at)
SELECT p.id, NTILE(5) OVER (ORDER BY p.last_order_at), NTILE(5) OVER (ORDER BY p.orders_count),
       NTILE(5) OVER (ORDER BY COALESCE(s.total, 0)), 1, '', 'USD', %s
FROM crm_customer_profile p LEFT JOIN crm_customer_spend s ON s.profile_id = p.id AND s.currency = 'USD'
WHERE p.orders_count > 0 AND p.last_order_at IS NOT NULL AND p.anonymised_at IS NULL
ON CONFLICT (profile_id) DO UPDATE SET recency = excluded.recency, frequency = excluded.frequency,
    monetary = excluded.monetary, computed_at = excluded.computed_at
"""
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
    if "bench" not in _db_config(args.database_url)["NAME"]:
        raise SystemExit("the benchmark database's name must contain 'bench'")
    start_django(args.database_url, recreate=not args.reuse)
    if not args.reuse:
        _generate(args.profiles)
    _report(args)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the generated store of an earlier run")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    return parser.parse_args(argv)


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
    _truncate_rfm()
    textbook, _ = once(lambda: _textbook_rfm(timezone.now()))
    row("hand-written textbook NTILE(5) statement, first", textbook, f"ratio {rfm / textbook:.2f}x")
    rfm_sample = min(args.naive_sample // 4, buyers)
    naive_rfm = _naive_rfm(rfm_sample)
    row(f"naive Python loop, {rfm_sample:,} customers", naive_rfm)
    row("naive Python loop, extrapolated to all", naive_rfm * buyers / rfm_sample, "(update_or_create each)")
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

    with connection.cursor() as cursor:
        cursor.execute(TEXTBOOK_RFM, [now])


def _naive_rfm(sample: int) -> float:
    from saleor_crm_plugin.profiles.models import CustomerProfile
    from saleor_crm_plugin.segments.models import CustomerRfm

    started = time.perf_counter()
    rows = []
    for profile in CustomerProfile.objects.filter(orders_count__gt=0).order_by("pk")[:sample]:
        spend = profile.spend.filter(currency="USD").first()
        rows.append((profile, profile.last_order_at, profile.orders_count, spend.total if spend else 0))

    def scores(values):
        ordered = sorted(values)
        return [5 * ordered.index(v) // len(values) + 1 for v in values]

    recency, frequency, monetary = (scores([r[i] for r in rows]) for i in (1, 2, 3))
    for (profile, *_), r, f, m in zip(rows, recency, frequency, monetary, strict=True):
        CustomerRfm.objects.update_or_create(
            profile=profile,
            defaults={"recency": r, "frequency": f, "monetary": m, "aov": 1, "group": "", "currency": "USD",
                      "computed_at": profile.last_order_at},
        )  # fmt: skip
    return time.perf_counter() - started


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
