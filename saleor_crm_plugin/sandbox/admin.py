"""Read-only admin pages over the CRM tables: the developer's window on the sandbox's data.

Nothing is added, changed or deleted here (not even through the bulk "delete selected" action):
every change of state goes through the CRM's actions, from the API or the dashboard pages.
"""

from django.contrib import admin

from ..loyalty.models import LoyaltyAccount, Reward
from ..profiles.models import CheckoutSnapshot, CustomerProfile, OrderSnapshot, TimelineEntry
from ..receipts import DeadLetter


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class SpendInline(admin.TabularInline):
    model = CustomerProfile.spend.rel.related_model
    fields = ("currency", "orders_count", "total")
    readonly_fields = fields
    extra = 0
    can_delete = False


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    fields = ("occurred_at", "kind", "summary")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-occurred_at", "-id")
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-occurred_at", "-id")


@admin.register(CustomerProfile)
class ProfileAdmin(ReadOnly):
    list_display = ("email", "first_name", "last_name", "orders_count", "last_order_at", "channels", "saleor_user_id")
    list_filter = ("marketing_consent", "anonymised_at")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("-last_order_at",)
    inlines = [SpendInline, TimelineInline]


@admin.register(OrderSnapshot)
class OrderAdmin(ReadOnly):
    list_display = (
        "number",
        "email",
        "channel",
        "status",
        "charge_status",
        "total",
        "currency",
        "total_refunded",
        "placed_at",
    )
    list_filter = ("status", "channel", "currency")
    search_fields = ("number", "email")


@admin.register(CheckoutSnapshot)
class CheckoutAdmin(ReadOnly):
    list_display = (
        "token",
        "email",
        "channel",
        "total",
        "currency",
        "quantity",
        "version",
        "completed_at",
        "abandoned_at",
    )
    list_filter = ("channel",)


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnly):
    list_display = ("key", "kind", "attempts", "created_at", "replayed_at")


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(ReadOnly):
    list_display = ("profile", "available", "pending", "lifetime", "debt", "tier", "expiring_points")
    list_filter = ("tier",)


@admin.register(Reward)
class RewardAdmin(ReadOnly):
    """The demo's reward catalogue (staff change it with the loyaltyRewardSave mutation, as in Saleor)."""

    list_display = ("name", "points_cost", "value", "currency", "channel", "is_active")
