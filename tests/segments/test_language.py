"""The segment language: what it accepts, what it refuses and where it says the problem is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_crm_plugin.segments.language import SegmentQueryError, compile_query
from saleor_crm_plugin.segments.language.parser import parse
from saleor_crm_plugin.segments.language.registry import FIELDS, FUNCTIONS
from saleor_crm_plugin.segments.language.values import Literal, add_months, relative_date

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def error_of(query: str) -> SegmentQueryError:
    with pytest.raises(SegmentQueryError) as caught:
        compile_query(query, NOW)
    return caught.value


@pytest.mark.parametrize(
    ("query", "message", "line", "column"),
    [
        ("oders_count >= 3", "unknown field 'oders_count', did you mean 'orders_count'?", 1, 1),
        ('orders_count >= 3 AND\n  spnt("USD") > 5', "unknown function 'spnt', did you mean 'spent'?", 2, 3),
        ('rfm_segment = "at_rsk"', "unknown value 'at_rsk' for rfm_segment, did you mean 'at_risk'?", 1, 15),
        ("orders_count >= ", "the query ends too early", 1, 16),
        ("orders_count = shoes", "unexpected 'shoes'", 1, 16),
        ("(orders_count = 1", "the query ends too early; expected ')'", 1, 18),
        ("orders_count = 1.5", "expected a whole number, got 1.5", 1, 16),
        ('email > "a"', "email is text: compare it with = or !=", 1, 9),
        ("orders_count = null", "orders_count is never empty", 1, 16),
        ('spent("USD")', "spent(...) needs a comparison, like spent(...) > 0", 1, 1),
        ("consented() = true", "consented(...) is a condition on its own", 1, 1),
        ("bought_product()", "bought_product takes (product, [since]), got 0 value(s)", 1, 1),
        ("last_order_at < 2025-02-30", "2025-02-30 is not a valid date", 1, 17),
        ("last_order_at < -999999y", "reaches more than 100 years away", 1, 17),
        ("orders_count = 99999999999", "99999999999 is too large", 1, 16),
        ("last_order_at > 9999-12-31", "9999-12-31 is out of range: dates go from year 1900 to 2999", 1, 17),
        ("last_order_at <= 9999-12-31T23:59", "is out of range", 1, 18),
        ("orders_since(0001-01-01) > 1", "0001-01-01 is out of range", 1, 14),
        ('spent("USD") > 999999999999999999', "has too many digits", 1, 16),
        ("orders_count", "the query ends too early", 1, 13),
        ("orders_count = 1 $", "unexpected character '$'", 1, 18),
        ("", "the query is empty", None, None),
    ],
)
def test_errors_say_what_and_where(query, message, line, column):
    error = error_of(query)
    assert message in error.message
    assert (error.line, error.column) == (line, column)


def test_precedence_not_binds_tighter_than_and_than_or():
    tree = parse('NOT tag = "a" AND orders_count > 1 OR is_guest = true')
    assert tree.op == "or"
    assert tree.items[0].op == "and"
    assert type(tree.items[0].items[0]).__name__ == "Not"


def test_keywords_are_case_insensitive_and_do_not_swallow_names():
    assert parse("orders_count BETWEEN 1 and 3").low.text == "1"
    assert parse("android = 1").operand.name == "android"  # starts with "and", still a name


def test_relative_dates_count_back_from_now_in_calendar_months():
    one = Literal("RELDATE", "-1m", 1, 1)
    assert relative_date(one, NOW) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert relative_date(Literal("RELDATE", "-30d", 1, 1), NOW) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert add_months(datetime(2024, 3, 31, tzinfo=UTC), -1) == datetime(2024, 2, 29, tzinfo=UTC)


def test_time_relative_is_flagged():
    assert compile_query("last_order_at < -90d", NOW).time_relative
    assert compile_query('rfm_segment = "lost"', NOW).time_relative  # scores change nightly
    assert not compile_query("orders_count >= 2 AND last_order_at < 2025-01-01", NOW).time_relative


# -- fuzzing: any text either compiles to a query the database runs, or fails with our error -----------

KEYWORDS = ["AND", "OR", "NOT", "IN", "BETWEEN", "(", ")", ",", "=", "!=", "<", ">=", "null", "true", "-30d"]
VALUES = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    st.text(max_size=8).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
    st.sampled_from(["true", "false", "null", "-30d", "-12m", "+2w", "2025-01-31", "2025-13-01", "-99999d"]),
    # the edges of what dates and numbers can hold
    st.sampled_from(["9999-12-31", "9999-12-31T23:59", "0001-01-01", "2147483647", "-2147483648", "1" * 30]),
)


@st.composite
def condition(draw, depth=0):
    """A query that is grammatical but often wrong: real and wrong names, mismatched types."""
    if depth < 3 and draw(st.booleans()):
        joiner = draw(st.sampled_from([" AND ", " OR "]))
        return "(" + draw(condition(depth + 1)) + joiner + draw(condition(depth + 1)) + ")"
    names = [*sorted(FIELDS), "oders_count", "x"]
    functions = sorted(FUNCTIONS)
    if draw(st.booleans()):
        args = ", ".join(draw(st.lists(VALUES, max_size=3)))
        operand = f"{draw(st.sampled_from(functions))}({args})"
        if draw(st.booleans()):
            return ("NOT " if draw(st.booleans()) else "") + operand
    else:
        operand = draw(st.sampled_from(names))
    shape = draw(st.sampled_from(["cmp", "in", "between"]))
    if shape == "cmp":
        return f"{operand} {draw(st.sampled_from(['=', '!=', '<', '<=', '>', '>=']))} {draw(VALUES)}"
    if shape == "in":
        values = ", ".join(draw(st.lists(VALUES, min_size=1, max_size=3)))
        return f"{operand} {draw(st.sampled_from(['IN', 'NOT IN']))} ({values})"
    return f"{operand} BETWEEN {draw(VALUES)} AND {draw(VALUES)}"


def run(query: str) -> None:
    try:
        compiled = compile_query(query, NOW)
    except SegmentQueryError:
        return
    with connection.cursor():
        compiled.profiles().exists()  # the database accepts every query that compiles


@pytest.mark.django_db
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("abcdeinorstu_ ()\"',.=<>!-0123456789dmyTNOAD\n\\#$")), max_size=60))
def test_fuzz_random_text_never_crashes(text):
    run(text)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(KEYWORDS + sorted(FIELDS)), VALUES), max_size=12).map(" ".join))
def test_fuzz_token_soup_never_crashes(text):
    run(text)


@pytest.mark.django_db
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(condition())
def test_fuzz_grammatical_queries_compile_or_fail_cleanly(query):
    run(query)


def test_deep_nesting_is_refused_not_a_crash():
    assert "nests" in error_of("(" * 1000 + "orders_count = 1" + ")" * 1000).message
    assert "nests" in error_of("NOT " * 1000 + "orders_count = 1").message
