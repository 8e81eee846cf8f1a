"""Customer predictions and the fits behind them (analytics)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("saleor_crm_plugin", "0011_consent_actor")]

    operations = [
        migrations.CreateModel(
            name="PredictionFit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("currency", models.CharField(max_length=3)),
                ("fitted_at", models.DateTimeField(help_text="When the refit ran.")),
                ("as_of", models.DateTimeField(help_text="End of the order history used: ages are measured up to it.")),
                (
                    "status",
                    models.CharField(
                        choices=[("fitted", "Fitted"), ("refused", "Refused"), ("failed", "Failed")], max_length=8
                    ),
                ),
                ("reason_code", models.CharField(blank=True, max_length=32)),
                ("reason", models.CharField(blank=True, max_length=512)),
                ("model", models.CharField(help_text="The purchase-count model, e.g. mbg_nbd.", max_length=16)),
                ("parameters", models.JSONField(default=dict, help_text="Purchase model and Gamma-Gamma parameters.")),
                ("customers", models.PositiveIntegerField(help_text="Customers with an order in the currency.")),
                ("repeat_buyers", models.PositiveIntegerField()),
                ("orders", models.PositiveIntegerField(help_text="Order days: same-day orders count once.")),
                ("history_days", models.PositiveIntegerField(help_text="From the first order to as_of.")),
                ("log_likelihood", models.FloatField(blank=True, null=True)),
                ("converged", models.BooleanField(default=False)),
                (
                    "calibration_error",
                    models.FloatField(
                        blank=True,
                        help_text="Mean relative error of expected vs actual repeat orders over age deciles.",
                        null=True,
                    ),
                ),
                ("horizon_months", models.PositiveSmallIntegerField()),
                ("scored_customers", models.PositiveIntegerField(default=0)),
                (
                    "timings",
                    models.JSONField(default=dict, help_text="Seconds per step: statistics, fit, scoring, write."),
                ),
            ],
            options={
                "db_table": "crm_prediction_fit",
                "indexes": [models.Index(fields=["currency", "-fitted_at"], name="crm_prediction_fit_latest")],
            },
        ),
        migrations.CreateModel(
            name="CustomerPrediction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("currency", models.CharField(max_length=3)),
                ("order_days", models.PositiveIntegerField()),
                ("historic_clv", models.DecimalField(decimal_places=3, help_text="Net spend so far.", max_digits=20)),
                (
                    "predicted_orders",
                    models.DecimalField(decimal_places=4, help_text="Over the horizon.", max_digits=12),
                ),
                (
                    "predicted_spend",
                    models.DecimalField(decimal_places=3, help_text="Over the horizon.", max_digits=20),
                ),
                (
                    "predicted_clv",
                    models.DecimalField(decimal_places=3, help_text="Historic plus predicted.", max_digits=20),
                ),
                ("p_active", models.DecimalField(decimal_places=6, max_digits=7)),
                ("churn_risk", models.DecimalField(decimal_places=6, help_text="1 - p_active.", max_digits=7)),
                (
                    "churn_risk_band",
                    models.CharField(choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")], max_length=8),
                ),
                ("expected_next_order_at", models.DateTimeField(blank=True, null=True)),
                (
                    "average_days_between_orders",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True),
                ),
                (
                    "profile",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="predictions",
                        to="saleor_crm_plugin.customerprofile",
                    ),
                ),
                (
                    "fit",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="saleor_crm_plugin.predictionfit",
                    ),
                ),
            ],
            options={
                "db_table": "crm_customer_prediction",
                "indexes": [
                    models.Index(fields=["currency", "predicted_clv", "profile"], name="crm_prediction_by_clv"),
                    models.Index(fields=["currency", "churn_risk", "profile"], name="crm_prediction_by_churn"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("profile", "currency"), name="crm_prediction_per_currency")
                ],
            },
        ),
    ]
