"""What the Dashboard App's widgets read: an order by Saleor's Order ID, its points, a customer's RFM group.

Each field is tried by the staff it is for, by staff without the permission, by shoppers and anonymously.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.auth import user_token
from saleor_crm_plugin.segments.models import CustomerRfm
from saleor_crm_plugin.segments.rfm import GROUP_NAMES, score_rfm

from ..factories import later, order_event
from .conftest import make_user

ORDER_ID = "6f0e2a1c-5d4b-4c3a-9e8f-000000000042"
ORDER = """
query($id: ID!) {
  crmOrder(id: $id) {
    number status total { amount currency }
    loyaltyPoints { points reversed status }
    customer { id email }
  }
}
"""
RFM = "query($id: ID!) { crmCustomerLookup(id: $id) { email rfm { group name recency frequency monetary } } }"
LIST_WITH_RFM = "{ crmCustomers(first: 100) { edges { node { email rfm { group } } } } }"


@pytest.fixture
def ada_order(ada):
    """Ada's $150.00 order paid today (1 point per unit, pending through the return window)."""
    created = order_event(order_id=ORDER_ID, user=1, total="150.00", number="42", created_at=timezone.now())
    ingest(created)
    ingest(later(created, "order.fully_paid", charge_status="full", total_charged=created.data.total))
    return global_id("Order", ORDER_ID)


@pytest.fixture
def earning(crm_settings):
    crm_settings(loyalty_earn_rates="*:1", loyalty_signup_bonus=0, loyalty_first_order_bonus=0)


def token(pk: int, *permissions: Permission) -> str:
    return user_token(make_user(pk, f"staff{pk}@store.test", *permissions, is_staff=True))


def test_support_staff_find_an_order_by_its_saleor_id_with_its_points(api, earning, ada_order):
    order = api.data(ORDER, {"id": ada_order}, token=token(910, Permission.MANAGE_ORDERS))["crmOrder"]
    assert order == {
        "number": "42",
        "status": "unfulfilled",
        "total": {"amount": 150.0, "currency": "USD"},
        "loyaltyPoints": {"points": 150, "reversed": 0, "status": "PENDING"},
        "customer": {"id": global_id("CrmCustomer", ada_profile().pk), "email": "ada@example.com"},
    }
    managers = api.data(ORDER, {"id": ada_order}, token=token(911, Permission.MANAGE_USERS))["crmOrder"]
    assert managers == order


def ada_profile() -> CustomerProfile:
    return CustomerProfile.objects.get(email="ada@example.com")


def test_an_order_is_hidden_like_a_missing_one_from_those_who_may_not_see_it(api, earning, ada_order, grace):
    missing = global_id("Order", "6f0e2a1c-5d4b-4c3a-9e8f-000000000099")
    assert api.data(ORDER, {"id": missing}, token=token(912, Permission.MANAGE_ORDERS)) == {"crmOrder": None}
    assert api.data(ORDER, {"id": ada_order}, token=grace) == {"crmOrder": None}  # another shopper
    assert api.data(ORDER, {"id": ada_order}, token=token(913)) == {"crmOrder": None}  # staff, no permission
    assert api.data(ORDER, {"id": ada_order}) == {"crmOrder": None}  # anonymous


def test_a_shopper_sees_their_own_order_and_its_points(api, earning, ada_order, ada_token):
    order = api.data(ORDER, {"id": ada_order}, token=ada_token)["crmOrder"]
    assert (order["number"], order["loyaltyPoints"]["points"]) == ("42", 150)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (global_id("User", 1), "Must receive a Order id."),
        ("not-an-id", "Couldn't resolve id: not-an-id."),
    ],
)
def test_an_order_id_of_another_kind_is_a_clear_error(api, ada_order, value, message):
    error = api.error(ORDER, {"id": value}, token=token(914, Permission.MANAGE_ORDERS))
    assert error["message"] == message


def test_a_guests_order_has_no_points(api, earning):
    ingest(order_event(order_id=ORDER_ID, email="guest@example.com", total="10.00", number="7"))
    order = api.data(ORDER, {"id": global_id("Order", ORDER_ID)}, token=token(915, Permission.MANAGE_ORDERS))
    assert order["crmOrder"]["loyaltyPoints"] is None


def test_customer_managers_see_the_rfm_group_others_are_refused(api, ada_order, ada_token):
    score_rfm()
    variables = {"id": global_id("User", 1)}
    rfm = api.data(RFM, variables, token=token(916, Permission.MANAGE_USERS))["crmCustomerLookup"]["rfm"]
    scored = CustomerRfm.objects.get(profile=ada_profile())
    assert rfm == {
        "group": scored.group,
        "name": GROUP_NAMES[scored.group],
        "recency": scored.recency,
        "frequency": scored.frequency,
        "monetary": scored.monetary,
    }

    for refused in (token(917, Permission.MANAGE_ORDERS), ada_token):
        body = api.raw(RFM, variables, token=refused)
        assert body["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
        assert body["errors"][0]["path"][-1] == "rfm"


def test_rfm_of_a_customer_never_scored_is_null(api, ada):
    data = api.data(RFM, {"id": global_id("User", 1)}, token=token(918, Permission.MANAGE_USERS))
    assert data["crmCustomerLookup"]["rfm"] is None


def test_rfm_on_a_list_costs_one_query_whatever_its_length(api, django_assert_max_num_queries):
    for pk in range(1, 31):
        ingest(order_event(order_id=f"o-{pk}", email=f"c{pk}@example.com", total=str(10 * pk)))
    score_rfm()
    manager = token(919, Permission.MANAGE_USERS)
    api.data(LIST_WITH_RFM, token=manager)  # warm the caller's lookups
    with django_assert_max_num_queries(12) as queries:
        rows = api.data(LIST_WITH_RFM, token=manager)["crmCustomers"]["edges"]
    assert len(rows) == 30 and all(row["node"]["rfm"] for row in rows)
    assert sum("crm_customer_rfm" in q["sql"] for q in queries.captured_queries) == 1
