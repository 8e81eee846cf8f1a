"""Latency of the CRM GraphQL API over real HTTP on a generated store, next to plain Django views.

    .venv/bin/python -m benchmarks.api --customers 100000 --requests 300 [--seed 1] [--page 50]
        [--warmup 20] [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_api] [--keep-db]

Why each measurement:
  graphql page 1   the dashboard's customer list: crmCustomers(first: 100) sorted by last order, with
                   spend, tags and five timeline entries per customer: the API's heaviest common read.
  graphql page N   the same query after walking `after` cursors: keyset paging should cost no more deep.
  baseline view    a hand-written Django view returning the same JSON (prefetches, one query per
                   relation) after the same auth: the floor GraphQL's overhead is measured against.
  naive view       the same view as an N+1 ORM loop: what the dataloaders save.

The store is loaded through the project's backfill (GeneratedStoreSource + run_backfill). The
database (name must contain "bench") is dropped at the end, on failure too, unless --keep-db: a rerun
with the same --customers/--seed then reuses the kept store (the database comment records what it
holds); other parameters recreate it. The server is
Django's runserver (threaded, DEBUG off) in a subprocess; each measurement uses its own keep-alive
connection and the measurements take turns request by request, so background load on a shared
machine hits them alike. SQL queries per request are counted in-process (test Client).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from tempfile import NamedTemporaryFile

from saleor_crm_plugin.auth import Permission

from .database import (
    add_database_arguments,
    bench_database,
    check_database_name,
    database_comment,
    mark_database,
    recreate_database,
    start_django,
)
from .ingest import _analyze_crm

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_api"
ROOT = Path(__file__).resolve().parent.parent
GRAPHQL_PATH = "/plugins/global/saleor.crm/graphql/"
SORT = "sortBy: {field: LAST_ORDER_AT, direction: DESC}"
QUERY = f"""query Customers($after: String) {{
  crmCustomers(first: 100, after: $after, {SORT}) {{
    totalCount
    edges {{ node {{
      id email name ordersCount spend {{ currency amount }} tags
      timeline(first: 5) {{ edges {{ node {{ kind occurredAt summary }} }} }}
    }} }}
  }}
}}"""
WALK = f"""query Walk($after: String) {{
  crmCustomers(first: 100, after: $after, {SORT}) {{ pageInfo {{ hasNextPage endCursor }} }}
}}"""
# Tags for a share of profiles, so the tags relation has rows: (tag, every n-th profile id).
TAGS = (("vip", 7), ("wholesale", 11))


@dataclass(frozen=True)
class Probe:
    """One measured request: a GraphQL POST or a GET of a baseline view."""

    name: str
    path: str
    body: bytes | None = None

    @classmethod
    def graphql(cls, name: str, query: str, **variables: object) -> Probe:
        return cls(name, GRAPHQL_PATH, json.dumps({"query": query, "variables": variables}).encode())

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db, fresh=False):
        completed_profiles = _prepare_database(args.database_url, args.customers, args.seed)
        start_django(args.database_url, settings="benchmarks.api_settings")
        _run(args, completed_profiles)
    print(f"wall time {time.perf_counter() - started:.0f}s")
    return 0


def _run(args: argparse.Namespace, completed_profiles: int | None) -> None:
    _load_store(args, completed_profiles)
    token = staff_token("bench-manager@store.test", Permission.MANAGE_USERS)
    _print_store()

    with _served(args.database_url) as port:
        auth = {"Authorization": f"Bearer {token}"}
        after, page = _walk(port, auth, args.page)
        probes = [
            Probe.graphql("graphql crmCustomers page 1", QUERY, after=None),
            Probe.graphql(f"graphql crmCustomers page {page}", QUERY, after=after),
            Probe("baseline view page 1 (prefetch)", "/bench/customers/"),
            Probe("naive view page 1 (N+1 ORM)", "/bench/customers-naive/"),
        ]
        _verify(port, auth, probes[0], probes[2:])
        queries = {probe.name: _count_queries(probe, auth) for probe in probes}
        samples = _measure(port, auth, probes, args.warmup, args.requests)

    report(probes, samples, queries, args, "customers, order, spend, tags, timeline")


def report(probes: list[Probe], samples: dict, queries: dict, args: argparse.Namespace, checked: str) -> None:
    """The latency table every HTTP benchmark prints, and the line saying its answers were compared."""
    print()
    print(
        f"{args.requests} timed requests each after {args.warmup} warm-up, sequential, interleaved; "
        f"Django runserver (threaded, DEBUG=False, keep-alive) on {os.cpu_count()} cores"
    )
    width = max(len(probe.name) for probe in probes) + 2
    print(f"{'measurement':<{width}} {'p50 ms':>8} {'p95 ms':>8} {'mean':>8} {'min':>8} {'max':>8} {'SQL queries':>12}")
    for probe in probes:
        ms = samples[probe.name]
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        print(
            f"{probe.name:<{width}} {cuts[49]:>8.1f} {cuts[94]:>8.1f} {statistics.fmean(ms):>8.1f} "
            f"{min(ms):>8.1f} {max(ms):>8.1f} {queries[probe.name]:>12}"
        )
    print(f"graphql page 1 = baseline view = naive view ({checked}): OK")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per measurement first")
    parser.add_argument("--page", type=int, default=50, help="the deep page (of 100 customers) to time")
    parser.add_argument("--batch-size", type=int, default=500, help="backfill batch size")
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    if args.requests < 2:
        parser.error("--requests must be at least 2 for percentiles")
    return args


# -- the store ---------------------------------------------------------------------------------


def _prepare_database(url: str, customers: int, seed: int) -> int | None:
    """Reuse the database if its comment says it holds this store, else recreate it.

    Returns the profile count a completed load recorded, or None when the store still has to be
    (or finish being) backfilled.
    """
    wanted = f"benchmarks.api customers={customers} seed={seed}"
    marker = database_comment(url)
    if marker is not None and marker.split(" profiles=")[0] == wanted:
        return int(marker.split(" profiles=")[1]) if " profiles=" in marker else None
    print(f"database: {'holds ' + repr(marker) if marker is not None else 'missing'}; (re)creating it for {wanted}")
    recreate_database(url)
    mark_database(url, wanted)
    return None


def _load_store(args: argparse.Namespace, completed_profiles: int | None) -> None:
    """Backfill the generated store (skipped when a completed load left as many profiles), tag, analyse."""
    from django.db import connection

    from saleor_crm_plugin.backfill import run_backfill
    from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerTag
    from saleor_crm_plugin.sandbox.generator import StoreGenerator
    from saleor_crm_plugin.sandbox.ports import GeneratedStoreSource
    from saleor_crm_plugin.sandbox.users import create_users

    profiles = CustomerProfile.objects.count()
    if completed_profiles is not None and completed_profiles == profiles:
        print(f"store: reusing {profiles} profiles backfilled earlier (customers={args.customers}, seed={args.seed})")
    else:
        store = StoreGenerator(customers=args.customers, seed=args.seed)
        source = GeneratedStoreSource.recording(store)
        print(f"store: backfilling {args.customers} generated shoppers (seed {args.seed}); {profiles} profiles so far")
        create_users(store)
        # A completed load whose count no longer matches is rescanned; an interrupted one resumes.
        summary = run_backfill(
            source, batch_size=args.batch_size, restart=completed_profiles is not None, progress_to=sys.stderr
        )
        print(
            f"backfill done in {summary.seconds:.1f}s: scanned {summary.scanned}; events applied {summary.applied},"
            f" already applied {summary.skipped}, failed {summary.failed}"
        )
        if summary.failed:
            raise SystemExit("backfill events failed (see crm dead letters)")
        mark_database(
            args.database_url,
            f"benchmarks.api customers={args.customers} seed={args.seed} profiles={CustomerProfile.objects.count()}",
        )
    tags, profile = CustomerTag._meta.db_table, CustomerProfile._meta.db_table
    rules = ", ".join(f"('{name}', {every})" for name, every in TAGS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tags} (profile_id, name) SELECT p.id, t.name FROM {profile} p"
            f" JOIN (VALUES {rules}) AS t(name, every) ON p.id % t.every = 0 ON CONFLICT DO NOTHING"
        )
        print(f"tags: {cursor.rowcount} added ({', '.join(f'{n} on every {e}th profile' for n, e in TAGS)})")
    _analyze_crm()  # autovacuum is off on this machine: give the planner the statistics a store has


def staff_token(email: str, permission) -> str:
    """A staff account holding ``permission`` (the sandbox's group of that name) and its bearer token."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from saleor_crm_plugin.sandbox.auth import user_token

    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email, "is_staff": True})
    user.groups.add(Group.objects.get_or_create(name=permission.value)[0])
    return user_token(user)


def _print_store() -> None:
    from django.db import connection

    from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerTag, OrderSnapshot, TimelineEntry

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    sizes = {
        "profiles": CustomerProfile.objects.count(),
        "orders": OrderSnapshot.objects.count(),
        "timeline entries": TimelineEntry.objects.count(),
        "tags": CustomerTag.objects.count(),
    }
    listed = ", ".join(f"{n} {name}" for name, n in sizes.items())
    print(f"store in {connection.settings_dict['NAME']} ({version}): {listed}")


# -- the server and the requests -----------------------------------------------------------------


@contextlib.contextmanager
def _served(database_url: str, settings: str = "benchmarks.api_settings") -> Iterator[int]:
    """runserver (``benchmarks.runserver``: Nagle off) on a free port in a subprocess, until the block ends (on
    errors too); its log is kept on errors.

    ``settings`` must serve ``/bench/customers/`` (the readiness probe), as ``benchmarks.api_urls`` does.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = NamedTemporaryFile("w+", prefix="crm-bench-api-", suffix=".log", delete=False)  # noqa: SIM115
    command = [sys.executable, "-m", "benchmarks.runserver", f"127.0.0.1:{port}", "--noreload"]
    server = subprocess.Popen(
        [*command, f"--settings={settings}"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    done = False
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start:\n{Path(log.name).read_text()[-3000:]}")
            time.sleep(0.2)
        print(f"server: runserver pid {server.pid} on 127.0.0.1:{port}")
        yield port
        done = True
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if done:
            os.unlink(log.name)
        else:
            print(f"server log kept: {log.name}", file=sys.stderr)


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/bench/customers/")
        return conn.getresponse().status == 403  # up, and refusing a caller without a token
    except OSError:
        return False
    finally:
        conn.close()


def _send(conn: http.client.HTTPConnection, probe: Probe, auth: dict[str, str]) -> bytes:
    conn.request(probe.method, probe.path, body=probe.body, headers=_headers(probe, auth))
    response = conn.getresponse()
    return _checked(probe, response.status, response.read())


def _checked(probe: Probe, status: int, body: bytes) -> bytes:
    """The body of a successful answer; a failed request or a GraphQL answer with top-level ``errors`` stops
    the run (a field that happens to be called ``errors``, like a segment preview's, is data)."""
    if status != 200 or "errors" in json.loads(body):
        raise SystemExit(f"{probe.name}: HTTP {status}: {body[:2000]!r}")
    return body


def first_difference(ours: list, theirs: list) -> str:
    """Where two answers' rows first part (a row or None where one list ends), for a benchmark's refusal."""
    pairs = zip([*ours, None], [*theirs, None], strict=False)
    return f"first difference: {next((a, b) for a, b in pairs if a != b)}"


def _fetch(port: int, probe: Probe, auth: dict[str, str]) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        return json.loads(_send(conn, probe, auth))
    finally:
        conn.close()


def _walk(port: int, auth: dict[str, str], target: int) -> tuple[str | None, int]:
    """The `after` cursor of page ``target`` (or of the last page, if there are fewer), untimed."""
    after, page = None, 1
    while page < target:
        info = _fetch(port, Probe.graphql("walk", WALK, after=after), auth)["data"]["crmCustomers"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after, page = info["endCursor"], page + 1
    return after, page


def _verify(port: int, auth: dict[str, str], graphql: Probe, baselines: list[Probe]) -> None:
    """The baselines must answer exactly what the GraphQL query does, or their timings mean nothing."""
    found = _fetch(port, graphql, auth)["data"]["crmCustomers"]
    expected = {
        "totalCount": found["totalCount"],
        "customers": [
            {**edge["node"], "timeline": [e["node"] for e in edge["node"]["timeline"]["edges"]]}
            for edge in found["edges"]
        ],
    }
    customers = expected["customers"]
    if len(customers) != 100 or not any(c["tags"] for c in customers) or not any(c["timeline"] for c in customers):
        raise SystemExit(f"{graphql.name}: expected 100 customers with tags and timelines, got {customers[:3]}")
    for probe in baselines:
        got = _fetch(port, probe, auth)
        if got != expected:
            pairs = zip(expected["customers"], got.get("customers", []), strict=False)
            first = next(((a, b) for a, b in pairs if a != b), (expected["totalCount"], got.get("totalCount")))
            raise SystemExit(f"MISMATCH {graphql.name} vs {probe.name}:\n  graphql  {first[0]}\n  baseline {first[1]}")


def _count_queries(probe: Probe, auth: dict[str, str]) -> int:
    """SQL statements one request runs, through the same URLconf in-process (after one warm-up call)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers=auth)
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.generic(probe.method, probe.path, probe.body or b"", content_type="application/json")
        _checked(probe, response.status_code, response.content)
    return len(captured)


def _measure(
    port: int, auth: dict[str, str], probes: list[Probe], warmup: int, requests: int
) -> dict[str, list[float]]:
    """Milliseconds per request, send to last byte read; probes take turns, each on its keep-alive connection."""
    conns = {probe.name: http.client.HTTPConnection("127.0.0.1", port, timeout=300) for probe in probes}
    samples: dict[str, list[float]] = {probe.name: [] for probe in probes}
    try:
        for round_ in range(warmup + requests):
            for probe in probes:
                started = time.perf_counter()
                conn = conns[probe.name]
                conn.request(probe.method, probe.path, body=probe.body, headers=_headers(probe, auth))
                response = conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                _checked(probe, response.status, body)
                if round_ >= warmup:
                    samples[probe.name].append(elapsed)
            if round_ % 50 == 0:
                print(f"  round {round_}/{warmup + requests}", file=sys.stderr)
    finally:
        for conn in conns.values():
            conn.close()
    return samples


def _headers(probe: Probe, auth: dict[str, str]) -> dict[str, str]:
    return {**auth, "Content-Type": "application/json"} if probe.body is not None else auth


if __name__ == "__main__":
    sys.exit(main())
