"""What the Dashboard App's customer pages read: lookups by either ID, segments, filtered timeline, tags.

Each field is tried by the staff it is for, by staff without MANAGE_USERS, by a shopper and anonymously.
"""

from __future__ import annotations

import pytest

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles import actions
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.auth import user_token
from saleor_crm_plugin.segments.actions import create_segment
from saleor_crm_plugin.segments.membership import evaluate_segment

from ..factories import order_event
from ..segments.conftest import store  # noqa: F401 - fixture
from .conftest import make_user

LOOKUP = "query($id: ID!) { crmCustomerLookup(id: $id) { id email segments { slug } } }"
TIMELINE = """
query($id: ID!, $categories: [CrmTimelineCategory!], $first: Int, $after: String, $last: Int, $before: String) {
  crmCustomerTimeline(customer: $id, categories: $categories, first: $first, after: $after, last: $last,
                      before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { kind summary } }
  }
}
"""
TAGS = "query($search: String) { crmCustomerTags(search: $search) { name customers } }"
CURRENCIES = "{ crmCustomerCurrencies }"
LIST_WITH_SEGMENTS = """
{ crmCustomers(first: 100) { edges { node { email segments { slug } tags spend { currency amount } } } } }
"""


def crm_id(profile: CustomerProfile) -> str:
    return global_id("CrmCustomer", profile.pk)


@pytest.fixture
def guest(db):
    """A guest who bought twice: a profile with no Saleor account."""
    for number in ("g-1", "g-2"):
        ingest(order_event(order_id=number, email="guest@example.com", total="35.00"))
    return CustomerProfile.objects.get(email="guest@example.com")


@pytest.fixture
def segments(store, guest):  # noqa: F811
    for name, query in (("Repeat", "orders_count >= 2"), ("Euro", 'spent("EUR") > 0')):
        evaluate_segment(create_segment(name, query))


def test_lookup_takes_the_crm_id_or_the_saleor_user_id(api, staff_token, store):  # noqa: F811
    profile = store[1]
    by_crm = api.data(LOOKUP, {"id": crm_id(profile)}, token=staff_token)["crmCustomerLookup"]
    by_user = api.data(LOOKUP, {"id": profile.saleor_user_id}, token=staff_token)["crmCustomerLookup"]
    assert by_crm == by_user
    assert by_crm["id"] == crm_id(profile) and by_crm["email"] == "shopper1@example.com"


def test_lookup_of_an_unknown_user_is_null_and_of_another_type_an_error(api, staff_token, store):  # noqa: F811
    assert api.data(LOOKUP, {"id": global_id("User", 999)}, token=staff_token)["crmCustomerLookup"] is None
    error = api.error(LOOKUP, {"id": global_id("Order", 1)}, token=staff_token)
    assert "Give a CrmCustomer or a Saleor User ID" in error["message"]


def test_segments_of_accounts_and_guests(api, staff_token, store, guest, segments):  # noqa: F811
    def slugs(profile):
        return api.data(LOOKUP, {"id": crm_id(profile)}, token=staff_token)["crmCustomerLookup"]["segments"]

    assert slugs(store[3]) == [{"slug": "euro"}, {"slug": "repeat"}]
    assert slugs(guest) == [{"slug": "repeat"}]
    assert slugs(store[4]) == []


def test_a_list_with_segments_costs_a_constant_number_of_queries(
    api, staff_token, segments, django_assert_max_num_queries
):
    api.data(LIST_WITH_SEGMENTS, token=staff_token)  # warm up
    # 2 to authenticate, the page, then one per relation: segments, tags, spend.
    with django_assert_max_num_queries(6):
        edges = api.data(LIST_WITH_SEGMENTS, token=staff_token)["crmCustomers"]["edges"]
    assert len(edges) == 6
    assert sum(len(edge["node"]["segments"]) for edge in edges) == 4


@pytest.fixture
def shopper1_token(store):  # noqa: F811
    return user_token(make_user(1, "shopper1@example.com"))


@pytest.fixture
def busy(store):  # noqa: F811
    """Shopper 1's timeline: account, 3 orders (placed), a staff note, and tags."""
    profile = store[1]
    actions.add_note(profile, "Prefers phone calls")
    return profile


def test_timeline_filtered_by_category(api, staff_token, busy):
    everything = api.data(TIMELINE, {"id": crm_id(busy), "first": 100}, token=staff_token)["crmCustomerTimeline"]
    kinds = {edge["node"]["kind"] for edge in everything["edges"]}
    assert {"note.added", "customer.registered"} <= kinds and any(k.startswith("order.") for k in kinds)
    orders = api.data(TIMELINE, {"id": busy.saleor_user_id, "first": 100, "categories": ["ORDERS"]}, token=staff_token)
    order_kinds = [edge["node"]["kind"] for edge in orders["crmCustomerTimeline"]["edges"]]
    assert order_kinds and all(kind.startswith("order.") for kind in order_kinds)
    assert orders["crmCustomerTimeline"]["totalCount"] == len(order_kinds) < everything["totalCount"]
    notes = api.data(TIMELINE, {"id": crm_id(busy), "first": 10, "categories": ["NOTES", "ACCOUNT"]}, token=staff_token)
    assert {edge["node"]["kind"] for edge in notes["crmCustomerTimeline"]["edges"]} == {
        "note.added",
        "customer.registered",
    }


def test_timeline_pages_forward_and_back(api, staff_token, busy):
    full = api.data(TIMELINE, {"id": crm_id(busy), "first": 100}, token=staff_token)["crmCustomerTimeline"]
    summaries = [edge["node"]["summary"] for edge in full["edges"]]
    assert len(summaries) >= 5
    first = api.data(TIMELINE, {"id": crm_id(busy), "first": 2}, token=staff_token)["crmCustomerTimeline"]
    second = api.data(
        TIMELINE, {"id": crm_id(busy), "first": 2, "after": first["pageInfo"]["endCursor"]}, token=staff_token
    )["crmCustomerTimeline"]
    assert [e["node"]["summary"] for e in first["edges"] + second["edges"]] == summaries[:4]
    assert second["pageInfo"]["hasPreviousPage"] and second["pageInfo"]["hasNextPage"]
    back = api.data(
        TIMELINE, {"id": crm_id(busy), "last": 2, "before": second["pageInfo"]["startCursor"]}, token=staff_token
    )["crmCustomerTimeline"]
    assert back["edges"] == first["edges"]


def test_the_shopper_reads_their_own_timeline_without_staff_notes(api, busy, shopper1_token):
    token = shopper1_token
    own = api.data(TIMELINE, {"id": busy.saleor_user_id, "first": 100}, token=token)["crmCustomerTimeline"]
    kinds = {edge["node"]["kind"] for edge in own["edges"]}
    assert "note.added" not in kinds and "customer.registered" in kinds
    others = api.data(TIMELINE, {"id": global_id("User", 2), "first": 10}, token=token)
    assert others["crmCustomerTimeline"] is None  # like an unknown customer


def test_tags_in_use_with_counts(api, staff_token, store):  # noqa: F811
    for pk in (1, 2, 3):
        actions.update_tags(store[pk], add=["vip"])
    actions.update_tags(store[4], add=["wholesale", "vip-lead"])
    tags = api.data(TAGS, token=staff_token)["crmCustomerTags"]
    assert tags == [{"name": "vip", "customers": 3}, {"name": "vip-lead", "customers": 1},
                    {"name": "wholesale", "customers": 1}]  # fmt: skip
    assert api.data(TAGS, {"search": "LEAD"}, token=staff_token)["crmCustomerTags"] == [
        {"name": "vip-lead", "customers": 1}
    ]


def test_currencies_customers_spent_in(api, staff_token, store):  # noqa: F811
    assert api.data(CURRENCIES, token=staff_token)["crmCustomerCurrencies"] == ["EUR", "USD"]


@pytest.mark.parametrize(
    "operation",
    [
        ("query($id: ID!) { crmCustomerLookup(id: $id) { id } }", "crmCustomerLookup"),
        ("query($id: ID!) { crmCustomerTimeline(customer: $id, first: 5) { totalCount } }", "crmCustomerTimeline"),
    ],
)
@pytest.mark.parametrize("who", ["plain_staff_token", "shopper1_token", None])
def test_another_customer_is_not_found_without_manage_users(api, request, store, operation, who):  # noqa: F811
    query, field = operation
    token = request.getfixturevalue(who) if who else None
    assert api.data(query, {"id": store[2].saleor_user_id}, token=token)[field] is None
    assert api.data(query, {"id": crm_id(store[2])}, token=token)[field] is None


@pytest.mark.parametrize("query", ["{ crmCustomerTags { name } }", "{ crmCustomerCurrencies }"])
@pytest.mark.parametrize("who", ["plain_staff_token", "shopper1_token", None])
def test_denied_without_manage_users(api, request, store, query, who):  # noqa: F811
    token = request.getfixturevalue(who) if who else None
    error = api.error(query, token=token)
    assert error["extensions"]["exception"]["code"] == "PermissionDenied"


def test_segments_of_a_shoppers_own_profile_are_staff_only(api, store, segments):  # noqa: F811
    token = user_token(make_user(3, "shopper3@example.com"))
    body = api.raw("{ crmMe { email segments { slug } } }", token=token)
    assert body["data"]["crmMe"]["segments"] is None
    assert body["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff_token", ["MANAGE_USERS"]), ("plain_staff_token", []), ("shopper1_token", []), (None, [])],
)
def test_viewer_permissions_say_what_the_caller_may_do(api, request, store, who, expected):  # noqa: F811
    token = request.getfixturevalue(who) if who else None
    assert api.data("{ crmViewerPermissions }", token=token)["crmViewerPermissions"] == expected
