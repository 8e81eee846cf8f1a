"""The helpdesk inbox over real HTTP on a million tickets, next to plain Django views.

    .venv/bin/python -m benchmarks.tickets --tickets 1000000 --customers 200000 --requests 300 [--warmup 20]
        [--page 20] [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_tickets] [--keep-db]

Why each measurement:
  graphql inbox page 1   what an agent opens all day: crmTickets(first: 50) of NEW and OPEN tickets, newest
                         activity first, each with its customer, order and last message.
  graphql inbox page N   the same after walking `after` cursors: keyset paging costs no more deep down.
  graphql + totalCount   page 1 with the count of matching tickets (a COUNT over ~200k rows).
  baseline view          a hand-written Django view answering the same JSON with one joined query
                         (select_related) after the same authentication: the floor for GraphQL's overhead.
  naive view             the same view as an N+1 loop over the ORM: what the dataloaders save.

The store (profiles, one order each, tickets with two messages each) is generated set-based in SQL,
and dropped at the end, on failure too, unless --keep-db: a rerun with the same sizes then reuses the
kept store (the database comment records what it holds). The server
is Django's runserver (threaded, DEBUG off) in a subprocess, as in ``benchmarks.api``; SQL statements
per request are counted in-process through the same URLconf.
"""

from __future__ import annotations

import argparse
import sys
import time

from tqdm import tqdm

from saleor_crm_plugin.auth import Permission

from .api import Probe, _count_queries, _fetch, _measure, _served, report, staff_token
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

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_tickets"
NODE = """id reference subject status priority lastMessageAt
      customer { email name } order { number total { amount currency } }
      lastMessage { body authorKind createdAt }"""
INBOX = f"""query Inbox($after: String) {{
  crmTickets(first: 50, after: $after, filter: {{status: [NEW, OPEN]}}) {{ edges {{ node {{ {NODE} }} }} }}
}}"""
COUNTED = f"""query Counted {{
  crmTickets(first: 50, filter: {{status: [NEW, OPEN]}}) {{ totalCount edges {{ node {{ {NODE} }} }} }}
}}"""
WALK = """query Walk($after: String) {
  crmTickets(first: 50, after: $after, filter: {status: [NEW, OPEN]}) { pageInfo { hasNextPage endCursor } }
}"""

# Set-based generation; %(customers)s and %(tickets)s are bound by the driver. Status mix of a live helpdesk:
# most tickets closed, ~20% new or open. Ids are explicit so a ticket's last message is message 2*id.
GENERATE = {
    "profiles": """
        INSERT INTO crm_customer_profile (id, email, saleor_user_id, first_name, last_name, is_active, orders_count,
            cancellations_count, refunds_count, channels, first_touch, last_touch, created_at, updated_at,
            consent_source)
        SELECT i, 'shopper' || i || '@example.com', encode(convert_to('User:' || i, 'UTF8'), 'base64'),
            'Shopper', 'No ' || i, true, 1, 0, 0, '["default-channel"]', '{}', '{}', now(), now(), ''
        FROM generate_series(1, %(customers)s) i""",
    "orders": """
        INSERT INTO crm_order_snapshot (id, saleor_order_id, profile_id, number, email, channel, currency, status,
            charge_status, total, shipping, total_charged, total_refunded, lines, attribution, placed_at, version)
        SELECT i, encode(convert_to('Order:' || i, 'UTF8'), 'base64'), i, (1000 + i)::text,
            'shopper' || i || '@example.com', 'default-channel', 'USD', 'fulfilled', 'full',
            5 + (i * 37 %% 50000) / 100.0, 0, 5 + (i * 37 %% 50000) / 100.0, 0, '[]', '{}',
            now() - (i %% 365) * interval '1 day', now()
        FROM generate_series(1, %(customers)s) i""",
    "tickets": """
        INSERT INTO crm_ticket (id, profile_id, order_id, subject, channel, status, priority, tags,
            first_response_due_at, resolution_due_at, first_responded_at, first_response_breached,
            resolution_breached, sla_at_risk, sla_paused_seconds, rating_comment, last_message_id,
            last_message_at, created_at, updated_at)
        SELECT i, p, CASE WHEN i %% 2 = 0 THEN p END, 'Question about my order ' || i,
            (ARRAY['web','email','chat','phone','social','staff'])[1 + i %% 6],
            CASE WHEN r < 8 THEN 'new' WHEN r < 20 THEN 'open' WHEN r < 26 THEN 'pending'
                 WHEN r < 30 THEN 'on_hold' WHEN r < 40 THEN 'solved' ELSE 'closed' END,
            1 + i * 31 %% 4, '[]', created + interval '8 hours', created + interval '48 hours',
            created + interval '1 hour', false, false, false, 0, '', 2 * i,
            created + interval '1 hour', created, created + interval '1 hour'
        FROM (
            SELECT i, 1 + (i - 1) %% %(customers)s AS p, i * 7919 %% 100 AS r,
                now() - (%(tickets)s - i) * interval '30 seconds' AS created
            FROM generate_series(1::bigint, %(tickets)s) i
        ) t""",
    "messages": """
        INSERT INTO crm_ticket_message (id, ticket_id, kind, author_kind, body, attachments, created_at, delivery,
            delivery_reason)
        SELECT 2 * t.id - 2 + n, t.id, 'public', CASE n WHEN 1 THEN 'shopper' ELSE 'staff' END,
            CASE n WHEN 1 THEN 'Hello, where is my order? It should have arrived by now. (' || t.id || ')'
                   ELSE 'Thanks for writing! Your parcel left our warehouse yesterday. (' || t.id || ')' END,
            '[]', CASE n WHEN 1 THEN t.created_at ELSE t.last_message_at END, '', ''
        FROM crm_ticket t CROSS JOIN (VALUES (1), (2)) AS m(n)""",
    "sequences": "SELECT "
    + ", ".join(
        f"setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        for table in ("crm_customer_profile", "crm_order_snapshot", "crm_ticket", "crm_ticket_message")
    ),
}


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = _parse(argv)
    with bench_database(args.database_url, keep=args.keep_db, fresh=False):
        reuse = _prepare_database(args)
        start_django(args.database_url, settings="benchmarks.tickets_settings")
        _run(args, reuse)
    print(f"wall time {time.perf_counter() - started:.0f}s")
    return 0


def _run(args: argparse.Namespace, reuse: bool) -> None:
    if not reuse:
        _generate(args)
    token = staff_token("bench-agent@store.test", Permission.MANAGE_ORDERS)
    _print_store()

    with _served(args.database_url, settings="benchmarks.tickets_settings") as port:
        auth = {"Authorization": f"Bearer {token}"}
        after, page = _walk(port, auth, args.page)
        probes = [
            Probe.graphql("graphql inbox page 1", INBOX, after=None),
            Probe.graphql(f"graphql inbox page {page}", INBOX, after=after),
            Probe.graphql("graphql inbox page 1 + totalCount", COUNTED),
            Probe("baseline view page 1 (select_related)", "/bench/tickets/"),
            Probe("naive view page 1 (N+1 ORM)", "/bench/tickets-naive/"),
        ]
        _verify(port, auth, probes[0], probes[3:])
        queries = {probe.name: _count_queries(probe, auth) for probe in probes}
        samples = _measure(port, auth, probes, args.warmup, args.requests)

    report(probes, samples, queries, args, "50 tickets, customer, order, last message")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tickets", description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per measurement first")
    parser.add_argument("--page", type=int, default=20, help="the deep page (of 50 tickets) to time")
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    if args.requests < 2 or args.customers < 1 or args.tickets < 100:
        parser.error("need --requests >= 2, --customers >= 1 and --tickets >= 100")
    return args


def _marker(args: argparse.Namespace) -> str:
    return f"benchmarks.tickets tickets={args.tickets} customers={args.customers} complete"


def _prepare_database(args: argparse.Namespace) -> bool:
    """True when the database already holds this store (its comment says so), else recreate it empty."""
    marker = database_comment(args.database_url)
    if marker == _marker(args):
        print(f"store: reusing the kept database ({marker})")
        return True
    print(f"database: {'holds ' + repr(marker) if marker is not None else 'missing'}; (re)creating it")
    recreate_database(args.database_url)
    return False


def _generate(args: argparse.Namespace) -> None:
    """Profiles, orders, tickets and messages in a few INSERT ... SELECT statements, one transaction."""
    from django.db import connection, transaction

    params = {"customers": args.customers, "tickets": args.tickets}
    with transaction.atomic(), connection.cursor() as cursor:
        for step, sql in (bar := tqdm(GENERATE.items(), desc="generating", unit="step", file=sys.stderr)):
            bar.set_postfix_str(step)
            began = time.perf_counter()
            cursor.execute(sql, params)
            tqdm.write(f"  {step}: {cursor.rowcount} rows in {time.perf_counter() - began:.1f}s", file=sys.stderr)
    _analyze_crm()  # autovacuum is off on this machine: give the planner the statistics a store has
    mark_database(args.database_url, _marker(args))


def _print_store() -> None:
    from django.db import connection

    from saleor_crm_plugin.tickets.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute(
            "SELECT (SELECT count(*) FROM crm_customer_profile), (SELECT count(*) FROM crm_order_snapshot),"
            " (SELECT count(*) FROM crm_ticket), (SELECT count(*) FROM crm_ticket_message)"
        )
        profiles, orders, tickets, messages = cursor.fetchone()
    inbox = Ticket.objects.filter(status__in=["new", "open"]).count()
    print(
        f"store in {connection.settings_dict['NAME']} ({version}): {profiles} profiles, {orders} orders, "
        f"{tickets} tickets ({inbox} new or open), {messages} messages"
    )


def _walk(port: int, auth: dict[str, str], target: int) -> tuple[str | None, int]:
    """The `after` cursor of inbox page ``target`` (or of the last page, if there are fewer), untimed."""
    after, page = None, 1
    while page < target:
        info = _fetch(port, Probe.graphql("walk", WALK, after=after), auth)["data"]["crmTickets"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after, page = info["endCursor"], page + 1
    return after, page


def _verify(port: int, auth: dict[str, str], graphql: Probe, baselines: list[Probe]) -> None:
    """The baselines must answer exactly what the GraphQL query does, or their timings mean nothing."""
    expected = [edge["node"] for edge in _fetch(port, graphql, auth)["data"]["crmTickets"]["edges"]]
    if len(expected) != 50 or not any(t["order"] for t in expected) or not all(t["lastMessage"] for t in expected):
        raise SystemExit(f"{graphql.name}: expected 50 tickets with orders and last messages, got {expected[:2]}")
    for probe in baselines:
        got = _fetch(port, probe, auth).get("tickets", [])
        if got != expected:
            first = next(((a, b) for a, b in zip(expected, got, strict=False) if a != b), (len(expected), len(got)))
            raise SystemExit(f"MISMATCH {graphql.name} vs {probe.name}:\n  graphql  {first[0]}\n  baseline {first[1]}")


if __name__ == "__main__":
    sys.exit(main())
