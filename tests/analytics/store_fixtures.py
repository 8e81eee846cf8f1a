"""A small store whose March 2025 figures are worked out by hand in ``tests/analytics/test_store_kpis.py``.

    Ada  (user 1)  USD default-channel  1 Mar 100.00, 11 Mar 50.00, 2 Apr 10.00
    Bob  (user 2)  USD default-channel 20 Feb 30.00; channel-other 5 Mar 70.00
    Cy   (user 3)  USD default-channel  3 Mar 200.00 (cancelled); EUR channel-eu 4 Mar 40.00
    Dee  (user 4)  USD default-channel  6 Mar 80.00, 20.00 of it refunded on 8 Mar
Every order is placed at noon UTC. Loyalty earns nothing here, so a test's ledger is all its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest_many

from ..factories import customer_event, later, order_event

MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def noon(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 12, 0, tzinfo=UTC)


def build_store(crm_settings) -> None:
    crm_settings(loyalty_earn_rates="", loyalty_signup_bonus=0, loyalty_first_order_bonus=0)
    people = {1: "ada@example.com", 2: "bob@example.com", 3: "cy@example.com", 4: "dee@example.com"}
    events = [customer_event(pk=pk, email=email) for pk, email in people.items()]

    def order(label, user, total, month, day, channel="default-channel", currency="USD"):
        return order_event(
            order_id=label,
            user=user,
            email=people[user],
            total=total,
            created_at=noon(month, day),
            channel=channel,
            currency=currency,
        )

    cancelled = order("Order:C1", 3, "200.00", 3, 3)
    refunded = order("Order:D1", 4, "80.00", 3, 6)
    events += [
        order("Order:A1", 1, "100.00", 3, 1),
        order("Order:A2", 1, "50.00", 3, 11),
        order("Order:A3", 1, "10.00", 4, 2),
        order("Order:B1", 2, "30.00", 2, 20),
        order("Order:B2", 2, "70.00", 3, 5, channel="channel-other"),
        cancelled,
        later(cancelled, EventKind.ORDER_CANCELLED, minutes=60, status="canceled"),
        order("Order:C2", 3, "40.00", 3, 4, channel="channel-eu", currency="EUR"),
        refunded,
        later(refunded, EventKind.ORDER_REFUNDED, minutes=2 * 24 * 60, total_refunded=refunded.data.total / 4),
    ]
    result = ingest_many(events)
    assert not result.failed, result.failed


QUERY = """
query Analytics($from: Date!, $to: Date!, $channel: String) {
  crmAnalytics(period: {from: $from, to: $to}, channel: $channel) {
    from to channel refreshedAt
    kpis {
      currency orders refundedOrders customers newCustomers returningCustomers repeatPurchaseRate
      averageDaysBetweenOrders revenue { currency amount } refunds { amount } netRevenue { amount }
      averageOrderValue { amount }
    }
    days { date currency orders customers newCustomers revenue { amount } refunds { amount } }
    rfmGroups { date group name customers }
    cohorts {
      currency month customers revenue { amount } months { monthsSince customers retention revenue { amount } }
    }
    loyalty {
      currency members outstandingPoints pendingPoints value { currency amount } breakageRate
      expectedBreakage { amount } netLiability { amount }
    }
    loyaltyPoints { date currency issued redeemed expired reversed }
    flows { flowId slug name sent conversions revenue { currency amount } }
    helpdesk {
      ticketsCreated ticketsSolved ratings csat averageFirstResponseSeconds averageResolutionSeconds
      firstResponseSlaAttainment resolutionSlaAttainment
    }
  }
}
"""


def analytics(api, token, first=MARCH[0], last=MARCH[1], channel=None) -> dict:
    variables = {"from": first.isoformat(), "to": last.isoformat(), "channel": channel}
    return api.data(QUERY, variables, token=token)["crmAnalytics"]
