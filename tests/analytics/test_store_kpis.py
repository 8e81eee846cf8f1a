"""Store KPIs and cohorts through ``crmAnalytics``, against figures worked out by hand (see store_fixtures)."""

from __future__ import annotations

from datetime import date

import pytest

from saleor_crm_plugin.analytics.rollups import refresh_store_analytics
from saleor_crm_plugin.analytics.store_models import DirtyProfile, StoreDay
from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest

from ..factories import order_event
from .store_fixtures import analytics, build_store, noon


@pytest.fixture
def store(db, crm_settings):
    build_store(crm_settings)
    refresh_store_analytics()


def kpis_of(result: dict) -> dict[str, dict]:
    return {row["currency"]: row for row in result["kpis"]}


def test_march_kpis_per_currency_match_the_hand_computed_figures(store, api, staff_token):
    kpis = kpis_of(analytics(api, staff_token))
    assert list(kpis) == ["EUR", "USD"]
    usd, eur = kpis["USD"], kpis["EUR"]
    assert usd == {
        "currency": "USD",
        "orders": 4,  # A1, A2, B2, D1: Cy's cancelled order doesn't count
        "refundedOrders": 1,
        "customers": 3,  # Ada, Bob, Dee
        "newCustomers": 2,  # Ada and Dee; Bob first bought in February
        "returningCustomers": 1,
        "repeatPurchaseRate": "0.6667",  # Ada (two orders in March) and Bob (ordered before) of 3
        "averageDaysBetweenOrders": "11.50",  # A1 -> A2: 10 days, B1 -> B2: 13 days
        "revenue": {"currency": "USD", "amount": "300.00"},
        "refunds": {"amount": "20.00"},
        "netRevenue": {"amount": "280.00"},
        "averageOrderValue": {"amount": "75.00"},
    }
    assert (eur["orders"], eur["customers"], eur["newCustomers"], eur["repeatPurchaseRate"]) == (1, 1, 1, "0.0000")
    assert eur["revenue"]["amount"] == "40.00" and eur["averageDaysBetweenOrders"] is None


def test_a_shorter_range_counts_distinct_customers_of_that_range(store, api, staff_token):
    usd = kpis_of(analytics(api, staff_token, date(2025, 3, 1), date(2025, 3, 5)))["USD"]
    assert (usd["orders"], usd["customers"], usd["newCustomers"], usd["returningCustomers"]) == (2, 2, 1, 1)
    assert (usd["revenue"]["amount"], usd["refunds"]["amount"]) == ("170.00", "0.00")
    assert (usd["repeatPurchaseRate"], usd["averageDaysBetweenOrders"]) == ("0.5000", "13.00")


def test_a_channel_counts_customers_new_to_that_channel(store, api, staff_token):
    default = kpis_of(analytics(api, staff_token, channel="default-channel"))
    assert list(default) == ["USD"]
    usd = default["USD"]
    assert (usd["orders"], usd["customers"], usd["newCustomers"], usd["repeatPurchaseRate"]) == (3, 2, 2, "0.5000")
    assert (usd["revenue"]["amount"], usd["refunds"]["amount"], usd["averageDaysBetweenOrders"]) == (
        "230.00",
        "20.00",
        "10.00",
    )
    other = kpis_of(analytics(api, staff_token, channel="channel-other"))["USD"]
    assert (other["customers"], other["newCustomers"], other["repeatPurchaseRate"]) == (1, 1, "0.0000")
    assert analytics(api, staff_token, channel="no-such-channel")["kpis"] == []


def test_daily_series(store, api, staff_token):
    days = {(d["date"], d["currency"]): d for d in analytics(api, staff_token)["days"]}
    assert days["2025-03-01", "USD"] == {
        "date": "2025-03-01",
        "currency": "USD",
        "orders": 1,
        "customers": 1,
        "newCustomers": 1,
        "revenue": {"amount": "100.00"},
        "refunds": {"amount": "0.00"},
    }
    assert days["2025-03-08", "USD"]["refunds"] == {"amount": "20.00"}  # refunds count on their day
    assert days["2025-03-08", "USD"]["orders"] == 0
    assert ("2025-03-03", "USD") not in days  # only the cancelled order that day


def test_cohorts_by_first_order_month(store, api, staff_token):
    cohorts = analytics(api, staff_token, date(2025, 2, 1), date(2025, 3, 31))["cohorts"]
    by_key = {(c["currency"], c["month"]): c for c in cohorts}
    assert set(by_key) == {("USD", "2025-02-01"), ("USD", "2025-03-01"), ("EUR", "2025-03-01")}
    february = by_key["USD", "2025-02-01"]  # Bob
    assert february["customers"] == 1 and february["revenue"]["amount"] == "100.00"
    assert [(m["monthsSince"], m["customers"], m["retention"], m["revenue"]["amount"]) for m in february["months"]] == [
        (0, 1, "1.0000", "30.00"),
        (1, 1, "1.0000", "70.00"),
    ]
    march = by_key["USD", "2025-03-01"]  # Ada and Dee; Ada comes back in April
    assert [(m["monthsSince"], m["customers"], m["retention"], m["revenue"]["amount"]) for m in march["months"]] == [
        (0, 2, "1.0000", "230.00"),
        (1, 1, "0.5000", "10.00"),
    ]


def test_refresh_recomputes_only_the_changed_days_and_ends_like_a_full_one(store, api, staff_token):
    untouched = StoreDay.objects.get(day=date(2025, 3, 4), currency="EUR", channel="")
    a2 = order_event(order_id="Order:A2", user=1, total="50.00", created_at=noon(3, 11))
    ingest(order_event(order_id="Order:A2", user=1, total="50.00", created_at=noon(3, 11)))  # a replay: no change
    assert not DirtyProfile.objects.exists()
    ingest(
        order_event(
            EventKind.ORDER_CANCELLED,
            order_id="Order:A2",
            user=1,
            total="50.00",
            created_at=a2.data.created_at,
            updated_at=noon(3, 12),
            status="canceled",
        )
    )
    assert DirtyProfile.objects.count() == 1
    summary = refresh_store_analytics()
    assert not summary.full and summary.days == 2  # Ada's other order days with rows (1 Mar, 2 Apr)
    assert StoreDay.objects.get(pk=untouched.pk) == untouched  # not rewritten
    assert not DirtyProfile.objects.exists()
    usd = kpis_of(analytics(api, staff_token))["USD"]
    assert (usd["orders"], usd["revenue"]["amount"], usd["repeatPurchaseRate"]) == (3, "250.00", "0.3333")
    incremental = analytics(api, staff_token)
    refresh_store_analytics(full=True)
    full = analytics(api, staff_token)
    assert {**incremental, "refreshedAt": None} == {**full, "refreshedAt": None}


def test_series_per_week_and_month_count_distinct_customers_per_bucket(store, api, staff_token):
    query = """query($interval: CrmAnalyticsInterval) {
      crmAnalytics(period: {from: "2025-03-01", to: "2025-03-31"}) {
        days(interval: $interval) { date currency orders customers newCustomers revenue { amount } refunds { amount } }
      }
    }"""

    def usd(interval: str) -> list[tuple]:
        days = api.data(query, {"interval": interval}, token=staff_token)["crmAnalytics"]["days"]
        return [
            (d["date"], d["orders"], d["customers"], d["newCustomers"], d["revenue"]["amount"], d["refunds"]["amount"])
            for d in days
            if d["currency"] == "USD"
        ]

    assert usd("WEEK") == [
        ("2025-02-24", 1, 1, 1, "100.00", "0.00"),  # Saturday 1 March: Ada's first order
        ("2025-03-03", 2, 2, 1, "150.00", "20.00"),  # Bob (returning) and Dee (new); Dee's refund
        ("2025-03-10", 1, 1, 0, "50.00", "0.00"),  # Ada again
    ]
    assert usd("MONTH") == [("2025-03-01", 4, 3, 2, "300.00", "20.00")]


def test_an_order_without_a_channel_counts_once(store, api, staff_token):
    ingest(order_event(order_id="Order:E1", email="eve@example.com", total="9.00", created_at=noon(3, 15), channel=""))
    refresh_store_analytics()
    usd = kpis_of(analytics(api, staff_token))["USD"]
    assert (usd["orders"], usd["customers"], usd["revenue"]["amount"]) == (5, 4, "309.00")
    march = analytics(api, staff_token)["cohorts"]
    assert next(c for c in march if c["currency"] == "USD")["customers"] == 3  # Ada, Dee, Eve
