"""Customer 360: one profile per shopper, with what the store told us about them.

Orders and checkouts are kept as denormalised snapshots keyed by Saleor IDs, never as foreign
keys to Saleor tables, so the CRM keeps its history when Saleor rows change or go.
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Now

# Lists sort a missing date as this earliest one, so a keyset cursor never holds a NULL.
SORTS_AS_NEVER = datetime(1, 1, 1, tzinfo=UTC)


def date_sort_key(field: str) -> Coalesce:
    """The sort key of a nullable date: the same expression in queries and in their indexes."""
    return Coalesce(F(field), Value(SORTS_AS_NEVER), output_field=models.DateTimeField())


class ConsentSource(models.TextChoices):
    """Where a marketing consent change came from."""

    SHOPPER = "shopper"  # the shopper themself, through the API
    STAFF = "staff"
    UNSUBSCRIBE_LINK = "unsubscribe_link"  # a message's unsubscribe link (or one-click header)
    STORE = "store"  # the store's consent metadata, copied by an account event


class CustomerProfile(models.Model):
    email = models.CharField(max_length=254, blank=True, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crm_profile",
    )
    # Saleor's global ID of the account; kept after the user row is gone, for the delete event.
    saleor_user_id = models.CharField(max_length=128, null=True, blank=True, unique=True)
    first_name = models.CharField(max_length=256, blank=True)
    last_name = models.CharField(max_length=256, blank=True)
    is_active = models.BooleanField(default=True)
    marketing_consent = models.BooleanField(null=True, blank=True)
    # Who changed it last, when and from where: an account event older than this change can't undo it.
    consent_changed_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=16, choices=ConsentSource.choices, blank=True)
    consent_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    orders_count = models.PositiveIntegerField(default=0)
    cancellations_count = models.PositiveIntegerField(default=0)
    refunds_count = models.PositiveIntegerField(default=0)
    first_order_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_order_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    channels = models.JSONField(default=list, blank=True)
    first_touch = models.JSONField(default=dict, blank=True)
    last_touch = models.JSONField(default=dict, blank=True)

    joined_at = models.DateTimeField(null=True, blank=True)
    # Saleor's updated_at of the newest account state applied, so a stale update can't win.
    account_version = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_customer_profile"
        # Keyset pages of the customer list walk these (sort key, id) indexes in either direction.
        indexes = [
            models.Index(fields=["email", "id"], name="crm_profile_by_email"),
            models.Index(fields=["orders_count", "id"], name="crm_profile_by_orders"),
            models.Index(date_sort_key("last_order_at"), F("id"), name="crm_profile_by_last_order"),
            models.Index(date_sort_key("last_activity_at"), F("id"), name="crm_profile_by_last_activity"),
        ]
        constraints = [
            # One live guest profile per mailbox: concurrent guest orders meet on it.
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(saleor_user_id__isnull=True, anonymised_at__isnull=True),
                name="crm_one_guest_profile_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email or f"profile {self.pk}"

    @property
    def is_guest(self) -> bool:
        return self.saleor_user_id is None


class CustomerSpend(models.Model):
    """Spend per currency: a store sells in several, and sums across them mean nothing."""

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="spend")
    currency = models.CharField(max_length=3)
    # Plain integers: an upsert adding a negative delta is checked as a row before it merges.
    orders_count = models.IntegerField(default=0)
    total = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))

    class Meta:
        db_table = "crm_customer_spend"
        constraints = [models.UniqueConstraint(fields=["profile", "currency"], name="crm_spend_per_currency")]

    @property
    def average_order_value(self) -> Decimal | None:
        if not self.orders_count:
            return None
        return (self.total / self.orders_count).quantize(Decimal("0.01"))


class ProfileAffinity(models.Model):
    """Units bought per category and per product: the source of the favourites."""

    CATEGORY = "category"
    PRODUCT = "product"

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="affinities")
    kind = models.CharField(max_length=16, choices=[(CATEGORY, CATEGORY), (PRODUCT, PRODUCT)])
    ref_id = models.CharField(max_length=128)
    name = models.CharField(max_length=256, blank=True)
    quantity = models.IntegerField(default=0)

    class Meta:
        db_table = "crm_profile_affinity"
        constraints = [models.UniqueConstraint(fields=["profile", "kind", "ref_id"], name="crm_affinity_once")]
        indexes = [models.Index(fields=["profile", "kind", "-quantity"])]


class OrderSnapshot(models.Model):
    """The CRM's copy of a Saleor order, merged from every event about it in any order."""

    saleor_order_id = models.CharField(max_length=128, unique=True)
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="orders")
    number = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=32)
    charge_status = models.CharField(max_length=32, default="none")
    total = models.DecimalField(max_digits=20, decimal_places=3)
    shipping = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))
    total_charged = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))
    total_refunded = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))
    checkout_token = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    lines = models.JSONField(default=list, blank=True)
    attribution = models.JSONField(default=dict, blank=True)
    placed_at = models.DateTimeField()
    version = models.DateTimeField(help_text="Saleor's updated_at of the newest state merged in.")
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_order_snapshot"
        indexes = [models.Index(fields=["profile", "-placed_at"])]


class CheckoutSnapshot(models.Model):
    token = models.CharField(max_length=64, unique=True)
    profile = models.ForeignKey(
        CustomerProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="checkouts"
    )
    email = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))
    lines = models.JSONField(default=list, blank=True)
    quantity = models.PositiveIntegerField(default=0)
    attribution = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField()
    version = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_checkout_snapshot"
        indexes = [
            models.Index(
                fields=["version"],
                condition=Q(completed_at__isnull=True, abandoned_at__isnull=True),
                name="crm_checkout_open_idx",
            )
        ]


class CustomerTag(models.Model):
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=64)

    class Meta:
        db_table = "crm_customer_tag"
        constraints = [models.UniqueConstraint(fields=["profile", "name"], name="crm_tag_once")]
        indexes = [models.Index(fields=["name"])]


class CustomerNote(models.Model):
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crm_customer_note"
        ordering = ["-created_at", "-id"]


class TimelineEntry(models.Model):
    """One interaction on a profile's timeline; ``unique_key`` keeps replays from repeating it."""

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=512)
    data = models.JSONField(default=dict, blank=True)
    unique_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # When the CRM wrote it (the statement's time): automation reads new facts by it, not by id,
    # since ids are handed out before commit and concurrent transactions commit out of id order.
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "crm_timeline_entry"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["profile", "-occurred_at", "-id"]),
            models.Index(fields=["kind", "recorded_at"], name="crm_timeline_recorded"),
        ]
