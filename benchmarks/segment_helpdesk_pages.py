"""What the Segments and Helpdesk pages cost over real HTTP: the editor's live preview and the inbox screen.

    .venv/bin/python -m benchmarks.segment_helpdesk_pages preview --database-url postgres://…/crm_bench_pages
        [--sessions 5]
    .venv/bin/python -m benchmarks.segment_helpdesk_pages inbox --tickets 1000000 --customers 200000
        [--requests 50] [--database-url postgres://…/crm_bench_helpdesk]

preview  A scripted typing session of ``FINAL_QUERY``: the editor asks for a preview when the typist pauses
         (300 ms debounce, superseded requests aborted), i.e. once per word typed, so the session sends every
         word-boundary prefix of the query, valid or not (an invalid prefix answers with the error and its
         line/column). Each request is timed send → last byte, over ``--sessions`` sessions; p50/p95 are
         reported with the number of customers the store really holds (read from the database, never assumed).
         The final query's preview is then timed next to its baseline, the same filter written by hand as a
         plain Django view (``benchmarks.segment_preview_views``), after checking both give the same count
         and members.
         The store is any CRM database with customers (e.g. the one ``benchmarks.customer_pages`` builds);
         nothing in it is changed except a benchmark staff account.
inbox    The inbox screen's one request exactly as ``InboxPage.tsx`` sends it (a page of 25 tickets, the counts
         of every view in one aggregate, the assignee choices), on the first page, on a deep keyset page, with
         the "SLA breached" view and with a text search (subject, email and message bodies); page turns leave
         the view counts out, as the page does. Each request runs next to its baseline, the same screen from a
         plain Django view (``benchmarks.inbox_views``: Paginator's COUNT and OFFSET, one COUNT per view), and
         the run stops unless both answer the same tickets, order, counts and assignees. The store is
         generated set-based by ``benchmarks.tickets`` (same generator and database marker) and dropped at
         the end unless --keep-db. (``preview`` creates no database, so it drops none.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time

from saleor_crm_plugin.auth import Permission

from .api import GRAPHQL_PATH, Probe, _count_queries, _fetch, _measure, _served, first_difference, staff_token
from .database import add_database_arguments, bench_database, check_database_name, db_config, start_django

FINAL_QUERY = 'orders_count >= 3 and spent("USD") > 500 and last_order_at > -90d'
PREVIEW = """query SegmentPreview($query: String!, $first: Int!) {
  crmSegmentPreview(query: $query, first: $first) {
    count members { id name email } errors { message code line column } warnings { message code line column }
  }
}"""
INBOX = """query Inbox($first: Int, $after: String, $filter: CrmTicketFilterInput, $sortBy: CrmTicketSortingInput,
             $withCounts: Boolean!) {
  crmTickets(first: $first, after: $after, filter: $filter, sortBy: $sortBy) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node {
      id reference subject status priority channel lastMessageAt assigneeName
      customer { id name email }
      sla { firstResponseDueAt resolutionDueAt firstResponseBreached resolutionBreached atRisk paused }
    } }
  }
  crmTicketViewCounts @include(if: $withCounts) {
    active open mine unassigned breached atRisk pending onHold solved closed
  }
  crmStaffMembers @include(if: $withCounts) { id name isViewer }
}"""
ACTIVE = ["NEW", "OPEN", "PENDING", "ON_HOLD"]
SORT = {"field": "LAST_MESSAGE_AT", "direction": "DESC"}


def typing_session(query: str) -> list[str]:
    """The texts a debounced editor previews while ``query`` is typed a word at a time."""
    return [
        query[: index + 1] for index, char in enumerate(query) if index + 1 == len(query) or query[index + 1] == " "
    ]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    if args.command == "preview":
        _preview(args)
    else:
        _inbox(args)
    print(f"wall time {time.perf_counter() - started:.0f}s")
    return 0


def _preview(args: argparse.Namespace) -> None:
    start_django(args.database_url, settings="benchmarks.api_settings")
    from saleor_crm_plugin.profiles.models import CustomerProfile

    customers = CustomerProfile.objects.count()
    token = staff_token("bench-segments@store.test", Permission.MANAGE_USERS)
    texts = typing_session(FINAL_QUERY)
    print(f"store: {customers} customers in {db_config(args.database_url)['NAME']}")
    print(f"typing session: {len(texts)} previews per session (one per word), {args.sessions} sessions")
    with _served(args.database_url) as port:
        auth = {"Authorization": f"Bearer {token}"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        valid: list[float] = []
        invalid: list[float] = []
        for session in range(args.sessions + 1):  # the first session warms up, untimed
            for text in texts:
                body = json.dumps({"query": PREVIEW, "variables": {"query": text, "first": 5}}).encode()
                began = time.perf_counter()
                conn.request(
                    "POST",
                    GRAPHQL_PATH,
                    body=body,
                    headers={**auth, "Content-Type": "application/json"},
                )
                answer = json.loads(conn.getresponse().read())
                elapsed = (time.perf_counter() - began) * 1000
                preview = answer["data"]["crmSegmentPreview"]
                if session:
                    (invalid if preview["errors"] else valid).append(elapsed)
            print(f"  session {session}/{args.sessions}", file=sys.stderr)
        conn.close()
        body = json.dumps({"query": PREVIEW, "variables": {"query": FINAL_QUERY, "first": 5}}).encode()
        final = Probe("final query's preview", GRAPHQL_PATH, body)
        by_hand = Probe("  plain Django view (the same filter by hand)", "/bench/segment-preview/")
        if (why := different_preview(_fetch(port, final, auth), _fetch(port, by_hand, auth))) is not None:
            raise SystemExit(f"the final query's preview and the plain view disagree: {why}")
        timed = _measure(port, auth, [final, by_hand], 2, 10 * args.sessions)
    every = valid + invalid
    print(f"final query matches {preview['count']} of {customers} customers")
    lines = [("all previews", every), ("valid prefixes", valid), ("invalid prefixes", invalid), *timed.items()]
    width = max(len(name) for name, _ in lines) + 1
    for name, samples in lines:
        if len(samples) >= 2:
            cuts = statistics.quantiles(samples, n=100, method="inclusive")
            print(
                f"{name:<{width}} n={len(samples):>4}  p50 {cuts[49]:8.1f} ms  p95 {cuts[94]:8.1f} ms  "
                f"max {max(samples):8.1f} ms"
            )
    print("final query's count and members identical to the plain view's: OK")


def different_preview(api: dict, baseline: dict) -> str | None:
    """Why the preview and the hand-written filter's answer differ (count, newest members), or None."""
    preview = api["data"]["crmSegmentPreview"]
    ours = (preview["count"], [member["id"] for member in preview["members"]])
    theirs = (baseline["count"], baseline["members"])
    return None if ours == theirs else f"{ours} vs {theirs}"


def _inbox(args: argparse.Namespace) -> None:
    from . import tickets

    with bench_database(args.database_url, keep=args.keep_db, fresh=False):
        _inbox_on(args, tickets._prepare_database(args))


def _inbox_on(args: argparse.Namespace, reuse: bool) -> None:
    from . import tickets

    start_django(args.database_url, settings="benchmarks.tickets_settings")
    if not reuse:
        tickets._generate(args)
    token = staff_token("bench-agent@store.test", Permission.MANAGE_ORDERS)
    tickets._print_store()
    with _served(args.database_url, settings="benchmarks.tickets_settings") as port:
        auth = {"Authorization": f"Bearer {token}"}
        after = None
        active = {"filter": {"status": ACTIVE}, "sortBy": SORT, "first": 25}
        for _ in range(args.page - 1):  # walk the keyset cursors to the deep page (no counts, as the page does)
            page = _fetch(port, Probe.graphql("walk", INBOX, after=after, withCounts=False, **active), auth)
            after = page["data"]["crmTickets"]["pageInfo"]["endCursor"]
        breached = {**active, "filter": {"status": ACTIVE, "breached": True}}
        search = {**active, "filter": {"search": "parcel left"}}
        pairs = [  # a first page carries the counts per view and the assignees; a page turn doesn't
            (
                Probe.graphql("inbox screen, page 1 (+ view counts)", INBOX, withCounts=True, **active),
                plain("counts=1"),
            ),
            (
                Probe.graphql(
                    f"inbox page {args.page} (keyset page turn)", INBOX, after=after, withCounts=False, **active
                ),
                plain(f"page={args.page}"),
            ),
            (
                Probe.graphql("SLA breached view (+ view counts)", INBOX, withCounts=True, **breached),
                plain("breached=1&counts=1"),
            ),
            (
                Probe.graphql("search 'parcel left' (+ view counts)", INBOX, withCounts=True, **search),
                plain("search=parcel%20left&counts=1"),
            ),
            (Probe.graphql("search, no counts", INBOX, withCounts=False, **search), plain("search=parcel%20left")),
        ]
        probes = [probe for pair in pairs for probe in pair]
        for api, baseline in pairs:
            why = different_inbox(_fetch(port, api, auth), _fetch(port, baseline, auth))
            if why is not None:
                raise SystemExit(f"{api.name}: the API and the plain view disagree: {why}")
        queries = {probe.name: _count_queries(probe, auth) for probe in probes}
        samples = _measure(port, auth, probes, args.warmup, args.requests)
    print(f"\n{args.requests} timed requests each after {args.warmup} warm-up; runserver on {os.cpu_count()} cores")
    width = max(len(probe.name) for probe in probes) + 1
    for probe in probes:
        cuts = statistics.quantiles(samples[probe.name], n=100, method="inclusive")
        print(
            f"{probe.name:<{width}} p50 {cuts[49]:8.1f} ms  p95 {cuts[94]:8.1f} ms  SQL queries {queries[probe.name]}"
        )
    print(
        f"inbox answers identical to the plain view's (tickets, order, counts, assignees): OK ({len(pairs)} requests)"
    )


def plain(query: str) -> Probe:
    """The baseline: ``benchmarks.inbox_views.inbox_screen`` with these parameters."""
    return Probe(f"  plain Django view ({query})", f"/bench/inbox/?{query}")


def different_inbox(api: dict, baseline: dict) -> str | None:
    """Why the inbox the API answered and the plain view's differ (tickets, order, counts, assignees), or None."""
    data = api["data"]
    ours = [_listed(edge["node"]) for edge in data["crmTickets"]["edges"]]
    theirs = [(t["id"], t["reference"], t["subject"], t["lastMessageAt"], t["customer"]) for t in baseline["tickets"]]
    if ours != theirs:
        return first_difference(ours, theirs)
    if "crmTicketViewCounts" in data and data["crmTicketViewCounts"] != baseline["counts"]:
        return f"view counts {data['crmTicketViewCounts']} vs {baseline['counts']}"
    if "crmStaffMembers" in data and [member["id"] for member in data["crmStaffMembers"]] != baseline["staff"]:
        return "assignee choices differ"
    return None


def _listed(node: dict) -> tuple:
    return (node["id"], node["reference"], node["subject"], node["lastMessageAt"], node["customer"]["email"])


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.segment_helpdesk_pages", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="live preview latency over a scripted typing session")
    preview.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/crm_bench_pages")
    preview.add_argument("--sessions", type=int, default=5)
    inbox = commands.add_parser("inbox", help="the inbox screen's request on a generated store")
    inbox.add_argument("--tickets", type=int, default=1_000_000)
    inbox.add_argument("--customers", type=int, default=200_000)
    inbox.add_argument("--requests", type=int, default=50)
    inbox.add_argument("--warmup", type=int, default=5)
    inbox.add_argument("--page", type=int, default=20)
    add_database_arguments(inbox, "postgres://postgres@127.0.0.1:5432/crm_bench_helpdesk")
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


if __name__ == "__main__":
    sys.exit(main())
