"""Redeeming points: one unit with the reward, never overdrawn, refused rewards give points back."""

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.actions import adjust_points, redeem_points
from saleor_crm_plugin.loyalty.errors import LoyaltyError
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, PointsLedgerEntry, Redemption, Reward
from saleor_crm_plugin.profiles.models import CustomerProfile, TimelineEntry

from ..factories import checkout_event, customer_event
from .helpers import account, balances, ledger_matches, paid_order, release_all


@pytest.fixture
def rich_ada(ada, loyalty):
    paid_order(total="1000.00")
    release_all()
    return ada


def test_redeem_points_for_a_code(rich_ada):
    redemption = redeem_points(rich_ada, points=500)
    assert redemption.status == Redemption.ISSUED
    assert (redemption.value, redemption.currency, redemption.channel) == (Decimal("5.00"), "USD", "default-channel")
    assert len(redemption.code) == 12
    assert balances(rich_ada) == (500, 0, 0)
    entry = PointsLedgerEntry.objects.get(kind="redeem")
    assert (entry.points, entry.redemption_id, entry.available_after) == (-500, redemption.pk, 500)
    assert TimelineEntry.objects.filter(kind="loyalty.redeemed", profile=rich_ada).exists()


def test_redeem_a_catalogue_reward(rich_ada):
    reward = Reward.objects.create(
        name="$10 off", points_cost=800, value=Decimal("10"), currency="USD", channel="default-channel"
    )
    redemption = redeem_points(rich_ada, reward=reward)
    assert (redemption.points, redemption.value, redemption.reward) == (800, Decimal("10"), reward)
    assert balances(rich_ada) == (200, 0, 0)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"points": 5000}, "INSUFFICIENT_POINTS"),
        ({"points": 50}, "MINIMUM_POINTS"),
        ({}, "INVALID"),
        ({"points": 500, "checkout_id": "nope"}, "NOT_FOUND"),
    ],
)
def test_redeem_refusals_change_nothing(rich_ada, kwargs, code):
    with pytest.raises(LoyaltyError) as error:
        redeem_points(rich_ada, **kwargs)
    assert error.value.code == code
    assert balances(rich_ada) == (1000, 0, 0)
    assert not Redemption.objects.exists()


def test_refused_reward_gives_the_points_back(rich_ada, settings):
    settings.CRM_SANDBOX_REFUSE_REWARDS = True
    with pytest.raises(LoyaltyError) as error:
        redeem_points(rich_ada, points=500)
    assert error.value.code == "REWARD_NOT_ISSUED"
    assert balances(rich_ada) == (1000, 0, 0)
    assert not PointsLedgerEntry.objects.filter(kind="redeem").exists()
    failed = Redemption.objects.get()
    assert (failed.status, failed.points) == (Redemption.FAILED, 500)
    assert ledger_matches(account(rich_ada))


def test_redeem_onto_own_checkout_only(rich_ada):
    ingest(customer_event(pk=2, email="grace@example.com", first_name="Grace"))
    ingest(checkout_event(token="ada-checkout", user=1))
    ingest(checkout_event(token="grace-checkout", user=2, email="grace@example.com"))
    issued = redeem_points(rich_ada, points=500, checkout_id="ada-checkout")
    assert issued.checkout_id == "ada-checkout"
    refusals = []
    for checkout in ("grace-checkout", "no-such-checkout"):  # someone else's answers exactly like a missing one
        with pytest.raises(LoyaltyError) as error:
            redeem_points(rich_ada, points=500, checkout_id=checkout)
        refusals.append((error.value.field, error.value.code, error.value.message))
    assert refusals == [("checkoutId", "NOT_FOUND", "Checkout not found.")] * 2
    assert not Redemption.objects.filter(checkout_id="grace-checkout").exists()  # no foreign token kept
    assert balances(rich_ada) == (500, 0, 0)


def test_staff_adjustment_with_reason(rich_ada):
    entry = adjust_points(rich_ada, -300, "Goodwill reversal", staff_user=None)
    assert (entry.kind, entry.points, entry.reason) == ("adjust", -300, "Goodwill reversal")
    with pytest.raises(LoyaltyError, match="available"):
        adjust_points(rich_ada, -5000, "too much")
    with pytest.raises(LoyaltyError) as error:
        adjust_points(rich_ada, 10, "  ")
    assert error.value.code == "REQUIRED"
    assert balances(rich_ada) == (700, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_never_overdraw(crm_settings):
    """Two connections redeem 600 of 1000 points at once: one wins, one is refused."""
    crm_settings(
        loyalty_earn_rates="*:1", loyalty_min_redeem_points=100, loyalty_first_order_bonus=0, loyalty_signup_bonus=0
    )
    ingest(customer_event(pk=1, email="ada@example.com"))
    profile = CustomerProfile.objects.get(email="ada@example.com")
    paid_order(total="1000.00")
    release_all()
    barrier = threading.Barrier(2)
    outcomes = []

    def redeem():
        try:
            barrier.wait()
            outcomes.append(redeem_points(CustomerProfile.objects.get(pk=profile.pk), points=600).status)
        except LoyaltyError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert sorted(outcomes) == ["INSUFFICIENT_POINTS", "issued"]
    acc = LoyaltyAccount.objects.get(profile=profile)
    assert (acc.available, acc.debt) == (400, 0)
    assert ledger_matches(acc)


def test_reconcile_reports_and_repairs_drift(rich_ada):
    acc = account(rich_ada)
    LoyaltyAccount.objects.filter(pk=acc.pk).update(available=12345, lifetime=1)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("crm_loyalty_reconcile", stdout=out)
    assert f"account {acc.pk}: available 12345 -> 1000, lifetime 1 -> 1000" in out.getvalue()
    with pytest.raises(SystemExit) as exited:  # drift found is a failure for cron, repaired or not
        call_command("crm_loyalty_reconcile", "--repair", stdout=out)
    assert exited.value.code == 1
    assert balances(rich_ada) == (1000, 0, 0)
    out = StringIO()
    call_command("crm_loyalty_reconcile", stdout=out)
    assert "no drift" in out.getvalue()
