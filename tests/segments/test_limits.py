"""Segment queries can't hold a database backend: lists compile to one comparison, statements run with
a timeout that bites (JIT off), and queries with an absurd planned cost are refused with a clear error."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot
from saleor_crm_plugin.segments import actions
from saleor_crm_plugin.segments.language import SegmentQueryError, compile_query
from saleor_crm_plugin.segments.membership import evaluate_segment
from saleor_crm_plugin.segments.models import Segment
from saleor_crm_plugin.segments.preview import preview_segment

from .conftest import pks

VALUES = ", ".join(str(n) for n in range(1000))
ATTACK = f"NOT orders_since(-30d) IN ({VALUES})"  # no value matches: every one is compared, for every row


def sql_of(query: str) -> str:
    return str(compile_query(query).profiles().query)


@pytest.mark.parametrize(
    "query",
    [
        f"orders_since(-30d) IN ({VALUES})",
        ATTACK,
        " OR ".join(f"orders_since(-30d) = {n}" for n in range(300)),
        "orders_since(-30d) BETWEEN 1 AND 5",
    ],
)
def test_a_function_compared_with_many_values_is_computed_once(db, query):
    assert sql_of(query).count("crm_order_snapshot") == 1


def test_lists_and_ranges_keep_their_meaning(store):
    assert pks(compile_query("orders_count IN (1, 3)").profiles()) == {store[1].pk, store[2].pk}
    assert pks(compile_query("orders_count = 1 OR orders_count = 3").profiles()) == {store[1].pk, store[2].pk}
    assert pks(compile_query('spent("USD") IN (0, 20)').profiles()) == {store[n].pk for n in (2, 3, 4, 5)}
    assert pks(compile_query('spent("USD") BETWEEN 0 AND 100').profiles()) == {store[n].pk for n in (2, 3, 4, 5)}
    assert pks(compile_query("orders_since(2025-03-05) NOT IN (0)").profiles()) == {store[n].pk for n in (2, 3)}
    assert pks(compile_query('tag IN ("a", "b") OR is_guest IN (true, false)').profiles()) == pks(
        compile_query("orders_count >= 0").profiles()
    )


@pytest.fixture
def crowd(db):
    """3,000 shoppers with an order each: enough rows for the attack to bite."""
    now = timezone.now()
    profiles = CustomerProfile.objects.bulk_create(
        CustomerProfile(email=f"crowd{n}@example.com", orders_count=1, last_order_at=now) for n in range(3000)
    )
    OrderSnapshot.objects.bulk_create(
        OrderSnapshot(
            saleor_order_id=f"Order:crowd{p.pk}", number=str(p.pk), email=p.email, channel="default-channel",
            currency="USD", status="fulfilled", total=50, lines=[], placed_at=now, version=now, profile=p,
        )
        for p in profiles
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_customer_profile")
        cursor.execute("ANALYZE crm_order_snapshot")


@pytest.fixture
def jit_for_everything(db):
    """PostgreSQL's JIT on for any cost, as it is for a big store's queries (it can't be interrupted)."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0")
        cursor.execute("SET jit_optimize_above_cost = 0")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET jit; RESET jit_above_cost; RESET jit_inline_above_cost; RESET jit_optimize_above_cost")


@contextmanager
def watchdog(seconds: float):
    """Cancel this test's statement if it runs longer than ``seconds``, so a regression fails, not hangs."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    done = threading.Event()

    def watch():
        if not done.wait(seconds):
            with psycopg.connect(
                dbname=settings["NAME"], host=settings["HOST"], port=settings["PORT"] or None, user=settings["USER"]
            ) as other:
                other.execute("SELECT pg_cancel_backend(%s)", [pid])

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def test_the_in_attack_is_answered_in_seconds_even_with_jit(crowd, jit_for_everything, crm_settings):
    crm_settings(segments_preview_timeout_ms=2000)
    started = time.monotonic()
    with watchdog(60):
        try:
            outcome = preview_segment(ATTACK).count
        except SegmentQueryError as error:
            outcome = error.code
    assert time.monotonic() - started < 10, outcome
    assert outcome in (0, "TIMEOUT", "TOO_COSTLY")


def test_previews_and_evaluations_run_with_jit_off_and_a_timeout(store, crm_settings):
    seen = []

    def settings_in_force(execute, sql, params, many, context):
        if "crm_customer_profile" in sql and "crm_segment" not in sql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('jit'), current_setting('statement_timeout')")
                seen.append(cursor.fetchone())
        return execute(sql, params, many, context)

    crm_settings(segments_preview_timeout_ms=4000, segments_evaluation_timeout_ms=9000)
    segment = Segment.objects.create(name="Buyers", slug="buyers", query="orders_count >= 1")
    with connection.execute_wrapper(settings_in_force):
        preview_segment("orders_count >= 1")
        preview_count = len(seen)
        evaluate_segment(segment)
    assert set(seen[:preview_count]) == {("off", "4s")}
    assert set(seen[preview_count:]) == {("off", "9s")}
    with connection.cursor() as cursor:  # restored afterwards
        cursor.execute("SELECT current_setting('jit'), current_setting('statement_timeout')")
        assert cursor.fetchone() == ("on", "0")


def test_a_slow_evaluation_is_stopped_and_rolled_back(store, crm_settings):
    segment = Segment.objects.create(name="Slow", slug="slow", query="orders_count >= 1")
    crm_settings(segments_evaluation_timeout_ms=1)
    slow = " OR ".join(f'bought_product("SKU-{n}", -{n + 1}d)' for n in range(200))
    Segment.objects.filter(pk=segment.pk).update(query=f"({slow}) AND orders_count >= 0")
    segment.refresh_from_db()
    with pytest.raises(SegmentQueryError) as caught:
        for _ in range(20):  # 1 ms is usually exceeded at once; retry to be sure
            evaluate_segment(segment)
    assert caught.value.code == "TIMEOUT"
    assert not segment.evaluations.exists()


def test_a_query_with_an_absurd_planned_cost_is_refused_with_its_code(store, crm_settings):
    crm_settings(segments_max_query_cost=1000)
    query = " OR ".join(f"orders_since(-{n}d) = {n}" for n in range(1, 200))
    with pytest.raises(SegmentQueryError) as previewed:
        preview_segment(query)
    assert previewed.value.code == "TOO_COSTLY" and "planner estimate" in previewed.value.message
    with pytest.raises(actions.SegmentActionError) as saved:
        actions.create_segment("Costly", query)
    assert (saved.value.field, saved.value.code) == ("query", "TOO_COSTLY")
    assert actions.create_segment("Cheap", "orders_count >= 2").pk
