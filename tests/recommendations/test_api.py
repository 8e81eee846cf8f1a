"""crmRecommendations over HTTP with real tokens: who may see what, and what it costs."""

import pytest

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.recommendations.compute import rebuild

from .conftest import product, profile

pytestmark = pytest.mark.django_db

QUERY = """
query Recommendations($customer: ID, $product: ID, $first: Int) {
  crmRecommendations(customerId: $customer, productId: $product, first: $first) {
    productId productName categoryId categoryName score reason
  }
}
"""


def customer_id(email: str) -> str:
    return global_id("CrmCustomer", profile(email).pk)


@pytest.fixture
def rebuilt(store):
    rebuild()
    return store


def test_anyone_sees_what_is_bought_together(api, rebuilt):
    found = api.data(QUERY, {"product": product(1)})["crmRecommendations"]
    assert found == [
        {
            "productId": product(2),
            "productName": "Product 2",
            "categoryId": global_id("Category", 1),
            "categoryName": "Category 1",
            "score": "0.866025",
            "reason": "BOUGHT_TOGETHER",
        }
    ]


def test_a_shopper_sees_their_own_without_an_id(api, rebuilt, ada_token):
    own = api.data(QUERY, {"first": 3}, token=ada_token)["crmRecommendations"]
    assert [(r["productId"], r["reason"]) for r in own] == [
        (product(2), "BOUGHT_TOGETHER"),
        (product(3), "POPULAR"),
        (product(4), "POPULAR"),
    ]
    assert product(1) not in [r["productId"] for r in own]
    by_id = api.data(QUERY, {"first": 3, "customer": customer_id("ada@example.com")}, token=ada_token)
    assert by_id["crmRecommendations"] == own


def test_an_anonymous_caller_without_arguments_gets_null(api, rebuilt):
    assert api.data(QUERY)["crmRecommendations"] is None


def test_a_shopper_may_not_see_another_customers(api, rebuilt, grace):
    """Answered like a customer that doesn't exist: no way to tell which ids are customers."""
    assert api.data(QUERY, {"customer": customer_id("ada@example.com")}, token=grace)["crmRecommendations"] is None
    missing = global_id("CrmCustomer", 999_999)
    assert api.data(QUERY, {"customer": missing}, token=grace)["crmRecommendations"] is None


def test_staff_need_manage_users_for_a_customer(api, rebuilt, plain_staff_token, staff_token):
    variables = {"customer": customer_id("bob@example.com")}
    # A customer the caller may not see is answered like a missing one (no existence oracle).
    assert api.data(QUERY, variables, token=plain_staff_token)["crmRecommendations"] is None
    assert api.data(QUERY, variables)["crmRecommendations"] is None
    found = api.data(QUERY, variables, token=staff_token)["crmRecommendations"]
    assert [(r["productId"], r["reason"]) for r in found[:2]] == [(product(7), "CATEGORY"), (product(3), "POPULAR")]


def test_a_signed_in_shopper_without_a_profile_gets_best_sellers(api, rebuilt, plain_staff_token):
    found = api.data(QUERY, {"first": 2}, token=plain_staff_token)["crmRecommendations"]
    assert [(r["productId"], r["reason"], r["score"]) for r in found] == [
        (product(3), "POPULAR", "0"),
        (product(1), "POPULAR", "0"),
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"customer": "Q3JtQ3VzdG9tZXI6MQ==", "product": product(1)}, "cannot be combined"),
        ({"product": product(1), "first": 0}, "must be between 1 and 100"),
        ({"product": product(1), "first": 101}, "must be between 1 and 100"),
        ({"product": global_id("Category", 1)}, "Must receive a Product id."),
    ],
)
def test_bad_arguments_are_refused(api, rebuilt, staff_token, variables, message):
    assert message in api.error(QUERY, variables, token=staff_token)["message"]


def test_queries_do_not_grow_with_first(api, rebuilt, staff_token, django_assert_max_num_queries):
    variables = {"customer": customer_id("ada@example.com")}
    api.data(QUERY, {**variables, "first": 1}, token=staff_token)  # warm up
    counts = []
    for first in (1, 5, 100):
        with django_assert_max_num_queries(4) as captured:
            found = api.data(QUERY, {**variables, "first": first}, token=staff_token)["crmRecommendations"]
        counts.append(len(captured))
        assert len(found) == min(first, 5)  # every product sold except Ada's own
    # 2 to authenticate, the profile, its recommendations with the best-seller fallback.
    assert counts == [4, 4, 4]
