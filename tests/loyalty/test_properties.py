"""Hypothesis drives random sequences of orders, payments, refunds, cancellations, redemptions,
adjustments, releases and expiry through the real paths, then checks the ledger's invariants."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.actions import adjust_points, redeem_points
from saleor_crm_plugin.loyalty.earning import release_due_points
from saleor_crm_plugin.loyalty.errors import LoyaltyError
from saleor_crm_plugin.loyalty.expiry import expire_points
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, OrderPoints, PointsLedgerEntry
from saleor_crm_plugin.loyalty.program import current_program
from saleor_crm_plugin.loyalty.reconcile import drifted_accounts
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.settings import reload_settings

from ..factories import customer_event, later, order_event

ORDERS = 4
step = st.one_of(
    st.tuples(st.just("order"), st.integers(0, ORDERS - 1), st.integers(1, 500)),
    st.tuples(st.just("pay"), st.integers(0, ORDERS - 1)),
    st.tuples(st.just("refund"), st.integers(0, ORDERS - 1), st.integers(1, 100)),  # percent of the total
    st.tuples(st.just("cancel"), st.integers(0, ORDERS - 1)),
    st.tuples(st.just("replay"), st.integers(0, ORDERS - 1)),
    st.tuples(st.just("redeem"), st.integers(100, 600)),
    st.tuples(st.just("adjust"), st.integers(-300, 300).filter(bool)),
    st.tuples(st.just("release"), st.integers(0, 30)),
    st.tuples(st.just("expire"), st.integers(0, 800)),
)


class LedgerInvariants(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(step, min_size=1, max_size=25))
    def test_random_sequences_keep_the_invariants(self, steps):
        from django.test import override_settings

        crm = {"loyalty_earn_rates": "*:1", "loyalty_min_redeem_points": 100, "loyalty_expiry": "lot",
               "loyalty_expiry_days": 365, "loyalty_signup_bonus": 10, "loyalty_first_order_bonus": 5}  # fmt: skip
        try:
            with override_settings(CRM=crm):
                reload_settings()
                self._run(steps)
        finally:
            reload_settings()  # outside the override, so later tests see the real settings

    def _run(self, steps):
        ingest(customer_event(pk=1, email="ada@example.com"))
        profile = CustomerProfile.objects.get(email="ada@example.com")
        start = timezone.now()
        latest: dict[int, object] = {}
        applied = []
        for action, *args in steps:
            if action == "order" and args[0] not in latest:
                latest[args[0]] = event = order_event(
                    order_id=f"Order:{args[0]}", total=f"{args[1]}.00", user=1, created_at=start
                )
            elif action in ("pay", "refund", "cancel", "replay") and args[0] in latest:
                event = latest[args[0]]
                if action == "pay":
                    event = later(event, "order.fully_paid", charge_status="full")
                elif action == "refund":
                    share = (event.data.total * args[1] / 100).quantize(Decimal("0.01"))
                    event = later(event, "order.refunded", total_refunded=max(share, event.data.total_refunded))
                elif action == "cancel":
                    event = later(event, "order.cancelled", status="canceled")
                latest[args[0]] = event
            elif action == "redeem":
                try:
                    redeem_points(profile, points=args[0])
                except LoyaltyError as error:
                    assert error.code == "INSUFFICIENT_POINTS"
                continue
            elif action == "adjust":
                try:
                    adjust_points(profile, args[0], "property test")
                except LoyaltyError as error:
                    assert error.code == "INSUFFICIENT_POINTS"
                continue
            elif action == "release":
                release_due_points(current_program(), start + timedelta(days=args[0]))
                continue
            elif action == "expire":
                expire_points(current_program(), start + timedelta(days=args[0]))
                continue
            else:
                continue
            ingest(event)
            applied.append(event)
        self._check(profile, applied)

    def _check(self, profile, applied):
        account = LoyaltyAccount.objects.get(profile=profile)
        assert account.available >= 0 and account.pending >= 0 and account.debt >= 0
        assert account.available == 0 or account.debt == 0
        assert drifted_accounts() == (0, [])
        entries = PointsLedgerEntry.objects.filter(account=account)
        for entry in entries:  # every entry's balances-after follow from the ones before
            assert entry.available_after >= 0 and entry.pending_after >= 0 and entry.debt_after >= 0
        # pending is exactly what unreleased, uncancelled orders still hold
        held = OrderPoints.objects.filter(account=account, released_at__isnull=True, cancelled_at__isnull=True)
        assert account.pending == sum(standing.remaining for standing in held)
        # idempotent: delivering every applied event again changes nothing
        before = (account.available, account.pending, account.debt, entries.count())
        for event in applied:
            ingest(event)
        account.refresh_from_db()
        assert (account.available, account.pending, account.debt, entries.count()) == before
        total = entries.aggregate(s=Sum("available_change"))["s"] or 0
        assert total == account.available
