"""Queries against real profiles: every field and function matches exactly the customers it should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef, Q

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.actions import update_tags
from saleor_crm_plugin.profiles.checkouts import mark_abandoned_checkouts
from saleor_crm_plugin.profiles.models import CustomerTag
from saleor_crm_plugin.segments.language import SegmentQueryError, compile_query
from saleor_crm_plugin.segments.language.registry import FIELDS, FUNCTIONS, Param, register_field, register_function
from saleor_crm_plugin.segments.language.values import ValueType

from ..factories import T0, checkout_event
from .conftest import pks, shopper

NOW = T0 + timedelta(days=30)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("orders_count >= 3", {1}),
        ("orders_count = 0", {4, 5}),
        ("cancellations_count >= 1", {5}),
        ('spent("USD") > 500', {1}),
        ('spent("usd") < 50', {2, 3, 4, 5}),
        ('NOT spent("USD") >= 50', {2, 3, 4, 5}),
        ('spent("EUR") BETWEEN 100 AND 200', {3}),
        ('aov("USD") >= 300', {1}),
        ('NOT aov("USD") > 0', {3, 4, 5}),
        ('bought_category("Category 2")', {1}),
        ('bought_category("Category 1")', {2, 3}),
        ('bought_category("Category 1", 2025-03-08)', {2}),
        ('bought_product("SKU-1") AND NOT bought_category("Category 2")', {2, 3}),
        ('bought_in_channel("default-channel", -25d)', {2, 3}),
        ("orders_since(2025-03-02) >= 2", {1, 3}),
        ("last_order_at = 2025-03-11", {2}),
        ("last_order_at >= 2025-03-11", {2}),
        ("last_order_at <= 2025-03-03", {1}),
        ("last_order_at = null", {4, 5}),
        ("last_order_at != null AND last_order_at < -22d", {1, 3}),
        ("is_guest = false AND is_active = true", {1, 2, 3, 4, 5}),
        ('email IN ("shopper1@example.com", "shopper2@example.com")', {1, 2}),
        ('email NOT IN ("shopper1@example.com")', {2, 3, 4, 5}),
        ("orders_count >= 1 AND (orders_count >= 3 OR cancellations_count = 0) AND NOT orders_count = 2", {1, 2}),
    ],
)
def test_conditions_match_exactly(store, query, expected):
    matched = pks(compile_query(query, NOW).profiles())
    assert matched == {store[pk].pk for pk in expected}


def test_tags_and_consent(store):
    update_tags(store[1], add=["VIP"])
    assert pks(compile_query('tag = "vip"', NOW).profiles()) == {store[1].pk}
    assert store[1].pk not in pks(compile_query('NOT tag = "vip"', NOW).profiles())
    consenting = shopper(6, marketing_consent=True)
    assert pks(compile_query("consented()", NOW).profiles()) == {consenting.pk}
    assert store[4].pk in pks(compile_query("marketing_consent = null", NOW).profiles())


def test_abandoned_checkout_within_a_window(store):
    ingest(checkout_event(token="c-1", email="shopper4@example.com", user=4, updated_at=T0))
    mark_abandoned_checkouts(T0 + timedelta(days=1))
    assert pks(compile_query("abandoned_checkout()", NOW).profiles()) == {store[4].pk}
    assert pks(compile_query("abandoned_checkout(2025-03-01)", NOW).profiles()) == {store[4].pk}
    assert pks(compile_query("abandoned_checkout(-7d)", NOW).profiles()) == set()


def test_anonymised_profiles_are_never_members(store):
    store[1].anonymised_at = T0
    store[1].save(update_fields=["anonymised_at"])
    assert pks(compile_query("orders_count >= 0", NOW).profiles()) == {store[pk].pk for pk in (2, 3, 4, 5)}


def test_a_query_is_one_sql_statement(store, django_assert_num_queries):
    compiled = compile_query('orders_count >= 1 AND spent("USD") > 10 AND bought_category("Category 1")', NOW)
    with django_assert_num_queries(1):
        assert pks(compiled.profiles()) == {store[2].pk}


@pytest.fixture
def other_domain():
    """A field and a function registered the way loyalty and tickets register theirs."""
    register_field("vip_orders", ValueType.INT, "orders_count", "Stand-in for a loyalty field.")
    register_function(
        "was_tagged",
        lambda name, since=None: Q(Exists(CustomerTag.objects.filter(profile=OuterRef("pk"), name=name))),
        (Param("tag", ValueType.STRING), Param("since", ValueType.DATETIME, required=False)),
        "Stand-in for opened_ticket.",
    )
    yield
    FIELDS.pop("vip_orders")
    FUNCTIONS.pop("was_tagged")


def test_other_domains_add_fields_and_functions_without_touching_the_parser(store, other_domain):
    update_tags(store[2], add=["x"])
    assert pks(compile_query('vip_orders >= 3 OR was_tagged("x", -7d)', NOW).profiles()) == {store[1].pk, store[2].pk}
    with pytest.raises(SegmentQueryError, match="did you mean 'was_tagged'"):
        compile_query('was_taged("x")')


def test_a_name_cannot_be_registered_twice_differently(other_domain):
    with pytest.raises(ValueError, match="already registered"):
        register_field("vip_orders", ValueType.INT, "refunds_count", "Another meaning.")
