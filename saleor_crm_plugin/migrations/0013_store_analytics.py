"""Store analytics precomputed by scheduled tasks."""

from decimal import Decimal

import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("saleor_crm_plugin", "0012_customer_predictions")]

    operations = [
        migrations.CreateModel(
            name="DirtyProfile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("profile_id", models.BigIntegerField()),
                ("marked_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={
                "db_table": "crm_analytics_dirty_profile",
            },
        ),
        migrations.CreateModel(
            name="HelpdeskDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(unique=True)),
                ("created", models.IntegerField(default=0)),
                ("solved", models.IntegerField(default=0)),
                ("first_responses", models.IntegerField(default=0)),
                ("first_response_seconds", models.BigIntegerField(default=0)),
                ("resolution_seconds", models.BigIntegerField(default=0)),
                (
                    "first_response_due",
                    models.IntegerField(
                        default=0, help_text="Tickets whose first-response due time passed or was met."
                    ),
                ),
                ("first_response_met", models.IntegerField(default=0)),
                ("resolution_due", models.IntegerField(default=0)),
                ("resolution_met", models.IntegerField(default=0)),
                ("ratings", models.IntegerField(default=0)),
                ("ratings_satisfied", models.IntegerField(default=0, help_text="Ratings of 4 or 5.")),
            ],
            options={
                "db_table": "crm_analytics_helpdesk_day",
            },
        ),
        migrations.CreateModel(
            name="RefreshState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("refreshed_at", models.DateTimeField()),
            ],
            options={
                "db_table": "crm_analytics_refresh_state",
            },
        ),
        migrations.CreateModel(
            name="CohortCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("channel", models.CharField(blank=True, max_length=255)),
                ("currency", models.CharField(max_length=3)),
                ("cohort", models.DateField(help_text="First day of the month of the customers' first order.")),
                ("months_since", models.PositiveSmallIntegerField()),
                ("customers", models.IntegerField()),
                ("revenue", models.DecimalField(decimal_places=3, max_digits=20)),
            ],
            options={
                "db_table": "crm_analytics_cohort",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("channel", "currency", "cohort", "months_since"), name="crm_analytics_cohort_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="FlowDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("flow_id", models.BigIntegerField()),
                ("channel", models.CharField(blank=True, max_length=255)),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("sent", models.IntegerField(default=0)),
                ("conversions", models.IntegerField(default=0)),
                ("revenue", models.DecimalField(decimal_places=3, default=Decimal("0"), max_digits=20)),
            ],
            options={
                "db_table": "crm_analytics_flow_day",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "flow_id", "channel", "currency"), name="crm_analytics_flow_day_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="LiabilitySnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("currency", models.CharField(max_length=3)),
                ("taken_at", models.DateTimeField()),
                ("members", models.IntegerField()),
                ("outstanding_points", models.BigIntegerField()),
                ("pending_points", models.BigIntegerField()),
                ("value", models.DecimalField(decimal_places=3, max_digits=20)),
                ("breakage_rate", models.DecimalField(decimal_places=4, max_digits=7, null=True)),
            ],
            options={
                "db_table": "crm_analytics_liability",
                "constraints": [
                    models.UniqueConstraint(fields=("day", "currency"), name="crm_analytics_liability_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="PointsDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("currency", models.CharField(max_length=3)),
                ("issued", models.IntegerField(default=0)),
                ("redeemed", models.IntegerField(default=0)),
                ("expired", models.IntegerField(default=0)),
                ("reversed", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "crm_analytics_points_day",
                "constraints": [
                    models.UniqueConstraint(fields=("currency", "day"), name="crm_analytics_points_day_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="RfmGroupDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("group", models.CharField(max_length=32)),
                ("customers", models.IntegerField()),
            ],
            options={
                "db_table": "crm_analytics_rfm_day",
                "constraints": [models.UniqueConstraint(fields=("day", "group"), name="crm_analytics_rfm_day_once")],
            },
        ),
        migrations.CreateModel(
            name="StoreDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("channel", models.CharField(blank=True, max_length=255)),
                ("currency", models.CharField(max_length=3)),
                ("orders", models.IntegerField(default=0)),
                ("revenue", models.DecimalField(decimal_places=3, default=Decimal("0"), max_digits=20)),
                ("refunded_orders", models.IntegerField(default=0, help_text="Orders first refunded this day.")),
                ("refunds", models.DecimalField(decimal_places=3, default=Decimal("0"), max_digits=20)),
                ("new_customers", models.IntegerField(default=0)),
                (
                    "repeat_orders",
                    models.IntegerField(default=0, help_text="Orders whose customer had ordered before."),
                ),
                (
                    "repeat_gap_seconds",
                    models.BigIntegerField(default=0, help_text="Sum of the time since each one's previous order."),
                ),
                ("buyers", models.BinaryField(default=b"", help_text="Profile IDs, one per order (packed int64).")),
                (
                    "first_buyers",
                    models.BinaryField(default=b"", help_text="Profile IDs whose first order was this day."),
                ),
            ],
            options={
                "db_table": "crm_analytics_store_day",
                "constraints": [
                    models.UniqueConstraint(fields=("channel", "currency", "day"), name="crm_analytics_store_day_once")
                ],
            },
        ),
        # The daily sales refresh reads orders by the day they were placed or refunded. The snapshots
        # belong to profiles, whose model doesn't need these indexes; analytics' migration owns them.
        migrations.RunSQL(
            "CREATE INDEX crm_order_placed_at_idx ON crm_order_snapshot (placed_at)",
            "DROP INDEX crm_order_placed_at_idx",
        ),
        migrations.RunSQL(
            "CREATE INDEX crm_order_refunded_at_idx ON crm_order_snapshot (refunded_at) WHERE refunded_at IS NOT NULL",
            "DROP INDEX crm_order_refunded_at_idx",
        ),
    ]
