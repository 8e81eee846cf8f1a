"""``crmAnalytics`` latency on a generated store, next to computing the same KPIs straight from the snapshots.

    .venv/bin/python -m benchmarks.store_analytics --customers 100000 [--requests 30] [--seed 1]
        [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_store_analytics] [--keep-db] [--reuse]

Why each measurement:
  refresh full      refresh_store_analytics(full=True): every table rebuilt from the snapshots and the ledger.
  refresh changed   the incremental refresh after 50 more shoppers ordered (what beat does every 15 minutes).
  crmAnalytics KPIs the per-currency KPIs through the API (Django test Client, real auth, no HTTP socket),
                    for a year and for 30 days, from the rollup tables.
  whole page        the same query with everything the analytics page shows (the series per week for a
                    year, per day for 30 days; cohorts, liability, flows, helpdesk, RFM history).
  baseline          the same per-currency KPIs computed straight from crm_order_snapshot with one SQL
                    statement (window functions over every order): what the query would cost without rollups.
Both sides must give the same KPIs (checked per currency, field by field) or the run fails.

The store comes from the sandbox generator through the project's backfill (same ingest path as live
orders). The database (name must contain "bench") is dropped at the end, on failure too, unless
--keep-db; --reuse runs on a kept one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .database import add_database_arguments, bench_database, check_database_name, start_django
from .ingest import _analyze_crm

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_store_analytics"
KPIS = """kpis { currency orders refundedOrders customers newCustomers repeatPurchaseRate averageDaysBetweenOrders
  revenue { amount } refunds { amount } averageOrderValue { amount } }"""
# The KPIs alone (what the baseline computes), and the analytics page's whole read.
KPIS_QUERY = f"query($from: Date!, $to: Date!) {{ crmAnalytics(period: {{from: $from, to: $to}}) {{ {KPIS} }} }}"
PAGE_QUERY = f"""query($from: Date!, $to: Date!, $interval: CrmAnalyticsInterval) {{
  crmAnalytics(period: {{from: $from, to: $to}}) {{ {KPIS}
  days(interval: $interval) {{ date currency orders customers revenue {{ amount }} }}
  cohorts {{ month months {{ monthsSince customers }} }}
  loyalty {{ currency outstandingPoints value {{ amount }} }} flows {{ slug conversions }}
  helpdesk {{ ticketsCreated csat }} rfmGroups {{ date group customers }} }} }}"""
# The KPIs straight from the snapshots: every counted order with its customer's previous one.
BASELINE = """
WITH counted AS (
    SELECT o.profile_id, o.currency, o.placed_at, o.total,
           LAG(o.placed_at) OVER (PARTITION BY o.profile_id, o.currency ORDER BY o.placed_at, o.id) AS prev
    FROM crm_order_snapshot o
    WHERE o.status NOT IN ('draft', 'canceled', 'expired') AND o.cancelled_at IS NULL
), period AS (
    SELECT * FROM counted WHERE placed_at >= %(start)s AND placed_at < %(end)s
), customers AS (
    SELECT currency, profile_id, COUNT(*) AS n, BOOL_OR(prev IS NULL) AS is_new FROM period
    GROUP BY currency, profile_id
), refunds AS (
    SELECT o.currency, COUNT(*) AS n, SUM(o.total_refunded) AS amount FROM crm_order_snapshot o
    WHERE o.status NOT IN ('draft', 'canceled', 'expired') AND o.cancelled_at IS NULL
      AND o.total_refunded > 0 AND o.refunded_at >= %(start)s AND o.refunded_at < %(end)s
    GROUP BY o.currency
)
SELECT p.currency, p.orders, p.revenue, p.repeat_orders, p.gap_seconds,
       c.customers, c.new_customers, c.repeat_customers, COALESCE(r.n, 0), COALESCE(r.amount, 0)
FROM (
    SELECT currency, COUNT(*) AS orders, SUM(total) AS revenue, COUNT(prev) AS repeat_orders,
           COALESCE(SUM(FLOOR(EXTRACT(EPOCH FROM placed_at - prev))), 0) AS gap_seconds
    FROM period GROUP BY currency
) p
JOIN (
    SELECT currency, COUNT(*) AS customers, COUNT(*) FILTER (WHERE is_new) AS new_customers,
           COUNT(*) FILTER (WHERE NOT (is_new AND n = 1)) AS repeat_customers
    FROM customers GROUP BY currency
) c ON c.currency = p.currency
LEFT JOIN refunds r ON r.currency = p.currency
ORDER BY p.currency
"""


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db, fresh=not args.reuse):
        start_django(args.database_url)
        _run(args)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per measurement (median shown)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="use the store an earlier run left with --keep-db")
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


def _run(args: argparse.Namespace) -> None:
    from django.test import Client

    from saleor_crm_plugin.analytics.rollups import refresh_store_analytics
    from saleor_crm_plugin.auth import Permission
    from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot

    from .api import staff_token

    if not args.reuse:
        _load_store(args)
    _analyze_crm()
    print(f"store: {CustomerProfile.objects.count()} profiles, {OrderSnapshot.objects.count()} orders")
    rows = [("refresh full (once)", _seconds(lambda: refresh_store_analytics(full=True)) * 1000)]
    _order_more(args)
    rows.append(("refresh changed, 50 new orders (once)", _seconds(refresh_store_analytics) * 1000))
    client = Client(headers={"Authorization": f"Bearer {staff_token('analyst@bench.test', Permission.MANAGE_USERS)}"})
    today = datetime.now(UTC).date()
    ranges = (("a year", today - timedelta(days=365), "WEEK"), ("30 days", today - timedelta(days=29), "DAY"))
    for label, first, interval in ranges:
        api_kpis, api_ms = _timed(args.requests, lambda first=first: _api(client, KPIS_QUERY, first, today))
        page_kpis, page_ms = _timed(
            args.requests, lambda first=first, interval=interval: _api(client, PAGE_QUERY, first, today, interval)
        )
        base_kpis, base_ms = _timed(args.requests, lambda first=first: _baseline(first, today))
        if not api_kpis == page_kpis == base_kpis:
            raise SystemExit(f"MISMATCH over {label}:\n  crmAnalytics {api_kpis}\n  baseline     {base_kpis}")
        orders = sum(k["orders"] for k in api_kpis)
        rows += [
            (f"crmAnalytics KPIs, {label} ({orders} orders)", api_ms),
            (f"baseline SQL KPIs, {label}", base_ms),
            (f"crmAnalytics whole page, {label}, series per {interval.lower()}", page_ms),
        ]
    print(f"\n{'measurement':58} {'ms (median)':>12}")
    for name, ms in rows:
        print(f"{name:58} {ms:12.1f}")
    print("\ncrmAnalytics KPIs equal the baseline's for both ranges (every currency, every field).")


def _load_store(args: argparse.Namespace) -> None:
    from saleor_crm_plugin.backfill import run_backfill
    from saleor_crm_plugin.sandbox.generator import StoreGenerator
    from saleor_crm_plugin.sandbox.ports import GeneratedStoreSource
    from saleor_crm_plugin.sandbox.users import create_users
    from saleor_crm_plugin.segments.rfm import score_rfm

    store = StoreGenerator(customers=args.customers, seed=args.seed)
    source = GeneratedStoreSource.recording(store)
    create_users(store)
    summary = run_backfill(source, batch_size=args.batch_size, progress_to=sys.stderr)
    print(f"backfill: {summary.applied} events in {summary.seconds:.0f}s, failed {summary.failed}")
    score_rfm()


def _order_more(args: argparse.Namespace) -> None:
    """Fifty existing shoppers order again today: the incremental refresh recomputes only their days."""
    from saleor_crm_plugin.events import Event, EventKind, Order
    from saleor_crm_plugin.ids import global_id
    from saleor_crm_plugin.ingest import ingest_many
    from saleor_crm_plugin.profiles.models import CustomerProfile

    now = datetime.now(UTC).replace(microsecond=0)
    buyers = CustomerProfile.objects.filter(orders_count__gt=0).order_by("pk").values_list("email", flat=True)[:50]
    total = Decimal("42.50")
    orders = [
        Order(
            order_id=global_id("Order", f"bench-more-{n}"),
            number=f"M{n}",
            status="fulfilled",
            channel="default-channel",
            currency="USD",
            total=total,
            shipping=Decimal(0),
            created_at=now,
            updated_at=now,
            email=email,
            charge_status="full",
            total_charged=total,
        )
        for n, email in enumerate(buyers)
    ]
    ingest_many(Event(EventKind.ORDER_UPDATED, order) for order in orders)


def _api(client, query: str, first: date, last: date, interval: str | None = None) -> list[dict]:
    variables = {"from": first.isoformat(), "to": last.isoformat(), "interval": interval}
    body = json.dumps({"query": query, "variables": variables})
    response = client.post("/plugins/global/saleor.crm/graphql/", body, content_type="application/json")
    payload = response.json()
    if response.status_code != 200 or "errors" in payload:
        raise SystemExit(f"crmAnalytics failed: {payload}")
    return [
        {
            "currency": k["currency"],
            "orders": k["orders"],
            "revenue": Decimal(k["revenue"]["amount"]),
            "refunded_orders": k["refundedOrders"],
            "refunds": Decimal(k["refunds"]["amount"]),
            "customers": k["customers"],
            "new_customers": k["newCustomers"],
            "repeat_purchase_rate": k["repeatPurchaseRate"] and Decimal(k["repeatPurchaseRate"]),
            "average_days_between_orders": k["averageDaysBetweenOrders"] and Decimal(k["averageDaysBetweenOrders"]),
        }
        for k in payload["data"]["crmAnalytics"]["kpis"]
    ]


def _baseline(first: date, last: date) -> list[dict]:
    from django.db import connection

    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(BASELINE, {"start": start, "end": end})
        rows = cursor.fetchall()
    result = []
    for currency, orders, revenue, repeat_orders, gaps, customers, new, repeat, refunded, refunds in rows:
        result.append(
            {
                "currency": currency,
                "orders": orders,
                "revenue": _cents(revenue),
                "refunded_orders": refunded,
                "refunds": _cents(refunds),
                "customers": customers,
                "new_customers": new,
                "repeat_purchase_rate": _places(Decimal(repeat) / customers, "0.0001"),
                "average_days_between_orders": _places(Decimal(gaps) / repeat_orders / 86400, "0.01")
                if repeat_orders
                else None,
            }
        )
    return result


def _cents(value) -> Decimal:
    return _places(Decimal(value), "0.01")


def _places(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _timed(requests: int, call) -> tuple[object, float]:
    """The answer and the median milliseconds over ``requests`` calls (after one warm-up)."""
    answer = call()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return answer, statistics.median(samples)


if __name__ == "__main__":
    sys.exit(main())
