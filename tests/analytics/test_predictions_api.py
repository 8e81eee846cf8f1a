"""Predictions through the API: who sees them, the reasons instead of numbers, fits and the refit mutation."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest

from saleor_crm_plugin.analytics.models import CustomerPrediction
from saleor_crm_plugin.analytics.predictions import refit_predictions
from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.aggregates import rebuild
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.auth import user_token

from ..graphql.conftest import make_user
from .predictions_data import END, order, seed_orders
from .test_predictions_refit import SMALL_STORE

PREDICTIONS = """
predictions {
  currency available reasonCode reason
  historicClv { amount currency } predictedSpend { amount currency } predictedClv { amount currency }
  predictedOrders pActive churnRisk churnRiskBand expectedNextOrderAt averageDaysBetweenOrders horizonMonths fittedAt
}
"""
CUSTOMER = f"query($id: ID!) {{ crmCustomer(id: $id) {{ email {PREDICTIONS} }} }}"
ME = f"{{ crmMe {{ {PREDICTIONS} }} }}"
REFIT = """
mutation($currency: String) {
  crmAnalyticsRefit(currency: $currency) {
    fits { currency status reasonCode reason model customers repeatBuyers orders historyDays converged }
    errors { field code message }
  }
}
"""
FITS = """
{ crmAnalyticsFits(first: 10) { totalCount edges { node {
  id currency status model spendModel parameters customers repeatBuyers orders historyDays logLikelihood converged
  calibrationError horizonMonths scoredCustomers fittedAt asOf
} } } }
"""


@pytest.fixture
def ada(db, crm_settings):
    """A registered shopper among 150 simulated USD customers, who also bought once in EUR; USD refitted."""
    crm_settings(**SMALL_STORE)
    ids = seed_orders(np.random.default_rng(21), 150, "USD")
    profile = CustomerProfile.objects.get(pk=ids[0])
    profile.saleor_user_id, profile.email = global_id("User", 1), "ada@example.com"
    profile.save()
    order(profile, "EUR", END - timedelta(days=3), Decimal("12.50")).save()
    rebuild([profile.pk])
    refit_predictions("USD", now=END)
    return profile


@pytest.fixture
def ada_token(ada):
    return user_token(make_user(1, "ada@example.com"))


def by_currency(predictions: list[dict]) -> dict[str, dict]:
    return {entry["currency"]: entry for entry in predictions}


def test_the_shopper_sees_her_predictions_and_why_a_currency_has_none(api, ada, ada_token):
    mine = by_currency(api.data(ME, token=ada_token)["crmMe"]["predictions"])

    row = CustomerPrediction.objects.get(profile=ada, currency="USD")
    usd = mine["USD"]
    assert usd["available"] is True and usd["reasonCode"] is None
    assert usd["predictedClv"] == {"amount": float(row.predicted_clv), "currency": "USD"}
    assert Decimal(str(usd["predictedClv"]["amount"])) == Decimal(str(usd["historicClv"]["amount"])) + Decimal(
        str(usd["predictedSpend"]["amount"])
    )
    assert Decimal(usd["predictedOrders"]) == row.predicted_orders
    assert usd["churnRisk"] == pytest.approx(1 - usd["pActive"])
    assert usd["churnRiskBand"] == row.churn_risk_band.upper()
    assert usd["horizonMonths"] == 12
    eur = mine["EUR"]
    assert (eur["available"], eur["reasonCode"], eur["predictedClv"], eur["pActive"]) == (
        False,
        "NOT_FITTED",
        None,
        None,
    )
    assert "EUR" in eur["reason"]


def test_staff_with_manage_users_see_any_customers_predictions(api, ada, staff_token):
    customer = api.data(CUSTOMER, {"id": global_id("CrmCustomer", ada.pk)}, token=staff_token)["crmCustomer"]
    assert set(by_currency(customer["predictions"])) == {"EUR", "USD"}


def test_another_shopper_gets_nothing_of_her(api, ada):
    grace = user_token(make_user(2, "grace@example.com"))
    body = api.data(CUSTOMER, {"id": global_id("CrmCustomer", ada.pk)}, token=grace)
    assert body["crmCustomer"] is None


def test_helpdesk_staff_see_the_contact_card_but_not_predictions(api, ada):
    agent = user_token(make_user(903, "agent@store.test", Permission.MANAGE_ORDERS, is_staff=True))
    body = api.raw(CUSTOMER, {"id": global_id("CrmCustomer", ada.pk)}, token=agent)
    assert body["data"]["crmCustomer"]["email"] == "ada@example.com"
    assert [error["path"] for error in body["errors"]] == [["crmCustomer", "predictions"]]
    assert body["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_a_refused_refit_shows_its_reason_on_the_customer(api, ada, ada_token, staff_token, crm_settings):
    crm_settings(**{**SMALL_STORE, "predictions_min_customers": 1000})
    payload = api.data(REFIT, {"currency": "usd"}, token=staff_token)["crmAnalyticsRefit"]
    assert payload["errors"] == []
    [fit] = payload["fits"]
    assert (fit["currency"], fit["status"], fit["reasonCode"], fit["customers"]) == (
        "USD",
        "REFUSED",
        "TOO_FEW_CUSTOMERS",
        150,
    )

    usd = by_currency(api.data(ME, token=ada_token)["crmMe"]["predictions"])["USD"]
    assert (usd["available"], usd["reasonCode"], usd["predictedClv"]) == (False, "TOO_FEW_CUSTOMERS", None)
    assert usd["reason"] == "150 customers ordered in this currency; predictions need at least 1000."


def test_staff_refit_every_currency_and_see_the_fits(api, ada, staff_token):
    fits = api.data(REFIT, {}, token=staff_token)["crmAnalyticsRefit"]["fits"]
    assert {(fit["currency"], fit["status"]) for fit in fits} == {("EUR", "REFUSED"), ("USD", "FITTED")}

    listed = api.data(FITS, token=staff_token)["crmAnalyticsFits"]
    assert listed["totalCount"] == 3  # the fixture's USD fit, then these two
    newest = [edge["node"] for edge in listed["edges"]]
    usd = next(node for node in newest if node["currency"] == "USD")
    assert (usd["status"], usd["model"], usd["spendModel"], usd["customers"]) == (
        "FITTED",
        "MBG_NBD",
        "GAMMA_GAMMA",
        150,
    )
    assert set(json.loads(usd["parameters"])) == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert usd["scoredCustomers"] == 150 and usd["converged"]


def test_refit_refuses_a_malformed_currency(api, ada, staff_token):
    errors = api.data(REFIT, {"currency": "dollars"}, token=staff_token)["crmAnalyticsRefit"]["errors"]
    assert errors == [{"field": "currency", "code": "INVALID", "message": "Give an ISO 4217 code like USD."}]


@pytest.mark.parametrize("who", ["anonymous", "shopper", "helpdesk", "staff_without_permissions"])
def test_only_customer_managers_refit_and_list_fits(api, ada, who):
    tokens = {
        "anonymous": lambda: None,
        "shopper": lambda: user_token(make_user(1, "ada@example.com")),
        "helpdesk": lambda: user_token(make_user(903, "agent@store.test", Permission.MANAGE_ORDERS, is_staff=True)),
        "staff_without_permissions": lambda: user_token(make_user(904, "packer@store.test", is_staff=True)),
    }
    token = tokens[who]()
    before = CustomerPrediction.objects.values_list("fit_id", flat=True).first()
    for query in (REFIT, FITS):
        error = api.error(query, token=token)
        assert error["extensions"]["exception"]["code"] == "PermissionDenied"
    assert CustomerPrediction.objects.values_list("fit_id", flat=True).first() == before


def test_a_page_of_customers_costs_a_constant_number_of_queries(api, ada, staff_token, django_assert_max_num_queries):
    page = f"{{ crmCustomers(first: 100) {{ edges {{ node {{ email {PREDICTIONS} }} }} }} }}"
    with django_assert_max_num_queries(12):
        edges = api.data(page, token=staff_token)["crmCustomers"]["edges"]
    assert len(edges) == 100
    assert sum(len(edge["node"]["predictions"]) for edge in edges) >= 100


SORTED = """
query($field: CrmCustomerSortField!, $direction: OrderDirection!, $after: String, $currency: String) {
  crmCustomers(
    first: 20, after: $after, sortBy: {field: $field, direction: $direction}, filter: {currency: $currency}
  ) {
    pageInfo { endCursor hasNextPage }
    edges { node { id } }
  }
}
"""


@pytest.mark.parametrize(
    ("field", "column", "direction"), [("PREDICTED_CLV", "predicted_clv", "DESC"), ("CHURN_RISK", "churn_risk", "ASC")]
)
def test_customers_sort_by_a_prediction_page_after_page(api, ada, staff_token, field, column, direction):
    rows = CustomerPrediction.objects.filter(currency="USD").order_by(
        *(f"-{column}", "-profile_id") if direction == "DESC" else (column, "profile_id")
    )
    expected = [global_id("CrmCustomer", pk) for pk in rows.values_list("profile_id", flat=True)[:40]]
    variables = {"field": field, "direction": direction, "currency": "usd"}
    first = api.data(SORTED, variables, token=staff_token)["crmCustomers"]
    after = first["pageInfo"]["endCursor"]
    second = api.data(SORTED, {**variables, "after": after}, token=staff_token)["crmCustomers"]
    assert [edge["node"]["id"] for edge in first["edges"] + second["edges"]] == expected


def test_sorting_by_a_prediction_needs_the_currency(api, ada, staff_token):
    error = api.error(SORTED, {"field": "PREDICTED_CLV", "direction": "ASC"}, token=staff_token)
    assert "filter.currency" in error["message"]
