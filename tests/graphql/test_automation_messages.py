"""What flows sent, over the CRM API: messages and their filters, per-flow stats, a customer's
marketing state and staff unsubscribing them, surveys, and ``User.crmMessages`` for whom it may show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from saleor_crm_plugin.automation import tracking
from saleor_crm_plugin.automation.actions import create_flow
from saleor_crm_plugin.automation.models import Enrollment, Flow, Message, MessageStatus, SurveyResponse
from saleor_crm_plugin.automation.sending import send_messages
from saleor_crm_plugin.automation.stats import flow_stats
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile, TimelineEntry

from ..automation.conftest import OPEN_ALL_DAY, Scheduler
from ..automation.test_abandoned_checkout import abandon
from ..factories import at, customer_event, order_event

STEP = {"subject": "Hi", "text": "Hello {{ first_name }}"}
MESSAGE_FIELDS = """subject status flowName flow { slug } customer { email } email reason sendAt sentAt openedAt
  opens clickedAt clicks convertedAt orderId revenue { amount currency } language channel"""
MESSAGES = f"""query($filter: CrmMessageFilterInput, $after: String) {{
  crmMessages(first: 10, filter: $filter, after: $after) {{ totalCount edges {{ node {{ {MESSAGE_FIELDS} }} }} }}
}}"""
STATS = """query($slug: String) { crmFlow(slug: $slug) { stats {
  enrolled activeEnrollments goalReached pending sent skipped skippedByReason { reason count } failed
  opened clicked converted revenue { amount currency fractionalAmount } openRate clickRate conversionRate
} } }"""
ENTITY = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User {
  crmMessages(first: 10) { totalCount edges { node { subject sentAt status flowName } } }
} } }"""
MARKETING = """query($id: ID!) { crmCustomer(id: $id) {
  marketing { consent unsubscribed unsubscribedAt source canReceiveMarketing }
} }"""
MARKETING_UPDATE = """mutation($id: ID!, $unsubscribed: Boolean!) {
  crmCustomerMarketingUpdate(id: $id, unsubscribed: $unsubscribed) {
    customer { email } marketing { unsubscribed source canReceiveMarketing } errors { field code message }
  }
}"""


@pytest.fixture
def campaign(ada, grace, crm_settings):
    """Ada is reminded of her cart, opens, clicks and buys for 80 USD; Grace never gave consent."""
    crm_settings(automation_abandoned_checkout=True, **OPEN_ALL_DAY)
    mail.outbox = []
    scheduler = Scheduler()
    abandon()
    abandon(token="c-grace", email="grace@example.com", user=2)
    scheduler.tick(at(hours=5))
    sent = Message.objects.get(status=MessageStatus.SENT)
    tracking.record_open(sent.pk, at(hours=5, minutes=10))
    tracking.record_click(sent.pk, "https://shop.test/checkout/checkout-1", at(hours=5, minutes=11))
    ingest(order_event(order_id="Order:9", user=1, checkout_token="checkout-1", total="80.00", created_at=at(hours=6)))
    scheduler.tick(at(hours=6))
    return scheduler


def customer_id(email: str) -> str:
    return global_id("CrmCustomer", CustomerProfile.objects.get(email=email).pk)


def flow_gid(slug: str) -> str:
    return global_id("CrmFlow", Flow.objects.get(slug=slug).pk)


def nodes(page: dict) -> list[dict]:
    return [edge["node"] for edge in page["edges"]]


def test_a_flows_stats_from_what_the_scheduler_sent(api, campaign, staff_token):
    stats = api.data(STATS, {"slug": "abandoned-checkout"}, token=staff_token)["crmFlow"]["stats"]
    assert stats == {
        "enrolled": 2,
        "activeEnrollments": 1,  # Grace's second reminder is still ahead
        "goalReached": 1,  # Ada bought
        "pending": 0,
        "sent": 1,
        "skipped": 1,
        "skippedByReason": [{"reason": "no_consent", "count": 1}],
        "failed": 0,
        "opened": 1,
        "clicked": 1,
        "converted": 1,
        "revenue": [{"amount": 80.0, "currency": "USD", "fractionalAmount": 8000}],
        "openRate": "1.0000",
        "clickRate": "1.0000",
        "conversionRate": "1.0000",
    }
    quiet = api.data(STATS, {"slug": "welcome"}, token=staff_token)["crmFlow"]["stats"]
    assert (quiet["sent"], quiet["openRate"], quiet["revenue"], quiet["skippedByReason"]) == (0, None, [], [])


def _message(flow: Flow, profile: CustomerProfile, n: int, **fields) -> Message:
    enrollment = Enrollment.objects.create(
        flow=flow, profile=profile, trigger_key=f"t{n}", triggered_at=at(), enrolled_at=at()
    )
    return Message.objects.create(enrollment=enrollment, flow=flow, position=1, profile=profile, send_at=at(), **fields)


def test_stats_are_exact_and_cost_two_queries_for_any_number_of_flows(ada, django_assert_num_queries):
    flows = [create_flow(name=name, trigger="order.paid", steps=[STEP], now=at()) for name in ("A", "B", "Empty")]
    a, b, empty = flows
    sent = {"status": MessageStatus.SENT, "sent_at": at()}
    converted = {"converted_at": at(), "opened_at": at()}
    _message(a, ada, 1, **sent, **converted, clicked_at=at(), revenue=Decimal("10.5"), currency="EUR")
    _message(a, ada, 2, **sent, **converted, revenue=Decimal("19.99"), currency="USD")
    _message(a, ada, 3, **sent, converted_at=at(), revenue=Decimal("0.01"), currency="USD")
    _message(a, ada, 4, status=MessageStatus.SKIPPED, reason="frequency_cap")
    _message(a, ada, 5, status=MessageStatus.SKIPPED, reason="frequency_cap")
    _message(a, ada, 6, status=MessageStatus.FAILED, reason="render: boom")
    _message(a, ada, 7)  # scheduled
    _message(b, ada, 8, **sent, opened_at=at())
    _message(b, ada, 9, **sent)
    _message(b, ada, 10, **sent)

    with django_assert_num_queries(2):
        stats = flow_stats([flow.pk for flow in flows])

    assert (stats[a.pk].sent, stats[a.pk].skipped, stats[a.pk].failed, stats[a.pk].pending) == (3, 2, 1, 1)
    assert stats[a.pk].skipped_by_reason == {"frequency_cap": 2}
    assert stats[a.pk].revenue == {"EUR": Decimal("10.5"), "USD": Decimal("20.00")}
    assert all(isinstance(amount, Decimal) for amount in stats[a.pk].revenue.values())
    assert (stats[a.pk].open_rate, stats[a.pk].click_rate, stats[a.pk].conversion_rate) == (
        Decimal("0.6667"),
        Decimal("0.3333"),
        Decimal("1.0000"),
    )
    assert (stats[b.pk].open_rate, stats[b.pk].click_rate, stats[b.pk].revenue) == (Decimal("0.3333"), Decimal(0), {})
    assert stats[a.pk].enrolled == 7 and stats[b.pk].enrolled == 3
    assert stats[empty.pk].open_rate is None and stats[empty.pk].enrolled == 0


def test_staff_see_every_message_and_filter_them(api, campaign, staff_token):
    page = api.data(MESSAGES, token=staff_token)["crmMessages"]
    assert page["totalCount"] == 2
    graces, adas = nodes(page)  # newest first
    assert adas == {
        "subject": "You left something in your cart",
        "status": "SENT",
        "flowName": "Abandoned checkout",
        "flow": {"slug": "abandoned-checkout"},
        "customer": {"email": "ada@example.com"},
        "email": "ada@example.com",
        "reason": None,
        "sendAt": at(hours=5).isoformat(),
        "sentAt": at(hours=5).isoformat(),
        "openedAt": at(hours=5, minutes=10).isoformat(),
        "opens": 1,
        "clickedAt": at(hours=5, minutes=11).isoformat(),
        "clicks": 1,
        "convertedAt": at(hours=6).isoformat(),
        "orderId": global_id("Order", "Order:9"),
        "revenue": {"amount": 80.0, "currency": "USD"},
        "language": None,
        "channel": "default-channel",
    }
    assert (graces["status"], graces["reason"], graces["sentAt"], graces["revenue"]) == (
        "SKIPPED",
        "no_consent",
        None,
        None,
    )

    def emails(filter):
        return [
            n["customer"]["email"]
            for n in nodes(api.data(MESSAGES, {"filter": filter}, token=staff_token)["crmMessages"])
        ]

    assert emails({"customer": customer_id("grace@example.com")}) == ["grace@example.com"]
    assert emails({"status": ["SENT", "FAILED"]}) == ["ada@example.com"]
    assert emails({"flow": flow_gid("abandoned-checkout")}) == ["grace@example.com", "ada@example.com"]
    assert emails({"flow": flow_gid("welcome")}) == []
    assert emails({"sentAfter": at(hours=5).isoformat()}) == ["ada@example.com"]
    assert emails({"sentBefore": at(hours=5).isoformat()}) == []
    assert emails({"sentAfter": at(hours=4).isoformat(), "sentBefore": at(hours=6).isoformat()}) == ["ada@example.com"]
    bad = api.error(MESSAGES, {"filter": {"flow": customer_id("ada@example.com")}}, token=staff_token)
    assert bad["message"] == "Must receive a CrmFlow id."


def test_a_flows_messages_page_by_cursor(api, campaign, staff_token):
    query = """query($slug: String, $after: String) { crmFlow(slug: $slug) {
      messages(first: 1, after: $after, filter: {status: [SENT, SKIPPED]}) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { customer { email } } }
      } } }"""
    first = api.data(query, {"slug": "abandoned-checkout"}, token=staff_token)["crmFlow"]["messages"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    after = first["pageInfo"]["endCursor"]
    second = api.data(query, {"slug": "abandoned-checkout", "after": after}, token=staff_token)["crmFlow"]["messages"]
    assert [n["customer"]["email"] for n in nodes(first) + nodes(second)] == ["grace@example.com", "ada@example.com"]
    assert not second["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasPreviousPage"]
    bad = api.raw(query, {"slug": "abandoned-checkout", "after": "bm9wZQ=="}, token=staff_token)
    assert bad["errors"][0]["message"] == "Received cursor (bm9wZQ==) is invalid."


def test_the_message_list_costs_a_constant_number_of_queries(api, ada, staff_token, django_assert_max_num_queries):
    flows = [create_flow(name=f"F{n}", trigger="order.paid", steps=[STEP], now=at()) for n in range(5)]
    for n in range(20, 60):
        ingest(customer_event(pk=n, email=f"s{n}@example.com"))
    profiles = list(CustomerProfile.objects.order_by("pk"))
    for n, profile in enumerate(profiles):
        _message(flows[n % 5], profile, n, status=MessageStatus.SENT, sent_at=at(), subject=f"S{n}")
    query = """{ crmMessages(first: 100) { totalCount edges { node {
      subject flowName flow { slug stats { sent } steps { subject } } customer { email marketing { unsubscribed } }
    } } } }"""
    # auth (2), messages, count, flows, profiles, steps, stats (2), marketing preferences
    with django_assert_max_num_queries(10):
        page = api.data(query, token=staff_token)["crmMessages"]
    assert page["totalCount"] == len(profiles) == 41
    assert {n["flow"]["stats"]["sent"] for n in nodes(page)} == {8, 9}


def test_marketing_state_for_staff_and_the_shopper_and_staff_unsubscribing(
    api, campaign, ada, staff_token, ada_token, grace
):
    ada_id = customer_id("ada@example.com")
    state = api.data(MARKETING, {"id": ada_id}, token=staff_token)["crmCustomer"]["marketing"]
    assert state == {
        "consent": True,
        "unsubscribed": False,
        "unsubscribedAt": None,
        "source": None,
        "canReceiveMarketing": True,
    }
    assert api.data("{ crmMe { marketing { canReceiveMarketing } } }", token=ada_token)["crmMe"] == {
        "marketing": {"canReceiveMarketing": True}
    }
    graces = api.data(MARKETING, {"id": customer_id("grace@example.com")}, token=staff_token)["crmCustomer"]
    assert graces["marketing"]["consent"] is None and graces["marketing"]["canReceiveMarketing"] is False

    result = api.data(MARKETING_UPDATE, {"id": ada_id, "unsubscribed": True}, token=staff_token)
    assert result["crmCustomerMarketingUpdate"] == {
        "customer": {"email": "ada@example.com"},
        "marketing": {"unsubscribed": True, "source": "staff", "canReceiveMarketing": False},
        "errors": [],
    }
    state = api.data(MARKETING, {"id": ada_id}, token=ada_token)["crmCustomer"]["marketing"]
    assert state["unsubscribed"] is True and state["unsubscribedAt"] is not None and state["source"] == "staff"
    assert TimelineEntry.objects.filter(profile=ada, kind="marketing.unsubscribed", data__source="staff").exists()

    again = api.data(MARKETING_UPDATE, {"id": ada_id, "unsubscribed": False}, token=staff_token)
    marketing = again["crmCustomerMarketingUpdate"]["marketing"]
    # Unsubscribing withdrew consent; re-subscribing is no consent: that takes crmCustomerConsentUpdate.
    assert (marketing["unsubscribed"], marketing["canReceiveMarketing"]) == (False, False)
    missing = api.data(
        MARKETING_UPDATE, {"id": global_id("CrmCustomer", 98765), "unsubscribed": True}, token=staff_token
    )
    assert [e["code"] for e in missing["crmCustomerMarketingUpdate"]["errors"]] == ["NOT_FOUND"]


def test_after_staff_unsubscribe_the_next_message_is_skipped(api, ada, staff_token, crm_settings):
    crm_settings(automation_abandoned_checkout=True, **OPEN_ALL_DAY)
    mail.outbox = []
    scheduler = Scheduler()
    abandon()
    scheduler.tick(at(hours=5), send=False)  # scheduled and handed out

    api.data(MARKETING_UPDATE, {"id": customer_id("ada@example.com"), "unsubscribed": True}, token=staff_token)

    assert send_messages(scheduler.handed[0], at(hours=5, minutes=1)) == {"unsubscribed": 1}
    assert mail.outbox == []
    assert Message.objects.get().reason == "unsubscribed"


def test_survey_answers_and_nps_are_for_staff(api, ada, staff_token, ada_token):
    for day, (score, comment) in enumerate([(10, "Love it"), (9, ""), (3, "Late delivery")]):
        SurveyResponse.objects.create(profile=ada, score=score, comment=comment, answered_at=at(days=day))
    query = "query($id: ID!) { crmCustomer(id: $id) { nps surveyResponses { score comment answeredAt } } }"
    data = api.data(query, {"id": customer_id("ada@example.com")}, token=staff_token)["crmCustomer"]
    assert data["nps"] == 33  # 2 promoters, 1 detractor of 3
    assert [(r["score"], r["comment"]) for r in data["surveyResponses"]] == [
        (3, "Late delivery"),
        (9, ""),
        (10, "Love it"),
    ]
    assert data["surveyResponses"][0]["answeredAt"] == at(days=2).isoformat()

    for field in ("nps", "surveyResponses { score }"):
        error = api.error(f"{{ crmMe {{ email {field} }} }}", token=ada_token)
        assert error["extensions"]["exception"]["code"] == "PermissionDenied"
    SurveyResponse.objects.all().delete()
    assert api.data(query, {"id": customer_id("ada@example.com")}, token=staff_token)["crmCustomer"] == {
        "nps": None,
        "surveyResponses": [],
    }


def test_user_crm_messages_for_the_shopper_staff_and_nobody_else(api, campaign, staff_token, ada_token, grace):
    ada_rep = {"__typename": "User", "id": global_id("User", 1)}
    grace_rep = {"__typename": "User", "id": global_id("User", 2)}

    own = api.data(ENTITY, {"reps": [ada_rep]}, token=ada_token)["_entities"][0]["crmMessages"]
    assert own["totalCount"] == 1
    assert nodes(own) == [
        {
            "subject": "You left something in your cart",
            "sentAt": at(hours=5).isoformat(),
            "status": "SENT",
            "flowName": "Abandoned checkout",
        }
    ]
    graces_own = api.data(ENTITY, {"reps": [grace_rep]}, token=grace)["_entities"][0]["crmMessages"]
    assert graces_own == {"totalCount": 0, "edges": []}  # her skipped reminder never reached her

    tracking_fields = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User {
      crmMessages(first: 10) { edges { node { opens } } } } } }"""
    assert api.error(tracking_fields, {"reps": [ada_rep]}, token=ada_token)["message"].endswith("MANAGE_USERS")

    for token in (grace, None):  # like Saleor's _entities: null, as for an account the CRM doesn't know
        assert api.raw(ENTITY, {"reps": [ada_rep]}, token=token) == {"data": {"_entities": [{"crmMessages": None}]}}

    both = api.data(ENTITY, {"reps": [ada_rep, grace_rep]}, token=staff_token)["_entities"]
    assert [e["crmMessages"]["totalCount"] for e in both] == [1, 1]
    assert nodes(both[1]["crmMessages"])[0]["status"] == "SKIPPED"
    unknown = {"__typename": "User", "id": global_id("User", 777)}
    assert api.data(ENTITY, {"reps": [unknown]}, token=staff_token)["_entities"][0]["crmMessages"] == {
        "totalCount": 0,
        "edges": [],
    }


def test_user_crm_messages_for_many_users_cost_constant_queries(api, ada, staff_token, django_assert_max_num_queries):
    flow = create_flow(name="F", trigger="order.paid", steps=[STEP], now=at())
    for pk in range(20, 40):
        ingest(customer_event(pk=pk, email=f"s{pk}@example.com"))
        profile = CustomerProfile.objects.get(email=f"s{pk}@example.com")
        for n in range(3):
            _message(flow, profile, pk * 10 + n, status=MessageStatus.SENT, sent_at=at(minutes=n), subject=f"{pk}-{n}")
    reps = [{"__typename": "User", "id": global_id("User", pk)} for pk in range(20, 40)]
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User {
      crmMessages(first: 2) { totalCount pageInfo { hasNextPage } edges { node { subject flowName } } } } } }"""
    with django_assert_max_num_queries(7):  # auth (2), profiles, message pages, counts, flows
        data = api.data(query, {"reps": reps}, token=staff_token)["_entities"]
    assert [node["subject"] for node in nodes(data[0]["crmMessages"])] == ["20-2", "20-1"]
    assert all(d["crmMessages"]["totalCount"] == 3 and d["crmMessages"]["pageInfo"]["hasNextPage"] for d in data)
