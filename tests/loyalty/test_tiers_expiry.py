"""Tiers over a rolling window with a grace period, and points expiry by lot or inactivity."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.actions import award_birthday_bonuses, redeem_points, set_birth_date
from saleor_crm_plugin.loyalty.earning import release_due_points
from saleor_crm_plugin.loyalty.expiry import expire_points
from saleor_crm_plugin.loyalty.models import OrderPoints, PointsLedgerEntry
from saleor_crm_plugin.loyalty.program import current_program
from saleor_crm_plugin.loyalty.tiers import reevaluate_tiers
from saleor_crm_plugin.profiles.models import TimelineEntry

from ..factories import later
from .helpers import account, balances, paid_order, release_all


def test_upgrade_on_the_release_that_crosses_the_threshold(ada, loyalty):
    paid_order(order_id="Order:1", total="400.00")
    release_all()
    assert account(ada).tier == "Bronze"
    paid_order(order_id="Order:2", total="100.00")
    release_all()
    acc = account(ada)
    assert acc.tier == "Silver"
    kinds = list(TimelineEntry.objects.filter(kind="loyalty.tier_changed").values_list("summary", flat=True))
    assert "Reached loyalty tier Silver (was Bronze)" in kinds
    paid_order(order_id="Order:3", total="100.00")  # pending at the base rate
    assert OrderPoints.objects.get(number="3").points == 100
    before = balances(ada)[0]
    release_all()  # released at Silver: 1.5 points per unit, the 0.5 as a tier bonus
    assert balances(ada)[0] - before == 150
    assert OrderPoints.objects.get(number="3").bonus == 50


def test_downgrade_only_at_reevaluation_after_grace(ada, loyalty):
    paid_order(total="600.00")
    release_all()
    assert account(ada).tier == "Silver"
    program, now = current_program(), timezone.now()
    later = now + timedelta(days=400)  # the points (released at +15 days) left the rolling window
    assert reevaluate_tiers(program, now + timedelta(days=10)) == 0  # still qualifies
    assert reevaluate_tiers(program, later) == 1
    assert account(ada).tier == "Bronze"
    assert TimelineEntry.objects.filter(kind="loyalty.tier_changed", summary__contains="(was Silver)").exists()


def test_grace_period_keeps_the_tier(ada, loyalty, crm_settings):
    crm_settings(loyalty_tier_window_days=30, loyalty_tier_grace_days=90)
    paid_order(total="600.00")
    release_all()
    now = timezone.now()
    assert reevaluate_tiers(current_program(), now + timedelta(days=60)) == 0  # out of window, in grace
    assert account(ada).tier == "Silver"
    assert reevaluate_tiers(current_program(), now + timedelta(days=120)) == 1


def test_an_upgrade_is_kept_through_grace_when_its_facts_only_age_out_before_a_reevaluation(ada, loyalty, crm_settings):
    crm_settings(loyalty_tier_window_days=30, loyalty_tier_grace_days=90)
    now = timezone.now()
    paid_order(order_id="Order:1", total="600.00")
    release_all()  # Silver at +15 days; no scheduled re-evaluation has confirmed it yet
    paid_order(order_id="Order:2", total="10.00", created_at=now + timedelta(days=40))
    release_due_points(current_program(), now + timedelta(days=60))  # Order:1 is out of the window by now
    reached = TimelineEntry.objects.filter(kind="loyalty.tier_changed", summary__contains="Silver")
    assert (account(ada).tier, reached.count()) == ("Silver", 1)  # time passing is not a withdrawn fact
    assert reevaluate_tiers(current_program(), now + timedelta(days=120)) == 1  # the grace period is over
    assert account(ada).tier == "Bronze"


def test_tiers_by_spend(ada, loyalty, crm_settings):
    crm_settings(loyalty_tier_basis="spend", loyalty_tiers="Bronze:0:1, Silver:300:1")
    paid_order(total="400.00")  # pending points count nothing, but spend counts at once
    assert account(ada).tier == "Silver"


def test_lot_expiry_is_fifo_and_flags_expiring_soon(ada, loyalty, crm_settings):
    crm_settings(loyalty_expiry="lot", loyalty_expiry_days=100, loyalty_expiry_warning_days=30)
    paid_order(order_id="Order:1", total="300.00")
    release_all()
    first = PointsLedgerEntry.objects.get(kind="release").occurred_at
    paid_order(order_id="Order:2", total="200.00")
    release_due_points(current_program(), first + timedelta(days=50))
    redeem_points(ada, points=100)  # spends the oldest lot first
    program = current_program()
    expire_points(program, first + timedelta(days=80))
    acc = account(ada)
    assert (acc.expiring_points, acc.expiring_at) == (200, first + timedelta(days=100))
    assert expire_points(program, first + timedelta(days=101)) == 200  # 300 - 100 spent
    assert balances(ada) == (200, 0, 0)
    assert account(ada).expiring_points == 0
    assert expire_points(program, first + timedelta(days=101)) == 0  # nothing twice
    assert expire_points(program, first + timedelta(days=151)) == 200


def test_inactivity_expiry(ada, loyalty, crm_settings):
    crm_settings(loyalty_expiry="inactivity", loyalty_expiry_days=100, loyalty_expiry_warning_days=30)
    paid_order(total="300.00")
    release_all()
    last = account(ada).last_activity_at
    program = current_program()
    assert expire_points(program, last + timedelta(days=50)) == 0
    assert account(ada).expiring_points == 0
    expire_points(program, last + timedelta(days=80))
    assert account(ada).expiring_points == 300
    assert expire_points(program, last + timedelta(days=100)) == 300
    assert balances(ada) == (0, 0, 0)


def test_birthday_bonus_once_a_year(ada, loyalty, crm_settings):
    crm_settings(loyalty_birthday_bonus=100)
    set_birth_date(ada, date(1990, 5, 17))
    program, now = current_program(), timezone.now()
    award_birthday_bonuses(program, date(2026, 5, 16), now)
    assert balances(ada)[0] == 0
    award_birthday_bonuses(program, date(2026, 5, 17), now)
    award_birthday_bonuses(program, date(2026, 5, 17), now)
    assert balances(ada)[0] == 100
    award_birthday_bonuses(program, date(2027, 5, 17), now)
    assert balances(ada)[0] == 200


def test_an_upgrade_resting_on_a_refunded_order_is_withdrawn_but_not_below_the_floor(ada, loyalty):
    paid = paid_order(total="600.00")
    release_all()
    assert account(ada).tier == "Silver"
    reached = TimelineEntry.objects.filter(kind="loyalty.tier_changed")
    assert reached.count() == 1
    ingest(later(paid, "order.refunded", total_refunded=Decimal("600.00")))
    assert (account(ada).tier, reached.count()) == ("Bronze", 0)  # as if the order never qualified

    ingest(later(paid, "order.refunded", minutes=2, total_refunded=Decimal("100.00")))  # stale: changes nothing
    second = paid_order(order_id="Order:2", total="600.00")
    release_all()
    assert reevaluate_tiers(current_program(), timezone.now()) == 0  # confirms Silver as the floor
    assert account(ada).tier_floor == "Silver"
    ingest(later(second, "order.refunded", total_refunded=Decimal("600.00")))
    assert (account(ada).tier, reached.count()) == ("Silver", 1)  # the floor holds until re-evaluation
