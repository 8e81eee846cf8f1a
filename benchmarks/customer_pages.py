"""Latency of the dashboard's CRM customer pages' requests on a 100,000-shopper store, over real HTTP.

    .venv/bin/python -m benchmarks.customer_pages --customers 100000 --requests 100 [--page 50] [--reuse] [--keep-db]
        [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_pages]

Each request is the exact GraphQL document the page sends (read from the page's source in
``frontend/src/pages/customers/``), with the variables the page builds for:
  list page 1        the first screen: 20 customers by last order, plus the filter choices.
  list page N        the same after walking N-1 `after` cursors: keyset paging stays flat however deep.
  list page N-1      back from page N with `before`: the previous page, one indexed seek.
  search / tag / segment / spend   the list's filters on the first page.
  360 page           one customer's whole page (KPIs, favourites, timeline, ledger, tickets, messages).

Each list request runs next to its baseline, the same customers from a plain Django view
(``benchmarks.customer_pages_views``: ORM filters, ``Paginator``'s COUNT and OFFSET, prefetches), and the
run stops unless both answer the same customers in the same order with the same values and totals.

The store is generated set-based like ``benchmarks.segments`` does (profiles with exponentially
distributed orders, spend per currency, latest order snapshots), plus a "vip" tag on every 7th profile
and the built-in segments evaluated, so each filter has rows to find; a backfill of 100,000 shoppers
through ingest (``benchmarks.api``) takes the better part of an hour on a shared 2-core machine and the
list's queries only read these tables. The server is Django's runserver (threaded, DEBUG off);
requests take turns on keep-alive connections, so background load hits them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from saleor_crm_plugin.auth import Permission

from .api import Probe, _count_queries, _fetch, _measure, _served, first_difference, staff_token
from .database import add_database_arguments, bench_database, check_database_name, start_django
from .ingest import _analyze_crm
from .segments import _generate

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_pages"
BASELINE_PATH = "/bench/customer-list/"

SOURCES = Path(__file__).resolve().parent.parent / "frontend" / "src"
PAGES = SOURCES / "pages" / "customers"
GENERATED = SOURCES / "gql"  # codegen's copies of every document


def page_document(file: str, operation: str) -> str:
    """The ``graphql(`…`)`` document named ``operation`` in a page's source, its fragments (from any source
    file: shared ones live in ``components/``) appended."""
    sources = [path for path in SOURCES.rglob("*.ts*") if GENERATED not in path.parents]
    documents = re.findall(r"graphql\(`(.*?)`\)", "\n".join(path.read_text() for path in sources), re.S)
    (document,) = [d for d in documents if re.search(rf"\b(query|mutation) {operation}\b", d)]
    fragments = {re.search(r"fragment (\w+)", d).group(1): d for d in documents if d.lstrip().startswith("fragment")}
    used, pending = set(), set(re.findall(r"\.\.\.(\w+)", document))
    while pending:
        name = pending.pop()
        used.add(name)
        pending |= set(re.findall(r"\.\.\.(\w+)", fragments[name])) - used
    assert (PAGES / file).is_file()
    return "\n".join([document, *(fragments[name] for name in sorted(used))])


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db, fresh=not args.reuse):
        start_django(args.database_url, settings="benchmarks.api_settings")
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if not args.reuse:
        _generate(args.customers)
        _tag_and_segment()
    segment, customer = _pick()
    token = staff_token("bench-manager@store.test", Permission.MANAGE_USERS)
    listing = page_document("CustomerListPage.tsx", "CustomerList")
    whole_page = page_document("CustomerPage.tsx", "CustomerPage")
    first = {"first": 20, "sortBy": {"field": "LAST_ORDER_AT", "direction": "DESC"}, "filter": {}, "withOptions": False}

    with _served(args.database_url) as port:
        auth = {"Authorization": f"Bearer {token}"}
        after, before, page = _walk(port, auth, listing, first, args.page)

        def screen(name: str, count: bool = True, **variables) -> Probe:
            """The list as the page asks for it: the total only for a new filter, choices only at first."""
            return Probe.graphql(name, listing, **{**first, **variables}, withCount=count)

        pairs = [  # each list request next to the plain Django view serving the same customers
            (screen("list page 1 (+ filter choices)", withOptions=True), plain("page=1")),
            (screen(f"list page {page} (after)", count=False, after=after), plain(f"page={page}")),
            (
                screen(f"list page {page - 1} (last/before)", count=False, first=None, last=20, before=before),
                plain(f"page={page - 1}"),
            ),
            (screen("list search 'c4242'", filter={"search": "c4242"}), plain("search=c4242")),
            (screen("list tag 'vip'", filter={"tags": ["vip"]}), plain("tag=vip")),
            (screen(f"list segment '{segment}'", filter={"segment": segment}), plain(f"segment={segment}")),
            (
                screen(
                    "list spent >= 500 USD, by spend",
                    filter={"spentGte": "500", "currency": "USD"},
                    sortBy={"field": "SPENT", "direction": "DESC"},
                ),
                plain("currency=USD&spent_gte=500&sort=spent"),
            ),
        ]
        probes = [probe for pair in pairs for probe in pair]
        probes.append(Probe.graphql("360 page", whole_page, id=customer, customer=customer, withSupport=True))
        # Each answered once first (a GraphQL error stops the run); its size is what the page downloads.
        answers = {probe.name: _fetch(port, probe, auth) for probe in probes}
        for api, baseline in pairs:
            if (why := different_customers(answers[api.name], answers[baseline.name])) is not None:
                raise SystemExit(f"{api.name}: the API and the plain view disagree: {why}")
        sizes = {name: len(json.dumps(answer)) / 1024 for name, answer in answers.items()}
        queries = {probe.name: _count_queries(probe, auth) for probe in probes}
        samples = _measure(port, auth, probes, args.warmup, args.requests)
    _report(probes, samples, queries, sizes, args)
    print(f"list answers identical to the plain view's (customers, order, values, totals): OK ({len(pairs)} requests)")
    return 0


def plain(query: str) -> Probe:
    """The baseline: ``benchmarks.customer_pages_views.customer_list`` with these parameters."""
    return Probe(f"  plain Django view ({query})", f"{BASELINE_PATH}?{query}")


def different_customers(api: dict, baseline: dict) -> str | None:
    """Why the list the API answered and the plain view's differ (customers, order, values, total), or None."""
    listing = api["data"]["crmCustomers"]
    ours = [_listed(edge["node"]) for edge in listing["edges"]]
    theirs = [_listed_plain(customer) for customer in baseline["customers"]]
    if ours != theirs:
        return first_difference(ours, theirs)
    if "totalCount" in listing and listing["totalCount"] != baseline["totalCount"]:
        return f"totalCount {listing['totalCount']} vs {baseline['totalCount']}"
    return None


def _listed(node: dict) -> tuple:
    numbers = [row for row in node["predictions"] if row["available"]]
    return (
        node["id"],
        node["name"],
        node["email"],
        node["ordersCount"],
        node["lastOrderAt"],
        sorted(node["tags"]),
        {row["currency"]: Decimal(str(row["amount"])) for row in node["spend"]},
        {row["currency"]: Decimal(str(row["predictedClv"]["amount"])) for row in numbers},
        {row["currency"]: Decimal(str(row["churnRisk"])) for row in numbers},
    )


def _listed_plain(customer: dict) -> tuple:
    values = ("spend", "predictedClv", "churnRisk")
    decimals = [{currency: Decimal(v) for currency, v in customer[key].items()} for key in values]
    fields = ("id", "name", "email", "ordersCount", "lastOrderAt")
    return (*(customer[key] for key in fields), customer["tags"], *decimals)


def _tag_and_segment() -> None:
    """A "vip" tag on every 7th profile; the built-in segments evaluated (set-based, as in a store)."""
    from django.db import connection

    from saleor_crm_plugin.segments.membership import evaluate_segment
    from saleor_crm_plugin.segments.models import Segment

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_customer_tag (profile_id, name) SELECT id, 'vip' FROM crm_customer_profile"
            " WHERE mod(id, 7) = 0"
        )
    started = time.perf_counter()
    segments = list(Segment.objects.all())
    for segment in segments:
        evaluate_segment(segment)
    _analyze_crm()
    print(f"tags added; {len(segments)} built-in segments evaluated in {time.perf_counter() - started:.1f}s")


def _pick() -> tuple[str, str]:
    """The largest segment's slug and the busiest customer's ID."""
    from django.db.models import Count

    from saleor_crm_plugin.ids import global_id
    from saleor_crm_plugin.profiles.models import CustomerProfile
    from saleor_crm_plugin.segments.models import Segment

    largest = Segment.objects.annotate(members=Count("memberships")).order_by("-members").first()
    busy = CustomerProfile.objects.order_by("-orders_count", "pk").first()
    return largest.slug, global_id("CrmCustomer", busy.pk)


def _walk(port: int, auth: dict, listing: str, first: dict, target: int) -> tuple[str, str, int]:
    """Cursors of page ``target``: its `after` (end of page target-1) and its own start (for `before`)."""
    after, page = None, 1
    while True:
        found = _fetch(port, Probe.graphql("walk", listing, **first, after=after, withCount=False), auth)
        info = found["data"]["crmCustomers"]["pageInfo"]
        if page == target or not info["hasNextPage"]:
            return after, info["startCursor"], page
        after, page = info["endCursor"], page + 1


def _report(probes: list[Probe], samples: dict, queries: dict, sizes: dict, args: argparse.Namespace) -> None:
    print()
    print(
        f"{args.requests} timed requests each after {args.warmup} warm-up, sequential, interleaved; "
        f"{os.cpu_count()} cores"
    )
    width = max(len(probe.name) for probe in probes) + 2
    print(
        f"{'request':<{width}} {'p50 ms':>8} {'p95 ms':>8} {'mean':>8} {'min':>8} {'max':>8} "
        f"{'SQL':>5} {'answer KiB':>11}"
    )
    for probe in probes:
        ms = samples[probe.name]
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        print(
            f"{probe.name:<{width}} {cuts[49]:>8.1f} {cuts[94]:>8.1f} {statistics.fmean(ms):>8.1f} "
            f"{min(ms):>8.1f} {max(ms):>8.1f} {queries[probe.name]:>5} {sizes[probe.name]:>11.1f}"
        )


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.customer_pages", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per measurement first")
    parser.add_argument("--page", type=int, default=50, help="the deep page (of 20 customers) to time")
    parser.add_argument("--reuse", action="store_true", help="use the store an earlier run left with --keep-db")
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


if __name__ == "__main__":
    sys.exit(main())
