"""``crmCustomers`` and ``crmCustomer`` on a generated store: filters, sorting, paging, query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Exists, F, OuterRef

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest, ingest_many
from saleor_crm_plugin.profiles import actions
from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerSpend, CustomerTag
from saleor_crm_plugin.sandbox.generator import StoreGenerator

from ..factories import customer_event, line, order_event

LIST = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: CrmCustomerFilterInput,
      $sortBy: CrmCustomerSortingInput) {
  crmCustomers(first: $first, after: $after, last: $last, before: $before, filter: $filter, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id email } }
  }
}
"""
RICH_PAGE = """
{ crmCustomers(first: 100, sortBy: {field: LAST_ORDER_AT, direction: DESC}) {
    totalCount
    edges { node {
      id email name ordersCount user { id }
      spend { currency amount } averageOrderValue { currency amount }
      tags favouriteCategories { id name quantity } attribution { firstTouch { source at } }
      timeline(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind occurredAt summary } } }
    } }
} }
"""


@pytest.fixture
def store(db):
    """150 generated shoppers (guests, accounts, several currencies), with a few tags."""
    ingest_many(StoreGenerator(customers=150, seed=23).live_events())
    for profile in CustomerProfile.objects.order_by("pk")[:60:3]:
        actions.update_tags(profile, add=["vip"])
    for profile in CustomerProfile.objects.order_by("pk")[1:60:4]:
        actions.update_tags(profile, add=["wholesale"])
    return CustomerProfile.objects.filter(anonymised_at__isnull=True)


def emails(api, token, **variables) -> list[str]:
    """Every email the query returns, walking all pages forward."""
    found, after = [], None
    while True:
        page = api.data(LIST, {**variables, "first": 40, "after": after}, token=token)["crmCustomers"]
        found += [edge["node"]["email"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def test_default_order_is_by_email_and_pages_cover_everyone_once(api, store, staff_token):
    assert emails(api, staff_token) == [p.email for p in store.order_by("email", "id")]


@pytest.mark.parametrize("field", ["ORDERS_COUNT", "LAST_ORDER_AT"])  # a datetime key keeps its microseconds
def test_paging_backwards_gives_the_same_pages(api, store, staff_token, field):
    store.update(last_order_at=F("last_order_at") + timedelta(microseconds=321))  # as Saleor's timestamps are
    variables = {"sortBy": {"field": field, "direction": "DESC"}}
    forward = emails(api, staff_token, **variables)
    backward, before = [], None
    while True:
        page = api.data(LIST, {**variables, "last": 40, "before": before}, token=staff_token)["crmCustomers"]
        backward = [edge["node"]["email"] for edge in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == forward
    assert len(forward) == store.count()


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("ORDERS_COUNT", lambda p: p.orders_count),
        ("LAST_ORDER_AT", lambda p: p.last_order_at.timestamp() if p.last_order_at else float("-inf")),
        ("FIRST_NAME", lambda p: p.first_name),
    ],
)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_sorting_matches_the_data_with_id_as_tie_break(api, store, staff_token, field, key, direction):
    expected = sorted(store, key=lambda p: (key(p), p.pk), reverse=direction == "DESC")
    got = emails(api, staff_token, sortBy={"field": field, "direction": direction})
    assert got == [p.email for p in expected]


def test_sorting_by_spent_uses_the_filters_currency(api, store, staff_token):
    spent = {row.profile_id: row.total for row in CustomerSpend.objects.filter(currency="USD")}
    expected = sorted(store, key=lambda p: (spent.get(p.pk, Decimal(0)), p.pk), reverse=True)
    sort = {"field": "SPENT", "direction": "DESC"}
    assert emails(api, staff_token, sortBy=sort, filter={"currency": "usd"}) == [p.email for p in expected]
    error = api.error(LIST, {"first": 5, "sortBy": sort}, token=staff_token)
    assert error["message"] == "`filter.currency` is required with sorting by SPENT: spend is kept per currency."


def test_filters_combine(api, store, staff_token):
    cutoff = sorted(p.last_order_at for p in store if p.last_order_at)[40]
    usd = {row.profile_id: row.total for row in CustomerSpend.objects.filter(currency="USD")}
    tagged = set(CustomerTag.objects.filter(name__in=["vip", "wholesale"]).values_list("profile_id", flat=True))
    expected = [
        p.email
        for p in store.order_by("email", "id")
        if p.pk in tagged and p.last_order_at and p.last_order_at > cutoff and usd.get(p.pk, 0) >= Decimal("50")
    ]
    filters = {"tags": ["VIP ", "wholesale"], "lastOrderAfter": cutoff.isoformat(), "spentGte": "50", "currency": "USD"}
    assert emails(api, staff_token, filter=filters) == expected
    assert expected  # the fixture store has such customers


def test_spent_ranges_that_include_zero_include_customers_without_purchases(api, store, staff_token):
    usd = {row.profile_id: row.total for row in CustomerSpend.objects.filter(currency="USD")}
    expected = {p.email for p in store if usd.get(p.pk, Decimal(0)) <= Decimal("20")}
    got = emails(api, staff_token, filter={"spentLte": "20", "currency": "USD"})
    assert set(got) == expected and len(got) == len(expected)
    assert any(p.pk not in usd for p in store if p.email in expected)


def test_has_orders_search_and_last_order_before(api, store, staff_token):
    without = [p.email for p in store.order_by("email", "id") if p.orders_count == 0]
    assert emails(api, staff_token, filter={"hasOrders": False}) == without
    someone = store.exclude(last_name="").order_by("pk").first()
    found = emails(api, staff_token, filter={"search": someone.last_name.upper()[1:]})
    assert someone.email in found
    cutoff = sorted(p.last_order_at for p in store if p.last_order_at)[10]
    before = emails(api, staff_token, filter={"lastOrderBefore": cutoff.isoformat()})
    assert len(before) == 10


def test_total_count_follows_the_filter(api, store, staff_token):
    page = api.data(LIST, {"first": 1, "filter": {"tags": ["vip"]}}, token=staff_token)["crmCustomers"]
    vip = store.filter(Exists(CustomerTag.objects.filter(profile=OuterRef("pk"), name="vip"))).count()
    assert page["totalCount"] == vip == 20


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"first": 101},
            "Requesting 101 records on the `crmCustomers` connection exceeds the `first` limit of 100 records.",
        ),
        ({}, "You must provide a `first` or `last` value to properly paginate the `crmCustomers` connection."),
        ({"first": 5, "last": 5}, "Argument `last` cannot be combined with `first` on the `crmCustomers` connection."),
        ({"first": 5, "after": "bm90IGEgY3Vyc29y"}, "Received cursor (bm90IGEgY3Vyc29y) is invalid."),
        (
            {"first": 5, "filter": {"spentGte": "10", "currency": "dollars"}},
            "`filter.currency` must be an ISO 4217 code, got 'dollars'.",
        ),
        (
            {"first": 5, "filter": {"spentGte": "10"}},
            "`filter.currency` is required with spentGte/spentLte: spend is kept per currency.",
        ),
    ],
)
def test_bad_arguments_get_clear_errors(api, ada, staff_token, variables, message):
    body = api.raw(LIST, variables, token=staff_token, status=200)
    assert body["data"] == {"crmCustomers": None}
    assert [e["message"] for e in body["errors"]] == [message]


def test_a_rich_page_costs_a_constant_number_of_queries(api, store, staff_token, django_assert_max_num_queries):
    api.data(RICH_PAGE, token=staff_token)  # warm up: content types, sessions
    with django_assert_max_num_queries(9) as captured:
        page = api.data(RICH_PAGE, token=staff_token)["crmCustomers"]
    assert len(page["edges"]) == 100
    assert sum(len(e["node"]["timeline"]["edges"]) for e in page["edges"]) > 300
    # 2 to authenticate, 1 page, 1 count, then one per relation: spend (twice used), tags,
    # favourites, timeline, timeline counts. A page of 10 costs the same.
    assert len(captured) == 9, [q["sql"][:80] for q in captured]


def test_the_profile_shows_spend_favourites_attribution_and_timeline(api, staff_token, db):
    ingest(customer_event(pk=1))
    order = order_event(
        order_id="Order:1", user=1, total="30.50", lines=(line(3, "6.00", category=7), line(1, "12.50", product=2))
    )
    ingest(order)
    ingest(order_event(order_id="Order:2", user=1, total="12.00", currency="EUR", attribution={"utm_source": "mail"}))
    profile = CustomerProfile.objects.get()
    data = api.data(
        """query($id: ID!) { crmCustomer(id: $id) {
            email name ordersCount user { id } channels marketingConsent
            spend { currency amount fractionalAmount fractionDigits }
            averageOrderValue { currency amount }
            favouriteCategories { id name quantity }
            attribution { firstTouch { source medium via } lastTouch { source } }
            timeline(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind } } }
        } }""",
        {"id": global_id("CrmCustomer", profile.pk)},
        token=staff_token,
    )["crmCustomer"]
    assert data["user"] == {"id": global_id("User", 1)}
    assert data["ordersCount"] == 2
    assert data["spend"] == [
        {"currency": "EUR", "amount": 12.0, "fractionalAmount": 1200, "fractionDigits": 2},
        {"currency": "USD", "amount": 30.5, "fractionalAmount": 3050, "fractionDigits": 2},
    ]
    assert data["favouriteCategories"][0] == {"id": global_id("Category", 7), "name": "Category 7", "quantity": 3}
    assert data["attribution"] == {
        "firstTouch": {"source": "mail", "medium": None, "via": "order #2"},
        "lastTouch": {"source": "mail"},
    }
    assert data["timeline"]["totalCount"] == 3  # registered, two orders placed
    assert data["timeline"]["pageInfo"]["hasNextPage"] is True


def test_timeline_pages_after_a_cursor(api, ada, staff_token):
    for n in range(7):
        ingest(order_event(order_id=f"Order:{n}", user=1))
    query = """query($id: ID!, $after: String) { crmCustomer(id: $id) {
        timeline(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { node { summary occurredAt } } }
    } }"""
    seen, after = [], None
    while True:
        timeline = api.data(query, {"id": global_id("CrmCustomer", ada.pk), "after": after}, token=staff_token)[
            "crmCustomer"
        ]["timeline"]
        seen += [edge["node"]["summary"] for edge in timeline["edges"]]
        if not timeline["pageInfo"]["hasNextPage"]:
            break
        after = timeline["pageInfo"]["endCursor"]
    assert seen == list(ada.timeline.values_list("summary", flat=True))
    assert len(seen) == 8


def test_shoppers_dont_see_staff_notes_on_their_timeline(api, ada, ada_token, staff_token):
    actions.add_note(ada, "Asked for a refund twice")
    query = "{ crmMe { timeline(first: 10) { totalCount edges { node { kind } } } } }"
    mine = api.data(query, token=ada_token)["crmMe"]["timeline"]
    assert [e["node"]["kind"] for e in mine["edges"]] == ["customer.registered"] and mine["totalCount"] == 1
    staff = api.data(
        "query($id: ID!) { crmCustomer(id: $id) { timeline(first: 10) { totalCount } notes { message } } }",
        {"id": global_id("CrmCustomer", ada.pk)},
        token=staff_token,
    )["crmCustomer"]
    assert staff == {"timeline": {"totalCount": 2}, "notes": [{"message": "Asked for a refund twice"}]}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"id": "garbage"}, "Couldn't resolve id: garbage."),
        ({"id": global_id("Order", 1)}, "Must receive a CrmCustomer id."),
        ({"id": global_id("CrmCustomer", 1), "email": "a@b.c"}, "Argument 'id' cannot be combined with 'email'"),
        ({}, "At least one of arguments is required: 'id', 'email'."),
    ],
)
def test_bad_ids_get_graphql_errors(api, ada, staff_token, variables, message):
    query = "query($id: ID, $email: String) { crmCustomer(id: $id, email: $email) { email } }"
    error = api.error(query, variables, token=staff_token)
    assert error["message"] == message
    assert error["extensions"] == {"exception": {"code": "GraphQLError"}}


def test_an_unknown_customer_is_null(api, ada, staff_token):
    query = "query($id: ID, $email: String) { crmCustomer(id: $id, email: $email) { email } }"
    assert api.data(query, {"id": global_id("CrmCustomer", 999999)}, token=staff_token) == {"crmCustomer": None}
    assert api.data(query, {"email": "nobody@example.com"}, token=staff_token) == {"crmCustomer": None}
