"""What the Dashboard App's loyalty and automation pages read, tried by the staff they are for and denied to others.

Loyalty: the program in figures (members per tier, balances, money value, ledger per period), the whole catalogue.
Automation: flow results over a period, NPS over time, a step rendered for a customer through the sending path.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_crm_plugin.automation.actions import create_flow
from saleor_crm_plugin.automation.models import Enrollment, Message, MessageStatus, SurveyResponse
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.actions import adjust_points
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, PointsLedgerEntry, Reward
from saleor_crm_plugin.profiles.models import CheckoutSnapshot, CustomerProfile

from ..factories import customer_event

OVERVIEW = """query($period: CrmStatsPeriod, $since: DateTime) {
  loyaltyOverview(period: $period, since: $since) {
    members tiers { tier members } available pending debt
    outstandingValue { amount currency fractionalAmount }
    history { start issued redeemed expired reversed outstanding }
  }
}"""
REWARDS = "query($channel: String) { loyaltyRewards(channel: $channel) { name channel isActive pointsCost } }"
FLOW_STATS = """query($since: DateTime!) { crmFlowPeriodStats(since: $since) {
  flow { slug } sent opened clicked converted revenue { amount currency }
} }"""
NPS = """query($since: DateTime) { crmNpsOverview(period: DAY, since: $since) {
  score answers promoters passives detractors history { start answers score }
  latest { score comment customer { email } }
} }"""
PREVIEW = """query($customer: ID!, $step: CrmFlowStepInput!, $position: Int) {
  crmFlowPreview(customer: $customer, step: $step, position: $position) {
    subject text html language errors { field code message }
  }
}"""


def customers(n: int) -> list[CustomerProfile]:
    for pk in range(10, 10 + n):
        ingest(customer_event(pk=pk, email=f"c{pk}@example.com", first_name=f"C{pk}"))
    return list(CustomerProfile.objects.filter(email__startswith="c").order_by("pk"))


def count_queries(api, query, variables, token) -> int:
    with CaptureQueriesContext(connection) as queries:
        api.data(query, variables, token=token)
    return len(queries)


@pytest.fixture
def catalogue(db):
    Reward.objects.create(name="5 off", points_cost=500, value=Decimal(5), currency="USD", channel="default-channel")
    Reward.objects.create(name="Old", points_cost=100, value=Decimal(1), currency="USD", channel="default-channel",
                          is_active=False)  # fmt: skip
    Reward.objects.create(name="5 EUR off", points_cost=500, value=Decimal(5), currency="EUR", channel="channel-eur")


# Loyalty


def test_overview_counts_members_per_tier_and_values_outstanding_points(api, staff_token, crm_settings, catalogue):
    crm_settings(loyalty_tiers="Silver:1000:1.0:,Gold:5000:1.5:")
    first, second, third = customers(3)
    adjust_points(first, 1234, "welcome")
    adjust_points(second, 300, "welcome")
    adjust_points(second, -100, "correction")
    LoyaltyAccount.objects.filter(profile=first).update(tier="Silver")
    LoyaltyAccount.objects.filter(profile=third).update(tier="Platinum")  # a tier the program no longer has
    since = (timezone.now() - timedelta(days=2)).isoformat()

    found = api.data(OVERVIEW, {"period": "DAY", "since": since}, token=staff_token)["loyaltyOverview"]

    assert found["members"] == 3
    assert found["tiers"] == [
        {"tier": None, "members": 1},
        {"tier": "Silver", "members": 1},
        {"tier": "Gold", "members": 0},
        {"tier": "Platinum", "members": 1},
    ]
    assert (found["available"], found["pending"], found["debt"]) == (1434, 0, 0)
    # 1434 points at the default 100 points per unit: 14.34 in each currency the catalogue sells in.
    assert found["outstandingValue"] == [
        {"amount": 14.34, "currency": "EUR", "fractionalAmount": 1434},
        {"amount": 14.34, "currency": "USD", "fractionalAmount": 1434},
    ]
    history = found["history"]
    assert len(history) == 3  # the day before yesterday, yesterday, today
    assert [h["issued"] for h in history] == [0, 0, 1534]
    assert history[-1]["outstanding"] == 1434
    assert history[0]["outstanding"] == 0


def test_history_starts_from_the_balance_before_the_window(api, staff_token):
    (first,) = customers(1)
    entry = adjust_points(first, 700, "old gift")
    PointsLedgerEntry.objects.filter(pk=entry.pk).update(occurred_at=timezone.now() - timedelta(days=40))
    adjust_points(first, -200, "correction")
    since = (timezone.now() - timedelta(days=1)).isoformat()

    history = api.data(OVERVIEW, {"period": "DAY", "since": since}, token=staff_token)["loyaltyOverview"]["history"]

    assert [h["outstanding"] for h in history] == [700, 500]
    assert history[-1]["issued"] == 0


def test_overview_costs_the_same_queries_for_more_members(api, staff_token):
    few = customers(2)
    for profile in few:
        adjust_points(profile, 10, "gift")
    before = count_queries(api, OVERVIEW, {"period": "WEEK"}, staff_token)
    for pk in range(20, 30):
        ingest(customer_event(pk=pk, email=f"more{pk}@example.com"))
    for profile in CustomerProfile.objects.filter(email__startswith="more"):
        adjust_points(profile, 10, "gift")
    assert count_queries(api, OVERVIEW, {"period": "WEEK"}, staff_token) == before


def test_the_whole_catalogue_with_inactive_rewards_by_channel(api, staff_token, catalogue):
    rewards = api.data(REWARDS, token=staff_token)["loyaltyRewards"]
    assert [(r["name"], r["isActive"]) for r in rewards] == [("5 EUR off", True), ("Old", False), ("5 off", True)]
    only = api.data(REWARDS, {"channel": "channel-eur"}, token=staff_token)["loyaltyRewards"]
    assert [r["name"] for r in only] == ["5 EUR off"]


def test_a_window_of_too_many_periods_is_refused(api, staff_token):
    since = (timezone.now() - timedelta(days=3000)).isoformat()
    error = api.error(OVERVIEW, {"period": "DAY", "since": since}, token=staff_token)
    assert "at most 400 periods" in error["message"]


# Automation


def _message(flow, profile, n, **fields):
    enrollment = Enrollment.objects.create(
        flow=flow, profile=profile, trigger_key=f"t{n}", triggered_at=timezone.now(), enrolled_at=timezone.now()
    )
    return Message.objects.create(
        enrollment=enrollment, flow=flow, position=1, profile=profile, send_at=timezone.now(), **fields
    )


def test_flow_results_count_only_messages_sent_in_the_period(api, staff_token):
    (ada,) = customers(1)
    now = timezone.now()
    flow = create_flow(name="Win back", trigger="order.paid", steps=[{"subject": "Hi", "text": "Hi"}], now=now)
    idle = create_flow(name="Idle", trigger="order.paid", steps=[{"subject": "Hi", "text": "Hi"}], now=now)
    sent = {"status": MessageStatus.SENT, "sent_at": now}
    _message(flow, ada, 1, **sent, opened_at=now, clicked_at=now, converted_at=now, revenue=Decimal("19.99"),
             currency="USD")  # fmt: skip
    _message(flow, ada, 2, **sent, opened_at=now, converted_at=now, revenue=Decimal("0.01"), currency="USD")
    _message(flow, ada, 3, **sent, converted_at=now, revenue=Decimal("7.5"), currency="EUR")
    _message(flow, ada, 4, status=MessageStatus.SENT, sent_at=now - timedelta(days=60), opened_at=now)  # before
    _message(flow, ada, 5, status=MessageStatus.SKIPPED, reason="frequency_cap")
    _message(idle, ada, 6, status=MessageStatus.SENT, sent_at=now - timedelta(days=60))
    since = (now - timedelta(days=30)).isoformat()

    stats = api.data(FLOW_STATS, {"since": since}, token=staff_token)["crmFlowPeriodStats"]

    assert stats == [
        {
            "flow": {"slug": "win-back"},
            "sent": 3,
            "opened": 2,
            "clicked": 1,
            "converted": 3,
            "revenue": [{"amount": 7.5, "currency": "EUR"}, {"amount": 20.0, "currency": "USD"}],
        }
    ]
    queries = count_queries(api, FLOW_STATS, {"since": since}, staff_token)
    for n in range(7, 12):
        other = create_flow(name=f"F{n}", trigger="order.paid", steps=[{"subject": "Hi", "text": "Hi"}], now=now)
        _message(other, ada, n, **sent)
    assert count_queries(api, FLOW_STATS, {"since": since}, staff_token) == queries


def test_nps_per_period_with_the_newest_answers(api, staff_token):
    first, second = customers(2)
    now = timezone.now()
    for profile, score, days in ((first, 10, 0), (second, 3, 0), (first, 9, 1), (second, 8, 1), (first, 0, 9)):
        SurveyResponse.objects.create(profile=profile, score=score, comment=f"s{score}",
                                      answered_at=now - timedelta(days=days))  # fmt: skip
    since = (now - timedelta(days=2)).isoformat()

    nps = api.data(NPS, {"since": since}, token=staff_token)["crmNpsOverview"]

    assert (nps["answers"], nps["promoters"], nps["passives"], nps["detractors"]) == (4, 2, 1, 1)
    assert nps["score"] == 25  # (2 - 1) / 4
    assert [(h["answers"], h["score"]) for h in nps["history"]] == [(0, None), (2, 50), (2, 0)]
    assert [(a["score"], a["customer"]["email"]) for a in nps["latest"][:2]] in (
        [(10, "c10@example.com"), (3, "c11@example.com")],
        [(3, "c11@example.com"), (10, "c10@example.com")],
    )


def test_nps_costs_the_same_queries_for_more_answers(api, staff_token):
    people = customers(6)
    now = timezone.now()
    SurveyResponse.objects.create(profile=people[0], score=9, answered_at=now)
    before = count_queries(api, NPS, {}, staff_token)
    for profile in people[1:]:
        SurveyResponse.objects.create(profile=profile, score=4, answered_at=now)
    assert count_queries(api, NPS, {}, staff_token) == before


def test_preview_renders_like_sending_with_html_escaped(api, staff_token):
    ingest(customer_event(pk=40, email="eve@example.com", first_name="<b>Eve</b>"))
    eve = CustomerProfile.objects.get(email="eve@example.com")
    step = {"subject": "Hi {{ first_name }}", "text": "Dear {{ first_name }}", "html": "<p>{{ first_name }}</p>",
            "incentivePoints": 50}  # fmt: skip

    found = api.data(PREVIEW, {"customer": global_id("CrmCustomer", eve.pk), "step": step}, token=staff_token)

    preview = found["crmFlowPreview"]
    assert preview["errors"] == []
    assert preview["subject"] == "Hi <b>Eve</b>"
    assert preview["text"].startswith("Dear <b>Eve</b>\n\n--\nUnsubscribe: ")
    assert preview["html"].startswith("<p>&lt;b&gt;Eve&lt;/b&gt;</p>")
    assert Message.objects.count() == 0


def test_preview_fills_the_cart_from_the_customers_newest_checkout(api, staff_token):
    (ada,) = customers(1)
    now = timezone.now()
    for token, total, days in (("old", "10", 3), ("new", "35", 1)):
        CheckoutSnapshot.objects.create(token=token, profile=ada, currency="USD", total=Decimal(total),
                                        started_at=now - timedelta(days=days), version=now)  # fmt: skip
    step = {"subject": "Your cart", "text": "Total: {{ cart_total }}"}

    found = api.data(PREVIEW, {"customer": global_id("CrmCustomer", ada.pk), "step": step}, token=staff_token)

    assert found["crmFlowPreview"]["text"].startswith("Total: 35.00 USD")


def test_preview_names_the_field_a_template_error_is_in(api, staff_token):
    (ada,) = customers(1)
    step = {
        "subject": "Hi",
        "text": "ok",
        "html": "<p>{{ frist_name }}</p>",
        "translations": json.dumps({"pl": {"text": "{% if %}"}}),
    }

    found = api.data(PREVIEW, {"customer": global_id("CrmCustomer", ada.pk), "step": step, "position": 2},
                     token=staff_token)["crmFlowPreview"]  # fmt: skip

    assert [(e["field"], e["code"]) for e in found["errors"]] == [
        ("steps.2.html", "INVALID"),
        ("steps.2.translations.pl.text", "INVALID"),
    ]
    assert "frist_name" in found["errors"][0]["message"]
    assert found["subject"] is None


def test_preview_for_a_missing_customer_says_so(api, staff_token):
    found = api.data(PREVIEW, {"customer": global_id("CrmCustomer", 999), "step": {"subject": "a", "text": "b"}},
                     token=staff_token)["crmFlowPreview"]  # fmt: skip
    assert [(e["field"], e["code"]) for e in found["errors"]] == [("customer", "NOT_FOUND")]


@pytest.mark.parametrize(
    "query, variables",
    [
        (OVERVIEW, {}),
        (REWARDS, {}),
        (FLOW_STATS, {"since": "2026-01-01T00:00:00+00:00"}),
        (NPS, {}),
        (PREVIEW, {"customer": global_id("CrmCustomer", 1), "step": {"subject": "a", "text": "b"}}),
    ],
)
@pytest.mark.parametrize("caller", ["plain_staff", "shopper", "anonymous"])
def test_the_pages_need_manage_users(api, query, variables, caller, plain_staff_token, ada_token):
    token = {"plain_staff": plain_staff_token, "shopper": ada_token, "anonymous": None}[caller]
    error = api.error(query, variables, token=token)
    assert "sign in" in error["message"] if caller == "anonymous" else "MANAGE_USERS" in error["message"]
