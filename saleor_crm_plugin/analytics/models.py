"""Customer predictions and the fits they came from.

A fit is kept for every refit of every currency, refused ones too, so staff can see when and on what
data the numbers were computed, or why there are none. Predictions are derived data, replaced by each
successful refit of their currency; a refused refit removes them (no number where the data can't
support one).
"""

from __future__ import annotations

from django.db import models

from ..profiles.models import CustomerProfile


class FitStatus(models.TextChoices):
    FITTED = "fitted"
    REFUSED = "refused"  # not enough data: see reason
    FAILED = "failed"  # the optimiser found no usable parameters


class ChurnRiskBand(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PredictionFit(models.Model):
    currency = models.CharField(max_length=3)
    fitted_at = models.DateTimeField(help_text="When the refit ran.")
    as_of = models.DateTimeField(help_text="End of the order history used: ages are measured up to it.")
    status = models.CharField(max_length=8, choices=FitStatus.choices)
    reason_code = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=512, blank=True)
    model = models.CharField(max_length=16, help_text="The purchase-count model, e.g. mbg_nbd.")
    parameters = models.JSONField(default=dict, help_text="Purchase model and Gamma-Gamma parameters.")
    customers = models.PositiveIntegerField(help_text="Customers with an order in the currency.")
    repeat_buyers = models.PositiveIntegerField()
    orders = models.PositiveIntegerField(help_text="Order days: same-day orders count once.")
    history_days = models.PositiveIntegerField(help_text="From the first order to as_of.")
    log_likelihood = models.FloatField(null=True, blank=True)
    converged = models.BooleanField(default=False)
    calibration_error = models.FloatField(
        null=True, blank=True, help_text="Mean relative error of expected vs actual repeat orders over age deciles."
    )
    horizon_months = models.PositiveSmallIntegerField()
    scored_customers = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, help_text="Seconds per step: statistics, fit, scoring, write.")

    class Meta:
        db_table = "crm_prediction_fit"
        indexes = [models.Index(fields=["currency", "-fitted_at"], name="crm_prediction_fit_latest")]


class CustomerPrediction(models.Model):
    """One customer's outlook in one currency, from their currency's latest successful fit."""

    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="predictions", db_index=False
    )  # the unique (profile, currency) index serves lookups by profile
    currency = models.CharField(max_length=3)
    fit = models.ForeignKey(PredictionFit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    order_days = models.PositiveIntegerField()
    historic_clv = models.DecimalField(max_digits=20, decimal_places=3, help_text="Net spend so far.")
    predicted_orders = models.DecimalField(max_digits=12, decimal_places=4, help_text="Over the horizon.")
    predicted_spend = models.DecimalField(max_digits=20, decimal_places=3, help_text="Over the horizon.")
    predicted_clv = models.DecimalField(max_digits=20, decimal_places=3, help_text="Historic plus predicted.")
    p_active = models.DecimalField(max_digits=7, decimal_places=6)
    churn_risk = models.DecimalField(max_digits=7, decimal_places=6, help_text="1 - p_active.")
    churn_risk_band = models.CharField(max_length=8, choices=ChurnRiskBand.choices)
    expected_next_order_at = models.DateTimeField(null=True, blank=True)
    average_days_between_orders = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "crm_customer_prediction"
        constraints = [
            models.UniqueConstraint(fields=["profile", "currency"], name="crm_prediction_per_currency"),
        ]
        # Customer lists sorted by predicted CLV or churn risk walk these (sort key, profile) indexes.
        indexes = [
            models.Index(fields=["currency", "predicted_clv", "profile"], name="crm_prediction_by_clv"),
            models.Index(fields=["currency", "churn_risk", "profile"], name="crm_prediction_by_churn"),
        ]
