"""Customer predictions at scale: the whole refit next to its statistics statement alone.

    .venv/bin/python -m benchmarks.analytics --customers 100000 [--seed 1] [--keep-db]
        [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_analytics]

The store: ``--customers`` profiles, each with orders simulated by MBG/NBD (first orders spread over
two years, gamma-distributed values), written with COPY into a database made for the run and
dropped after it (its name must contain "bench"). Measured, one run each:

  statistics SQL    the statistics statement alone, executed and fetched (the baseline: what any
                    refit must at least read);
  refit             ``refit_predictions``: the same statement, both fits, numpy scoring, the
                    batched write-back of every customer's row, with its own per-step timings.

Both sides must agree on the statistics: the refit's customers and order days equal the statement's
row count and summed order days, and the historic CLV it wrote sums to the statement's spend (checked).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from .database import add_database_arguments, bench_database, check_database_name, start_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_analytics"
END = datetime(2026, 6, 30, tzinfo=UTC)
HISTORY_DAYS = 730
PARAMS = {"r": 0.6, "alpha": 60.0, "a": 0.9, "b": 2.0}


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db):
        start_django(args.database_url)
        _load(args.customers, args.seed)
        _report()
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analytics", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


def _simulated_orders(rng, customers: int):
    """(customer index, day offset from the store's start, value) of every order, MBG/NBD in whole arrays."""
    first = rng.integers(0, HISTORY_DAYS, customers)
    age = (HISTORY_DAYS - first).astype(float)
    rate = rng.gamma(PARAMS["r"], 1 / PARAMS["alpha"], customers)
    drop = rng.beta(PARAMS["a"], PARAMS["b"], customers)
    mean_value = rng.gamma(4.0, 15.0, customers)
    who, when = [np.arange(customers)], [first.astype(float)]
    now = np.zeros(customers)
    alive = rng.random(customers) >= drop
    while alive.any():
        idx = np.flatnonzero(alive)
        nxt = now[idx] + rng.exponential(1 / rate[idx])
        inside = nxt <= age[idx]
        alive[idx[~inside]] = False
        buyers = idx[inside]
        now[buyers] = nxt[inside]
        who.append(buyers)
        when.append(first[buyers] + nxt[inside])
        alive[buyers] &= rng.random(len(buyers)) >= drop[buyers]
    who, when = np.concatenate(who), np.concatenate(when)
    values = np.round(rng.gamma(6.0, mean_value[who] / 6.0), 2)
    return who, when, values


def _load(customers: int, seed: int) -> None:
    from django.db import connection

    started = time.monotonic()
    who, when, values = _simulated_orders(np.random.default_rng(seed), customers)
    start = END - timedelta(days=HISTORY_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_customer_profile (email, first_name, last_name, is_active, consent_source, orders_count, "
            "cancellations_count, refunds_count, channels, first_touch, last_touch, created_at, updated_at) "
            "SELECT 'c' || i || '@bench.test', '', '', true, '', 0, 0, 0, '[]', '{}', '{}', now(), now() "
            "FROM generate_series(1, %s) AS i",
            [customers],
        )
        cursor.execute("SELECT min(id) FROM crm_customer_profile")
        first_id = cursor.fetchone()[0]
        columns = (
            "saleor_order_id, profile_id, number, email, channel, currency, status, charge_status, total, shipping, "
            "total_charged, total_refunded, lines, attribution, placed_at, version"
        )
        with cursor.copy(f"COPY crm_order_snapshot ({columns}) FROM STDIN") as copy:
            for n, (customer, day, value) in enumerate(zip(who.tolist(), when.tolist(), values.tolist(), strict=True)):
                placed = start + timedelta(days=day)
                row = (f"Order:{n}", first_id + customer, "", "", "", "USD", "fulfilled", "full", value, 0, value, 0)
                copy.write_row((*row, "[]", "{}", placed, placed))
        cursor.execute("ANALYZE crm_order_snapshot")
    seconds = time.monotonic() - started
    print(f"store: {customers} customers, {len(who)} orders over {HISTORY_DAYS} days (loaded in {seconds:.1f}s)")


def _report() -> None:
    from django.db import connection

    from saleor_crm_plugin.analytics.models import CustomerPrediction
    from saleor_crm_plugin.analytics.predictions import refit_predictions
    from saleor_crm_plugin.analytics.predictions_statistics import COUNTED_ORDERS_SOURCE, STATISTICS_SQL
    from saleor_crm_plugin.settings import reload_settings

    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(STATISTICS_SQL.format(source=COUNTED_ORDERS_SOURCE), {"as_of": END, "currency": "USD"})
        rows = cursor.fetchall()
        sql_seconds = time.monotonic() - started
    sql_customers, sql_order_days = len(rows), sum(row[2] + 1 for row in rows)
    sql_spent = sum((row[6] for row in rows), Decimal(0))

    reload_settings()
    started = time.monotonic()
    [fit] = refit_predictions("USD", now=END)
    refit_seconds = time.monotonic() - started
    written_spent = sum(CustomerPrediction.objects.values_list("historic_clv", flat=True).iterator(chunk_size=50_000))

    print(f"{'':<16}{'seconds':>9}  rows")
    print(f"{'statistics SQL':<16}{sql_seconds:>9.2f}  {sql_customers} customers, {sql_order_days} order days")
    print(f"{'refit':<16}{refit_seconds:>9.2f}  {fit.scored_customers} scored ({fit.status})")
    for step, seconds in fit.timings.items():
        print(f"{'  ' + step:<16}{seconds:>9.2f}")
    params = ", ".join(f"{name}={value:.3g}" for name, value in fit.parameters.items())
    print(f"fit: {fit.model} {params}; calibration error {fit.calibration_error:.3f}; true {PARAMS}")
    assert fit.status == "fitted", fit.reason
    assert (fit.customers, fit.orders) == (sql_customers, sql_order_days), "the refit read other statistics"
    assert fit.scored_customers == sql_customers and written_spent == sql_spent, "the write-back lost customers"
    print("check: refit statistics == SQL statement alone (customers, order days, spend): ok")


if __name__ == "__main__":
    raise SystemExit(main())
