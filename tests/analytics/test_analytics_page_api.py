"""What the Analytics page and the customer list add to the API: the prediction histograms
(``crmPredictionDistributions``), the channel list (``crmAnalyticsChannels``), and ``crmCustomers``
filtered by predicted CLV and churn risk."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from saleor_crm_plugin.analytics.models import ChurnRiskBand, CustomerPrediction, FitStatus, PredictionFit
from saleor_crm_plugin.analytics.store_models import StoreDay
from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.graphql.analytics.distributions import readable_width
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.auth import user_token

from .conftest import make_user

pytestmark = pytest.mark.django_db

DISTRIBUTIONS = """
query($currency: String) {
  crmPredictionDistributions(currency: $currency) {
    currency customers
    predictedClv { start end customers }
    churnRisk { start end customers }
  }
}
"""
CHANNELS = "{ crmAnalyticsChannels }"
WHEN = datetime(2026, 6, 30, tzinfo=UTC)


def predict(currency: str, rows: list[tuple[str, str]]) -> None:
    """One customer per (predicted CLV, churn risk) pair, from one fitted fit."""
    fit = PredictionFit.objects.create(
        currency=currency, fitted_at=WHEN, as_of=WHEN, status=FitStatus.FITTED, model="mbg_nbd",
        customers=len(rows), repeat_buyers=len(rows), orders=2 * len(rows), history_days=400, horizon_months=12,
    )  # fmt: skip
    for index, (clv, churn) in enumerate(rows):
        profile = CustomerProfile.objects.create(email=f"{currency.lower()}{index}@example.com")
        CustomerPrediction.objects.create(
            profile=profile, currency=currency, fit=fit, order_days=2, historic_clv=Decimal(clv),
            predicted_orders=Decimal(1), predicted_spend=Decimal(0), predicted_clv=Decimal(clv),
            p_active=1 - Decimal(churn), churn_risk=Decimal(churn), churn_risk_band=ChurnRiskBand.LOW,
        )  # fmt: skip


@pytest.fixture
def predictions(db):
    # 20 dollar customers: CLV 10, 20, ..., 200 and churn risk 0.05, 0.10, ..., 1.00; one euro customer.
    predict("USD", [(f"{10 * i}.00", f"{i / 20:.2f}") for i in range(1, 21)])
    predict("EUR", [("55.50", "0.42")])


def test_histograms_count_each_customer_once_in_readable_buckets(api, staff_token, predictions):
    result = api.data(DISTRIBUTIONS, token=staff_token)["crmPredictionDistributions"]
    assert [(row["currency"], row["customers"]) for row in result] == [("EUR", 1), ("USD", 20)]
    usd = result[1]
    # The 95th percentile is 190: ten buckets of 19 round up to 20 wide; 200 is in the open last one.
    assert [(b["start"], b["end"]) for b in usd["predictedClv"][:2]] == [("0", "20"), ("20", "40")]
    assert usd["predictedClv"][-1] == {"start": "200", "end": None, "customers": 1}
    assert [b["customers"] for b in usd["predictedClv"]] == [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]
    # Churn risk in tenths; 1.00 belongs to the last bucket, 0.10 to the second.
    assert [(b["start"], b["end"]) for b in usd["churnRisk"][::9]] == [("0.0", "0.1"), ("0.9", "1.0")]
    assert [b["customers"] for b in usd["churnRisk"]] == [1, 2, 2, 2, 2, 2, 2, 2, 2, 3]


def test_one_currency_or_none(api, staff_token, predictions):
    (usd,) = api.data(DISTRIBUTIONS, {"currency": "usd"}, token=staff_token)["crmPredictionDistributions"]
    assert usd["currency"] == "USD" and usd["customers"] == 20
    (nothing,) = api.data(DISTRIBUTIONS, {"currency": "JPY"}, token=staff_token)["crmPredictionDistributions"]
    assert nothing["customers"] == 0 and sum(b["customers"] for b in nothing["predictedClv"]) == 0
    assert api.data(DISTRIBUTIONS, {"currency": "dollars"}, token=staff_token)["crmPredictionDistributions"] == []


@pytest.mark.parametrize(
    ("upper", "width"),
    [("190", "20"), ("1000", "100"), ("7", "1"), ("0.5", "0.05"), ("0", "0.01"), ("240", "25"), ("401", "50")],
)
def test_bucket_widths_are_readable(upper, width):
    assert readable_width(Decimal(upper), 10) == Decimal(width)


def test_channels_with_sales_sorted(api, staff_token):
    for channel in ("web-eu", "", "app", "web-eu"):
        StoreDay.objects.get_or_create(day=date(2026, 6, 1), channel=channel, currency="USD")
    StoreDay.objects.create(day=date(2026, 6, 2), channel="web-eu", currency="EUR")
    assert api.data(CHANNELS, token=staff_token)["crmAnalyticsChannels"] == ["app", "web-eu"]


CUSTOMERS = """
query($filter: CrmCustomerFilterInput) {
  crmCustomers(first: 50, filter: $filter) { totalCount edges { node { email } } }
}
"""


def emails(api, token, **filters) -> set[str]:
    page = api.data(CUSTOMERS, {"filter": filters}, token=token)["crmCustomers"]
    return {edge["node"]["email"] for edge in page["edges"]}


def test_customers_filtered_by_predicted_clv_and_churn_risk(api, staff_token, predictions):
    # usd{i-1}: CLV 10 * i, churn risk i / 20.
    assert emails(api, staff_token, currency="USD", predictedClvGte="185") == {"usd18@example.com", "usd19@example.com"}
    assert emails(api, staff_token, currency="usd", churnRiskGte=0.9) == {f"usd{i}@example.com" for i in (17, 18, 19)}
    both = emails(api, staff_token, currency="USD", predictedClvGte="100", churnRiskGte=0.5)
    assert both == {f"usd{i}@example.com" for i in range(9, 20)}
    assert emails(api, staff_token, currency="EUR", churnRiskGte=0.4) == {"eur0@example.com"}
    assert emails(api, staff_token, currency="JPY", churnRiskGte=0) == set()  # no prediction: no match
    error = api.error(CUSTOMERS, {"filter": {"churnRiskGte": 0.5}}, token=staff_token)
    assert "`filter.currency` is required with predictedClvGte/churnRiskGte" in error["message"]


@pytest.mark.parametrize("who", ["anonymous", "shopper", "helpdesk", "staff_without_permissions"])
def test_only_customer_managers_see_them(api, predictions, who):
    tokens = {
        "anonymous": lambda: None,
        "shopper": lambda: user_token(make_user(1, "usd0@example.com")),
        "helpdesk": lambda: user_token(make_user(903, "agent@store.test", Permission.MANAGE_ORDERS, is_staff=True)),
        "staff_without_permissions": lambda: user_token(make_user(904, "packer@store.test", is_staff=True)),
    }
    token = tokens[who]()
    for query in (DISTRIBUTIONS, CHANNELS):
        error = api.error(query, token=token)
        assert error["extensions"]["exception"]["code"] == "PermissionDenied"
