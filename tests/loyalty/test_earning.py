"""Points for orders through the real ingest path: pending, released, cancelled, refunded."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from saleor_crm_plugin.ingest import ingest, ingest_many
from saleor_crm_plugin.loyalty.earning import proportional
from saleor_crm_plugin.loyalty.models import OrderPoints, PointsLedgerEntry
from saleor_crm_plugin.loyalty.program import current_program

from ..factories import T0, later, line, order_event
from .helpers import account, balances, ledger_matches, paid_order, release_all


def test_order_points_pending_until_paid_and_return_window(ada, loyalty):
    created = order_event(total="120.00", shipping=Decimal("20.00"), user=1, created_at=timezone.now())
    ingest(created)
    assert balances(ada) == (0, 100, 0)  # net of shipping
    assert OrderPoints.objects.get().release_at is None  # not paid: no release date yet
    assert release_all(days=100) == 0
    paid = later(created, "order.fully_paid", charge_status="full")
    ingest(paid)
    standing = OrderPoints.objects.get()
    assert standing.release_at == paid.data.updated_at + timedelta(days=14)
    assert release_all(days=13) == 0
    assert balances(ada) == (0, 100, 0)
    assert release_all(days=15) == 1
    assert balances(ada) == (100, 0, 0)
    assert account(ada).lifetime == 100


def test_paid_long_ago_is_released_by_the_event_itself(ada, loyalty):
    paid_order(created_at=T0)  # paid long ago: the window is over
    assert balances(ada) == (100, 0, 0)


def test_same_event_twice_and_replays_award_once(ada, loyalty):
    created = order_event(user=1)
    paid = later(created, "order.fully_paid", charge_status="full")
    for _ in range(2):
        ingest(created)
        ingest(paid)
        ingest_many([created, paid, created])
    release_all()
    release_all()
    assert balances(ada) == (100, 0, 0)
    assert PointsLedgerEntry.objects.filter(kind="pending").count() == 1
    assert PointsLedgerEntry.objects.filter(kind="release").count() == 1


def test_out_of_order_paid_before_created(ada, loyalty):
    created = order_event(user=1)
    paid = later(created, "order.fully_paid", charge_status="full")
    ingest(paid)
    ingest(created)
    release_all()
    assert balances(ada) == (100, 0, 0)


def test_cancel_before_release_drops_the_points(ada, loyalty):
    created = order_event(user=1)
    ingest(created)
    ingest(later(created, "order.cancelled", status="canceled"))
    assert balances(ada) == (0, 0, 0)
    assert release_all() == 0
    assert OrderPoints.objects.get().status == "cancelled"


def test_refund_before_release_shrinks_pending(ada, loyalty):
    paid = paid_order(total="200.00")
    ingest(later(paid, "order.refunded", total_refunded=Decimal("50.00")))
    assert balances(ada) == (0, 150, 0)
    release_all()
    assert balances(ada) == (150, 0, 0)


def test_buy_then_refund_takes_the_points_back(ada, loyalty):
    """Odoo's exploit (odoo#257854): buy, get points released, refund — the points must go."""
    paid = paid_order(total="200.00")
    release_all()
    assert balances(ada) == (200, 0, 0)
    half = later(paid, "order.refunded", total_refunded=Decimal("100.00"))
    ingest(half)
    assert balances(ada) == (100, 0, 0)
    ingest(later(half, "order.fully_refunded", total_refunded=Decimal("200.00")))
    assert balances(ada) == (0, 0, 0)
    assert account(ada).lifetime == 0


def test_refund_is_not_deducted_twice(ada, loyalty):
    """Odoo deducted twice (#212922, #221928): the same refund seen by several events counts once."""
    paid = paid_order(total="200.00")
    release_all()
    refunded = later(paid, "order.refunded", total_refunded=Decimal("50.00"))
    ingest(refunded)
    ingest(later(refunded, "order.updated"))  # the same refund again, in a later event
    ingest(refunded)  # a redelivery
    ingest_many([later(refunded, "order.updated", minutes=5)])
    assert balances(ada) == (150, 0, 0)
    assert PointsLedgerEntry.objects.filter(kind="reverse").count() == 1


def test_refund_after_points_were_spent_records_debt(ada, loyalty):
    from saleor_crm_plugin.loyalty.actions import redeem_points

    paid = paid_order(total="300.00")
    release_all()
    redeem_points(ada, points=250)
    ingest(later(paid, "order.fully_refunded", total_refunded=Decimal("300.00")))
    assert balances(ada) == (0, 0, 250)  # 50 left, 300 taken back: 250 owed
    assert ledger_matches(account(ada))
    paid_order(order_id="Order:2", total="400.00")
    release_all()
    assert balances(ada) == (150, 0, 0)  # the next points pay the debt first


def test_guest_orders_earn_nothing(db, loyalty):
    ingest(order_event(email="guest@example.com"))
    assert not OrderPoints.objects.exists()


def test_minimum_order_rounding_rates_and_exclusions(ada, loyalty, crm_settings):
    crm_settings(
        loyalty_earn_rates="default-channel:1.5, *:0",
        loyalty_rounding="nearest",
        loyalty_minimum_order="20",
        loyalty_excluded_ids=("Q2F0ZWdvcnk6OQ==",),  # Category:9
    )
    lines = (line(quantity=1, price="25.00", category=1), line(quantity=2, price="10.00", category=9, product=2))
    ingest(order_event(order_id="Order:1", total="45.00", user=1, lines=lines))  # 25 earns: 37.5 -> 38
    ingest(order_event(order_id="Order:2", total="19.00", user=1))  # below the minimum
    ingest(order_event(order_id="Order:3", total="100.00", user=1, channel="other"))  # rate 0
    points = dict(OrderPoints.objects.values_list("number", "points"))
    assert points == {"1": 38, "2": 0, "3": 0}
    program = current_program()
    assert program.points_for(Decimal("30.01"), "default-channel") == 45  # 45.015 to nearest


def test_proportional_reversal_rounds_and_caps():
    assert proportional(100, Decimal("33.33"), Decimal("100")) == 33
    assert proportional(100, Decimal("100"), Decimal("100")) == 100
    assert proportional(100, Decimal("150"), Decimal("100")) == 100
    assert proportional(7, Decimal("0"), Decimal("100")) == 0


def test_signup_and_first_order_bonus_once(db, loyalty, crm_settings):
    from ..factories import customer_event

    crm_settings(loyalty_signup_bonus=50, loyalty_first_order_bonus=25)
    ingest(customer_event(pk=5, email="new@example.com"))
    ingest(customer_event(pk=5, email="new@example.com"))
    from saleor_crm_plugin.profiles.models import CustomerProfile

    profile = CustomerProfile.objects.get(email="new@example.com")
    assert balances(profile) == (50, 0, 0)
    paid_order(order_id="Order:1", user=5, email="new@example.com")
    paid_order(order_id="Order:2", user=5, email="new@example.com")
    release_all()
    assert balances(profile) == (50 + 25 + 200, 0, 0)
