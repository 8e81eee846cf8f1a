"""Loyalty accounts and their append-only points ledger.

An account's balances are stored for O(1) reads, and are always the sums of its ledger entries'
changes (``crm_loyalty_reconcile`` checks it). Points are integers; money is Decimal.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..profiles.models import CustomerProfile


class LedgerKind(models.TextChoices):
    EARN = "earn"  # points available at once (e.g. an order earning without a return window)
    PENDING = "pending"  # an order's points, waiting for payment and the return window
    RELEASE = "release"  # pending points becoming available
    REDEEM = "redeem"  # spent on a reward (positive when a failed issue gives them back)
    REVERSE = "reverse"  # taken back: order cancelled or refunded
    EXPIRE = "expire"
    ADJUST = "adjust"  # staff correction with a reason
    BONUS = "bonus"  # sign-up, first order, birthday


class LoyaltyAccount(models.Model):
    profile = models.OneToOneField(CustomerProfile, on_delete=models.CASCADE, related_name="loyalty")
    available = models.IntegerField(default=0)
    pending = models.IntegerField(default=0)
    lifetime = models.IntegerField(default=0, help_text="Points ever earned, net of reversals and adjustments.")
    debt = models.IntegerField(default=0, help_text="Points taken back that the balance could not cover.")
    tier = models.CharField(max_length=64, blank=True)
    tier_since = models.DateTimeField(null=True, blank=True)
    tier_kept_until = models.DateTimeField(null=True, blank=True, help_text="No downgrade before this.")
    tier_floor = models.CharField(
        max_length=64, blank=True, help_text="The tier the last re-evaluation granted: ingest never goes below it."
    )
    tier_floor_at = models.DateTimeField(null=True, blank=True, help_text="When the floor last changed.")
    expiring_points = models.IntegerField(default=0)
    expiring_at = models.DateTimeField(null=True, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    first_release_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_loyalty_account"
        constraints = [
            models.CheckConstraint(
                condition=Q(available__gte=0, pending__gte=0, debt__gte=0), name="crm_loyalty_balances_not_negative"
            ),
            models.CheckConstraint(condition=Q(available=0) | Q(debt=0), name="crm_loyalty_debt_only_when_empty"),
        ]

    def __str__(self) -> str:
        return f"loyalty account of {self.profile_id}"


class PointsLedgerEntry(models.Model):
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="ledger")
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    points = models.IntegerField(help_text="The change as the shopper reads it (negative when points go).")
    available_change = models.IntegerField(default=0)
    pending_change = models.IntegerField(default=0)
    debt_change = models.IntegerField(default=0)
    available_after = models.IntegerField()
    pending_after = models.IntegerField()
    debt_after = models.IntegerField()
    saleor_order_id = models.CharField(max_length=128, null=True, blank=True)
    redemption = models.ForeignKey("Redemption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(max_length=64, blank=True, help_text="What caused it: order, refund, signup, expiry…")
    reason = models.CharField(max_length=512, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    occurred_at = models.DateTimeField()

    class Meta:
        db_table = "crm_loyalty_ledger"
        indexes = [
            models.Index(fields=["account", "-occurred_at", "-id"]),
            models.Index(fields=["saleor_order_id"]),
        ]


class OrderPoints(models.Model):
    """Where an order's points stand: awarded, reversed so far, released or not."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="orders")
    saleor_order_id = models.CharField(max_length=128, unique=True)
    number = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=20, decimal_places=3, help_text="The amount points were earned on.")
    points = models.IntegerField()
    reversed = models.IntegerField(default=0)
    bonus = models.IntegerField(default=0, help_text="Tier bonus posted on top of the released points.")
    bonus_revision = models.IntegerField(default=0, help_text="How many times the tier bonus was settled.")
    placed_at = models.DateTimeField()
    release_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_loyalty_order_points"
        indexes = [
            models.Index(
                fields=["release_at"],
                condition=Q(released_at__isnull=True, cancelled_at__isnull=True),
                name="crm_loyalty_due_idx",
            ),
            models.Index(fields=["account", "-placed_at"]),
        ]

    @property
    def remaining(self) -> int:
        return self.points - self.reversed

    @property
    def status(self) -> str:
        if self.cancelled_at:
            return "cancelled"
        return "released" if self.released_at else "pending"


class Reward(models.Model):
    """A fixed-value discount shoppers can buy with points, issued as a gift card in its channel."""

    name = models.CharField(max_length=128)
    description = models.CharField(max_length=512, blank=True)
    points_cost = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    channel = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crm_loyalty_reward"
        ordering = ["points_cost", "id"]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    ISSUED = "issued"
    FAILED = "failed"

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="redemptions")
    reward = models.ForeignKey(Reward, null=True, blank=True, on_delete=models.SET_NULL, related_name="redemptions")
    points = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(0))
    currency = models.CharField(max_length=3)
    channel = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=[(ISSUED, ISSUED), (FAILED, FAILED)])
    code = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=128, blank=True, help_text="The store's ID of the gift card.")
    checkout_id = models.CharField(max_length=128, blank=True)
    error = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "crm_loyalty_redemption"
        ordering = ["-created_at", "-id"]
