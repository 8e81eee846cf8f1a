"""Loyalty liability, automation and helpdesk figures from hand-made rows; who may ask; what a query costs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_crm_plugin.analytics import rollups
from saleor_crm_plugin.analytics.replica import analytics_database
from saleor_crm_plugin.analytics.rollups import refresh_store_analytics
from saleor_crm_plugin.analytics.store_models import DirtyProfile
from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.automation.models import Enrollment, Flow, Message, MessageStatus
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty import ledger
from saleor_crm_plugin.loyalty.actions import account_of
from saleor_crm_plugin.loyalty.models import LedgerKind
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.auth import user_token
from saleor_crm_plugin.tickets.models import Ticket

from ..factories import customer_event, order_event
from ..graphql.conftest import make_user
from .store_fixtures import QUERY, analytics, build_store, noon


@pytest.fixture
def store(db, crm_settings):
    build_store(crm_settings)
    crm_settings(loyalty_redeem_rate="100", loyalty_reward_channel="default-channel")


def profile(email: str) -> CustomerProfile:
    return CustomerProfile.objects.get(email=email)


def post(email: str, kind: LedgerKind, month: int, day: int, owned: int = 0, pending: int = 0) -> None:
    account = account_of(profile(email))
    entry = ledger.post(
        account, kind, key=f"{email}:{kind}:{day}", at=noon(month, day), owned=owned, pending=pending, allow_debt=True
    )
    ledger.write([entry], [account])


def test_liability_per_currency_from_a_hand_made_ledger(store, api, staff_token):
    ingest(customer_event(pk=5, email="eve@example.com"))  # never ordered: the reward channel's currency
    post("ada@example.com", LedgerKind.EARN, 3, 2, owned=1000)
    post("ada@example.com", LedgerKind.REDEEM, 3, 10, owned=-300)
    post("ada@example.com", LedgerKind.EXPIRE, 3, 20, owned=-100)
    post("cy@example.com", LedgerKind.EARN, 3, 2, owned=500)  # Cy's newest order is in EUR
    post("cy@example.com", LedgerKind.PENDING, 3, 2, pending=40)
    post("cy@example.com", LedgerKind.EXPIRE, 3, 25, owned=-200)
    post("eve@example.com", LedgerKind.BONUS, 3, 3, owned=50)
    post("dee@example.com", LedgerKind.EARN, 3, 6, owned=100)
    post("dee@example.com", LedgerKind.REVERSE, 3, 8, owned=-100)
    refresh_store_analytics()
    result = analytics(api, staff_token)
    usd, eur = (next(row for row in result["loyalty"] if row["currency"] == c) for c in ("USD", "EUR"))
    assert usd == {
        "currency": "USD",
        "members": 4,  # every account: Ada, Bob (no points), Dee, Eve
        "outstandingPoints": 650,
        "pendingPoints": 0,
        "value": {"currency": "USD", "amount": "6.50"},
        "breakageRate": "0.2500",  # 100 expired, 300 redeemed
        "expectedBreakage": {"amount": "1.63"},
        "netLiability": {"amount": "4.87"},
    }
    assert (eur["members"], eur["outstandingPoints"], eur["pendingPoints"]) == (1, 300, 40)
    assert eur["value"] == {"currency": "EUR", "amount": "3.00"}
    assert (eur["breakageRate"], eur["expectedBreakage"], eur["netLiability"]) == (
        "1.0000",
        {"amount": "3.00"},
        {"amount": "0.00"},
    )
    points = {(p["date"], p["currency"]): p for p in result["loyaltyPoints"]}
    assert points["2025-03-02", "USD"] == {
        "date": "2025-03-02",
        "currency": "USD",
        "issued": 1000,
        "redeemed": 0,
        "expired": 0,
        "reversed": 0,
    }
    assert points["2025-03-02", "EUR"]["issued"] == 500  # pending points are not issued yet
    assert (points["2025-03-03", "USD"]["issued"], points["2025-03-08", "USD"]["reversed"]) == (50, 100)
    assert (points["2025-03-10", "USD"]["redeemed"], points["2025-03-20", "USD"]["expired"]) == (300, 100)
    assert points["2025-03-25", "EUR"]["expired"] == 200


def ticket(email: str, created, **fields) -> Ticket:
    return Ticket.objects.create(
        profile=profile(email), subject="Help", created_at=created, last_message_at=created, **fields
    )


def test_helpdesk_figures_count_each_event_on_its_own_day(store, api, staff_token):
    hour, day = timedelta(hours=1), timedelta(days=1)
    t1 = noon(3, 2)
    ticket("ada@example.com", t1, first_responded_at=t1 + hour, first_response_due_at=t1 + 2 * hour,
           solved_at=t1 + day, resolution_due_at=t1 + 2 * day, rating=5, rated_at=t1 + day)  # fmt: skip
    t2 = noon(3, 5)
    ticket("bob@example.com", t2, first_responded_at=t2 + 3 * hour, first_response_due_at=t2 + hour,
           first_response_breached=True, solved_at=t2 + 2 * day, resolution_due_at=t2 + day,
           resolution_breached=True, rating=3, rated_at=t2 + 2 * day)  # fmt: skip
    ticket("cy@example.com", noon(3, 10), first_response_due_at=noon(3, 10) + hour, first_response_breached=True)
    ticket("dee@example.com", noon(3, 20), first_response_due_at=noon(4, 1))  # due after the period
    ticket("dee@example.com", noon(2, 20), solved_at=noon(3, 1), rating=4, rated_at=noon(3, 1))  # solved in March
    refresh_store_analytics()
    assert analytics(api, staff_token)["helpdesk"] == {
        "ticketsCreated": 4,
        "ticketsSolved": 3,
        "ratings": 3,
        "csat": "0.6667",  # 5 and 4 of 5, 3, 4
        "averageFirstResponseSeconds": 7200,  # 1 h and 3 h
        "averageResolutionSeconds": 345600,  # 1, 2 and 9 days
        "firstResponseSlaAttainment": "0.3333",  # met, missed, missed (unanswered)
        "resolutionSlaAttainment": "0.5000",
    }


def test_automation_revenue_per_flow(store, api, staff_token):
    ada, bob = profile("ada@example.com"), profile("bob@example.com")
    winback = Flow.objects.create(slug="winback", name="Win-back", trigger="segment.entered")
    welcome = Flow.objects.create(slug="welcome", name="Welcome", trigger="customer.created")

    def message(flow, who, sent_day, converted_day=None, revenue="0", currency="", channel="default-channel"):
        enrollment = Enrollment.objects.create(
            flow=flow, profile=who, trigger_key=f"{flow.slug}:{who.pk}:{sent_day}", triggered_at=noon(3, 1),
            enrolled_at=noon(3, 1),
        )  # fmt: skip
        Message.objects.create(
            enrollment=enrollment, flow=flow, position=1, profile=who, status=MessageStatus.SENT,
            send_at=noon(3, sent_day), sent_at=noon(3, sent_day), channel=channel, currency=currency,
            revenue=revenue, converted_at=noon(3, converted_day) if converted_day else None,
        )  # fmt: skip

    message(winback, ada, 2, converted_day=3, revenue="100.00", currency="USD")
    message(winback, bob, 4, converted_day=5, revenue="70.00", currency="USD", channel="channel-other")
    message(winback, bob, 6)
    message(welcome, ada, 7)
    refresh_store_analytics()
    flows = analytics(api, staff_token)["flows"]
    assert [(f["slug"], f["name"], f["sent"], f["conversions"], f["revenue"]) for f in flows] == [
        ("winback", "Win-back", 3, 2, [{"currency": "USD", "amount": "170.00"}]),
        ("welcome", "Welcome", 1, 0, []),
    ]
    only_default = analytics(api, staff_token, channel="default-channel")["flows"][0]
    assert (only_default["sent"], only_default["conversions"], only_default["revenue"][0]["amount"]) == (2, 1, "100.00")


VARIABLES = {"from": "2025-03-01", "to": "2025-03-31"}


@pytest.mark.parametrize("who", ["anonymous", "shopper", "orders_manager", "staff_without_permissions"])
def test_only_staff_with_manage_users_see_the_analytics(store, api, who):
    tokens = {
        "anonymous": None,
        "shopper": user_token(make_user(1, "ada@example.com")),
        "orders_manager": user_token(make_user(902, "orders@store.test", Permission.MANAGE_ORDERS, is_staff=True)),
        "staff_without_permissions": user_token(make_user(903, "packer@store.test", is_staff=True)),
    }
    error = api.error(QUERY, VARIABLES, token=tokens[who])
    assert error["extensions"]["exception"]["code"] == "PermissionDenied"


@pytest.mark.parametrize(
    ("first", "last"), [("2025-03-31", "2025-03-01"), ("2025-01-01", "2026-01-02")], ids=["reversed", "too_long"]
)
def test_a_bad_period_is_refused_with_its_code(store, api, staff_token, first, last):
    error = api.error(QUERY, {"from": first, "to": last}, token=staff_token)
    assert error["extensions"]["exception"]["code"] == "INVALID_PERIOD"
    assert error["extensions"]["field"] == "period"


def test_a_query_costs_the_same_few_reads_for_a_bigger_store(store, api, staff_token):
    refresh_store_analytics()

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            analytics(api, staff_token, date(2025, 1, 1), date(2025, 12, 31))
        return len(captured)

    small = cost()
    for n in range(40):  # forty more customers, each ordering on two more days
        ingest(customer_event(pk=100 + n, email=f"shopper{n}@example.com"))
        for day in (n % 28 + 1, (n + 7) % 28 + 1):
            ingest(order_event(order_id=f"Order:X{n}-{day}", user=100 + n, email=f"shopper{n}@example.com",
                               created_at=noon(5, day)))  # fmt: skip
    refresh_store_analytics()
    assert cost() == small
    assert small <= 12  # auth, then one read per table


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_analytics_read_the_replica_saleor_names_else_the_writer(settings):
    assert analytics_database() == "default"  # the sandbox has no replica
    settings.DATABASE_CONNECTION_REPLICA_NAME = "replica"
    assert analytics_database() == "default"  # named, but not a configured connection
    settings.DATABASES = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    assert analytics_database() == "replica"


def test_with_a_replica_a_fresh_change_waits_until_the_replica_can_have_it(store, monkeypatch):
    refresh_store_analytics()
    monkeypatch.setattr(rollups, "reads_a_replica", lambda: True)
    ingest(order_event(order_id="Order:late", user=1, total="5.00", created_at=noon(3, 30)))
    now = timezone.now()
    assert rollups.refresh_sales("default", now) == (False, 0)  # the replica may not have the order yet
    assert DirtyProfile.objects.count() == 1
    assert rollups.refresh_sales("default", now + rollups.REPLICA_LAG * 2) == (False, 4)  # Ada's days
    assert not DirtyProfile.objects.exists()
