"""Recommendations on a generated store: the set-based SQL rebuild next to a naive Python one, and the
offline evaluation against popularity.

    .venv/bin/python -m benchmarks.recommendations --customers 20000 [--seed 1] [--repeat 3] [--reuse] [--keep-db]
        [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_reco]

The store is the sandbox generator's (shoppers with favourite categories, companion products,
skewed popularity), loaded through the project's backfill into its own database (recreated unless
``--reuse`` of a store kept with ``--keep-db``; dropped at the end otherwise; its name must contain
"bench"). Measured:

  SQL rebuild     rebuild(): products, order and customer pairs, every buyer's top 10, in one
                  transaction; best of ``--repeat``, per step.
  naive rebuild   the same job the obvious way: counted orders loaded with the ORM, pairs counted
                  in a Python loop, each buyer scored in Python, rows written with bulk_create (in a
                  transaction rolled back). Run once on the same data; its order pairs must equal the
                  SQL ones (checked).
  evaluation      ``crm_recommendations --evaluate``: last order of every repeat customer held out,
                  hit rate@10 and recall@10 of the model and of the popularity baseline.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from itertools import permutations

from .database import add_database_arguments, bench_database, check_database_name, start_django
from .ingest import _analyze_crm
from .segments import best

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_reco"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db, fresh=not args.reuse):
        start_django(args.database_url)
        if not args.reuse:
            _load(args.customers, args.seed)
        _print_store()
        _report(args)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recommendations", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="use the store an earlier run left with --keep-db")
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


def _load(customers: int, seed: int) -> None:
    from saleor_crm_plugin.backfill import run_backfill
    from saleor_crm_plugin.sandbox.generator import StoreGenerator
    from saleor_crm_plugin.sandbox.ports import GeneratedStoreSource
    from saleor_crm_plugin.sandbox.users import create_users

    store = StoreGenerator(customers=customers, seed=seed)
    source = GeneratedStoreSource.recording(store)
    create_users(store)
    summary = run_backfill(source, batch_size=1000, progress_to=sys.stderr)
    if summary.failed:
        raise SystemExit("backfill events failed (see crm dead letters)")
    print(f"store: {customers} generated shoppers (seed {seed}) backfilled in {summary.seconds:.1f}s")
    _analyze_crm()


def _print_store() -> None:
    from django.db import connection

    from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot
    from saleor_crm_plugin.recommendations.compute import counted_orders

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT line->>'product_id') FROM crm_order_snapshot o,"
            " jsonb_array_elements(o.lines) AS line"
        )
        lines, products = cursor.fetchone()
    print(
        f"store in {connection.settings_dict['NAME']} ({version}): {CustomerProfile.objects.count()} profiles, "
        f"{OrderSnapshot.objects.count()} orders ({counted_orders().count()} counted), {lines} lines, "
        f"{products} products"
    )


def _report(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from saleor_crm_plugin.recommendations.compute import rebuild

    seconds, summary = best(rebuild, args.repeat)
    print(
        f"\nSQL rebuild (best of {args.repeat}): {seconds:.2f}s; {summary.products} products, "
        f"{summary.order_pairs} order pairs, {summary.customer_pairs} customer pairs, "
        f"{summary.recommendations} recommendations for {summary.customers} customers"
    )
    print("  " + ", ".join(f"{step} {s:.2f}s" for step, s in summary.seconds.items()))
    naive_seconds, naive_pairs = _naive_rebuild()
    print(
        f"naive Python rebuild (ORM load, Python loops, bulk_create): {naive_seconds:.2f}s "
        f"= {naive_seconds / seconds:.1f}x the SQL rebuild"
    )
    _check_pairs(naive_pairs)
    print("\nOffline evaluation (crm_recommendations --evaluate):")
    started = time.perf_counter()
    call_command("crm_recommendations", "--evaluate")
    print(f"evaluation wall time {time.perf_counter() - started:.1f}s")


def _naive_rebuild() -> tuple[float, Counter]:
    """The rebuild written the obvious way, timed end to end; its order-pair counts for the check."""
    from django.db import transaction

    from saleor_crm_plugin.recommendations.compute import counted_orders
    from saleor_crm_plugin.recommendations.models import CustomerRecommendation
    from saleor_crm_plugin.settings import get_settings

    settings = get_settings()
    n, support = settings.recommendations_per_customer, settings.recommendations_min_support
    started = time.perf_counter()
    owned: dict[int, set[str]] = defaultdict(set)
    orders_of: Counter = Counter()
    category: dict[str, str] = {}
    order_pairs: Counter = Counter()
    for profile_id, lines in counted_orders().values_list("profile_id", "lines").iterator(chunk_size=2000):
        basket = {line["product_id"] for line in lines if line.get("product_id")}
        for line in lines:
            category[line["product_id"]] = line.get("category_id", "")
        orders_of.update(basket)
        owned[profile_id] |= basket
        order_pairs.update(permutations(sorted(basket), 2))
    buyers = Counter(p for products in owned.values() for p in products)
    customer_pairs: Counter = Counter()
    for products in owned.values():
        customer_pairs.update(permutations(sorted(products), 2))
    neighbours: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), together in customer_pairs.items():
        if together >= support:
            neighbours[a].append((b, together / math.sqrt(buyers[a] * buyers[b])))
    popular = [p for p, _ in orders_of.most_common()]
    rows = []
    for profile_id, products in owned.items():
        scores: Counter = Counter()
        for product in products:
            for other, score in neighbours[product]:
                scores[other] += score
        favourite = Counter(category[p] for p in products).most_common(2)
        fill = [p for c, _ in favourite for p in popular if category[p] == c] + popular
        ranked = [p for p, _ in scores.most_common()] + fill
        picks = list(dict.fromkeys(p for p in ranked if p not in products))[:n]
        rows += [
            CustomerRecommendation(profile_id=profile_id, rank=r, product_id=p, score=round(scores.get(p, 0), 6))
            for r, p in enumerate(picks, start=1)
        ]
    with transaction.atomic():
        CustomerRecommendation.objects.all().delete()
        CustomerRecommendation.objects.bulk_create(rows, batch_size=5000)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    kept = Counter({pair: together for pair, together in order_pairs.items() if together >= support})
    return seconds, kept


def _check_pairs(naive: Counter) -> None:
    from saleor_crm_plugin.recommendations.models import ProductPair

    stored = {
        (a, b): together
        for a, b, together in ProductPair.objects.filter(kind=ProductPair.ORDER).values_list(
            "product_id", "other_id", "together"
        )
    }
    # The SQL keeps each product's best NEIGHBOURS only: every stored pair must be counted alike.
    wrong = [pair for pair, together in stored.items() if naive.get(pair) != together]
    if wrong or not stored:
        raise SystemExit(f"SQL and naive order pairs differ: {wrong[:5]}")
    print(f"order pairs: SQL = naive for all {len(stored)} stored pairs ({len(naive)} above support): OK")


if __name__ == "__main__":
    sys.exit(main())
