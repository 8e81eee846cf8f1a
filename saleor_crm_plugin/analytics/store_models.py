"""Store analytics, precomputed: small tables a dashboard reads in a few indexed queries.

Scheduled refreshes (``rollups.refresh_store_analytics``) fold the order snapshots, the points
ledger, automation messages and tickets into per-day rows; an analytics query sums a range of them.
Distinct customers over any range can't be summed from daily counts, so a day also keeps the
profile IDs that bought (packed, one per order): a year of them is one indexed read.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models.functions import Now

# ``channel`` of a row that covers every channel of its currency.
ALL_CHANNELS = ""


class StoreDay(models.Model):
    """One UTC day of sales in one channel (or all of them) and currency."""

    day = models.DateField()
    channel = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3)
    orders = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))
    refunded_orders = models.IntegerField(default=0, help_text="Orders first refunded this day.")
    refunds = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))
    new_customers = models.IntegerField(default=0)
    repeat_orders = models.IntegerField(default=0, help_text="Orders whose customer had ordered before.")
    repeat_gap_seconds = models.BigIntegerField(default=0, help_text="Sum of the time since each one's previous order.")
    buyers = models.BinaryField(default=b"", help_text="Profile IDs, one per order (packed int64).")
    first_buyers = models.BinaryField(default=b"", help_text="Profile IDs whose first order was this day.")

    class Meta:
        db_table = "crm_analytics_store_day"
        constraints = [
            models.UniqueConstraint(fields=["channel", "currency", "day"], name="crm_analytics_store_day_once")
        ]


class CohortCell(models.Model):
    """Customers of one first-order month still buying ``months_since`` months later, and their revenue."""

    channel = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3)
    cohort = models.DateField(help_text="First day of the month of the customers' first order.")
    months_since = models.PositiveSmallIntegerField()
    customers = models.IntegerField()
    revenue = models.DecimalField(max_digits=20, decimal_places=3)

    class Meta:
        db_table = "crm_analytics_cohort"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "currency", "cohort", "months_since"], name="crm_analytics_cohort_once"
            )
        ]


class RfmGroupDay(models.Model):
    """Customers per RFM group as scored on a day: the groups' sizes over time."""

    day = models.DateField()
    group = models.CharField(max_length=32)
    customers = models.IntegerField()

    class Meta:
        db_table = "crm_analytics_rfm_day"
        constraints = [models.UniqueConstraint(fields=["day", "group"], name="crm_analytics_rfm_day_once")]


class PointsDay(models.Model):
    """The points ledger of one day, in the currency its members buy in."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    issued = models.IntegerField(default=0)
    redeemed = models.IntegerField(default=0)
    expired = models.IntegerField(default=0)
    reversed = models.IntegerField(default=0)

    class Meta:
        db_table = "crm_analytics_points_day"
        constraints = [models.UniqueConstraint(fields=["currency", "day"], name="crm_analytics_points_day_once")]


class LiabilitySnapshot(models.Model):
    """What the store owes in points on a day, per currency, and how much of it history says will lapse."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    taken_at = models.DateTimeField()
    members = models.IntegerField()
    outstanding_points = models.BigIntegerField()
    pending_points = models.BigIntegerField()
    value = models.DecimalField(max_digits=20, decimal_places=3)
    breakage_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True)

    class Meta:
        db_table = "crm_analytics_liability"
        constraints = [models.UniqueConstraint(fields=["day", "currency"], name="crm_analytics_liability_once")]


class FlowDay(models.Model):
    """One automation flow's messages sent (currency blank) or converted (per currency) on a day."""

    day = models.DateField()
    flow_id = models.BigIntegerField()
    channel = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    sent = models.IntegerField(default=0)
    conversions = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))

    class Meta:
        db_table = "crm_analytics_flow_day"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "flow_id", "channel", "currency"], name="crm_analytics_flow_day_once"
            )
        ]


class HelpdeskDay(models.Model):
    """Tickets of one day; each figure counts on the day its event happened (created, answered, solved, due)."""

    day = models.DateField(unique=True)
    created = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    first_responses = models.IntegerField(default=0)
    first_response_seconds = models.BigIntegerField(default=0)
    resolution_seconds = models.BigIntegerField(default=0)
    first_response_due = models.IntegerField(
        default=0, help_text="Tickets whose first-response due time passed or was met."
    )
    first_response_met = models.IntegerField(default=0)
    resolution_due = models.IntegerField(default=0)
    resolution_met = models.IntegerField(default=0)
    ratings = models.IntegerField(default=0)
    ratings_satisfied = models.IntegerField(default=0, help_text="Ratings of 4 or 5.")

    class Meta:
        db_table = "crm_analytics_helpdesk_day"


class DirtyProfile(models.Model):
    """A profile whose orders changed since the last refresh (written by ingest, insert-only)."""

    profile_id = models.BigIntegerField()
    marked_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "crm_analytics_dirty_profile"


class RefreshState(models.Model):
    """When the store analytics were last refreshed (one row)."""

    refreshed_at = models.DateTimeField()

    class Meta:
        db_table = "crm_analytics_refresh_state"
