"""The live re-check after ingested runs: a fixed number of statements for any number of segments, the
same members as a full evaluation, and one lock order with evaluations."""

from __future__ import annotations

import threading
import time
from itertools import cycle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.segments import membership
from saleor_crm_plugin.segments.builtin import ensure_builtin_segments
from saleor_crm_plugin.segments.language import SegmentQueryError, compile_query
from saleor_crm_plugin.segments.membership import evaluate_segment, matching_pairs
from saleor_crm_plugin.segments.models import Segment, SegmentMembership, SegmentMembershipChange

from ..factories import checkout_event
from .conftest import buy, pks, shopper
from .test_language import NOW, condition

CUSTOM_QUERIES = (
    "orders_count >= {n}",
    'spent("USD") > {n}0',
    'bought_category("Category 1", -{n}d) OR bought_category("Category 2")',
    "orders_since(-30d) IN (0, {n}) AND last_order_at > -{n}0w",
    'tag = "vip{n}" OR orders_count BETWEEN 1 AND {n}',
    'rfm_segment = "champions" AND orders_count > {n}',  # RFM and an event-driven part: re-checked
)
# What a live re-check costs at most, whatever the number of segments: the segments (locked), the run's
# memberships, one SELECT answering every segment, then changes, memberships left, entered, timeline.
LIVE_RECHECK_STATEMENTS = 7


def evaluated_segments(custom: int) -> None:
    """The built-ins and ``custom`` segments of the kinds merchants write, all evaluated."""
    ensure_builtin_segments()
    for n, query in zip(range(custom), cycle(CUSTOM_QUERIES), strict=False):
        Segment.objects.get_or_create(
            slug=f"custom-{n}", defaults={"name": f"Custom {n}", "query": query.format(n=n + 1)}
        )
    for segment in Segment.objects.filter(evaluated_at__isnull=True):
        evaluate_segment(segment)


def statements_of_a_second_order(pk: int) -> list[str]:
    """A new shopper's second order (measured): they leave some segments and enter others."""
    shopper(pk)
    buy(pk, f"{pk}-1", days=30)
    with CaptureQueriesContext(connection) as captured:
        buy(pk, f"{pk}-2", days=40)
    return [query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]


def recheck_statements(statements: list[str]) -> list[str]:
    """The statements of the live re-check: from reading the segments to the end of the run."""
    start = next(i for i, sql in enumerate(statements) if '"crm_segment"' in sql and "event_driven" in sql)
    return statements[start:]


def test_the_live_recheck_costs_the_same_statements_for_16_or_40_segments(store):
    evaluated_segments(custom=1)
    assert Segment.objects.count() == 16
    few = statements_of_a_second_order(6)
    evaluated_segments(custom=25)
    assert Segment.objects.count() == 40
    many = statements_of_a_second_order(7)
    assert len(recheck_statements(many)) == len(recheck_statements(few)) == LIVE_RECHECK_STATEMENTS
    assert len(many) == len(few)  # the whole ingest, too
    # RFM scores change only when they are recomputed: RFM-only segments are not looked at
    assert sum("crm_customer_rfm" in sql for sql in recheck_statements(many)) == 1  # custom "champions AND …"


@pytest.mark.parametrize("custom", [1, 25])  # with the 15 built-ins: 16 and 40 segments
def test_the_whole_ingest_of_an_order_is_bounded(store, custom, django_assert_max_num_queries):
    evaluated_segments(custom)
    with django_assert_max_num_queries(32):
        buy(2, "2-b", days=40)


def test_live_memberships_equal_full_evaluations_for_every_segment(store):
    evaluated_segments(custom=12)
    for n, pk in enumerate((2, 4, 5, 2)):
        buy(pk, f"live-{n}", total="90.00", days=400 + n, category=2)
    live = set(SegmentMembership.objects.values_list("segment_id", "profile_id"))
    for segment in Segment.objects.all():
        evaluation = evaluate_segment(segment)
        assert (segment.slug, evaluation.entered, evaluation.left) == (segment.slug, 0, 0)
    assert set(SegmentMembership.objects.values_list("segment_id", "profile_id")) == live


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=condition())
def test_one_select_for_all_segments_answers_like_each_segments_own_query(store, query):
    """The live re-check asks every segment in one SELECT (a yes/no column each): same members."""
    try:
        compiled = compile_query(query, NOW)
    except SegmentQueryError:
        return
    everyone = sorted(CustomerProfile.objects.values_list("pk", flat=True))
    assert matching_pairs({7: compiled.condition}, everyone) == {(7, pk) for pk in pks(compiled.profiles())}


@pytest.mark.django_db(transaction=True)
def test_an_evaluation_and_a_live_recheck_of_one_member_do_not_deadlock(monkeypatch):
    """Evaluation locks the segment, then memberships; so does the live re-check (shared), never the reverse.

    The membership is stale, so both find the shopper entering: the re-check must wait for the evaluation
    at the segment instead of holding the membership row while the evaluation waits for it.
    """
    shopper(2)
    buy(2, "2-0")
    segment = Segment.objects.create(name="First", slug="first", query="orders_count = 1")
    evaluate_segment(segment)
    SegmentMembership.objects.filter(segment=segment).delete()  # stale: the shopper entered unseen
    locked, go, errors = threading.Event(), threading.Event(), []

    def compile_pausing_the_evaluation(*args, **kwargs):
        if threading.current_thread().name == "evaluation":
            locked.set()  # the segment row is locked now
            go.wait(10)
        return compile_query(*args, **kwargs)

    monkeypatch.setattr(membership, "compile_query", compile_pausing_the_evaluation)

    def run(action):
        try:
            action()
        except Exception as error:  # a deadlock: PostgreSQL aborts one of the two
            errors.append(error)
        finally:
            connection.close()

    evaluation = threading.Thread(target=run, args=(lambda: evaluate_segment(segment),), name="evaluation")
    evaluation.start()
    assert locked.wait(10)
    live = threading.Thread(target=run, args=(lambda: ingest(checkout_event(email="shopper2@example.com", user=2)),))
    live.start()
    time.sleep(1)  # the re-check reaches the segment the evaluation holds
    go.set()
    evaluation.join(30)
    live.join(30)
    assert errors == []
    assert list(SegmentMembership.objects.filter(segment=segment).values_list("profile_id", flat=True)) == [
        CustomerProfile.objects.get(saleor_user_id__isnull=False, email="shopper2@example.com").pk
    ]
    assert SegmentMembershipChange.objects.filter(segment=segment).count() == 1  # entered once, not twice
