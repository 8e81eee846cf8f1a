"""Refit the customer predictions: the one action the schedule, the API and the command call.

Per currency: the statistics statement, an eligibility check (too little data gives a refused fit
with its reason, never a number), the purchase and spend fits on arrays, scoring, and the write-back,
recorded as a ``PredictionFit`` whatever the outcome. A currency's predictions are replaced in one
transaction, so readers see the previous fit's numbers until the new ones commit.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ..locks import single_flight
from ..settings import CRMSettings, get_settings
from . import predictions_purchases as purchases
from . import predictions_spend as spend
from .error_codes import CrmAnalyticsErrorCode
from .models import CustomerPrediction, FitStatus, PredictionFit
from .predictions_scoring import Scores, score, write_predictions
from .predictions_statistics import CustomerStatistics, customer_statistics

logger = logging.getLogger(__name__)
SPEND_MODEL = "gamma_gamma"
CALIBRATION_GROUPS = 10


class RefitUnavailable(Exception):
    """No refit now: another worker is refitting (``RefitBusy``), or the database isn't PostgreSQL."""


class RefitBusy(RefitUnavailable):
    """Another worker is refitting right now; its fits will be there in a moment."""


@dataclasses.dataclass(frozen=True)
class Refusal:
    code: CrmAnalyticsErrorCode
    reason: str


def refit_predictions(currency: str | None = None, now: datetime | None = None) -> list[PredictionFit]:
    """Refit one currency (or every currency with orders) on the order history up to ``now``."""
    if connection.vendor != "postgresql":  # the statistics statement is PostgreSQL's (a sandbox on SQLite)
        raise RefitUnavailable("Customer predictions need PostgreSQL.")
    with single_flight("analytics-predictions-refit") as held:
        if not held:
            raise RefitBusy("Predictions are being refitted by another worker.")
        as_of = now or timezone.now()
        started = time.monotonic()
        by_currency = customer_statistics(as_of, currency.upper() if currency else None)
        statistics_seconds = round(time.monotonic() - started, 3)  # one statement for every currency
        if currency and currency.upper() not in by_currency:
            by_currency[currency.upper()] = None
        return [
            _refit_currency(code, stats, as_of, {"statistics": statistics_seconds})
            for code, stats in sorted(by_currency.items())
        ]


def refusal_of(stats: CustomerStatistics | None, settings: CRMSettings) -> Refusal | None:
    """Why a currency's data can't support predictions, or None when it can."""
    customers = len(stats) if stats is not None else 0
    if customers < settings.predictions_min_customers:
        return Refusal(
            CrmAnalyticsErrorCode.TOO_FEW_CUSTOMERS,
            f"{customers} customers ordered in this currency; predictions need at least "
            f"{settings.predictions_min_customers}.",
        )
    if stats.history_days < settings.predictions_min_history_days:
        return Refusal(
            CrmAnalyticsErrorCode.TOO_SHORT_HISTORY,
            f"The order history spans {stats.history_days} days; predictions need at least "
            f"{settings.predictions_min_history_days}.",
        )
    if stats.repeat_buyers < settings.predictions_min_repeat_buyers:
        return Refusal(
            CrmAnalyticsErrorCode.TOO_FEW_REPEAT_BUYERS,
            f"{stats.repeat_buyers} customers ordered again on another day; predictions need at least "
            f"{settings.predictions_min_repeat_buyers}.",
        )
    return None


def calibration_error(fit: purchases.PurchaseFit, stats: CustomerStatistics) -> float | None:
    """Mean relative error of expected vs actual repeat order days, by customer-age decile (in-sample)."""
    order = np.argsort(stats.age, kind="stable")
    errors = []
    for group in np.array_split(order, CALIBRATION_GROUPS):
        actual = stats.x[group].sum()
        if actual > 0:
            expected = purchases.expected_repeats_up_to(fit, stats.age[group]).sum()
            errors.append(abs(expected - actual) / actual)
    return float(np.mean(errors)) if errors else None


def _refit_currency(
    currency: str, stats: CustomerStatistics | None, as_of: datetime, timings: dict[str, float]
) -> PredictionFit:
    settings = get_settings()
    model = purchases.PurchaseModel(settings.predictions_model)
    fit = PredictionFit(
        currency=currency,
        fitted_at=timezone.now(),
        as_of=as_of,
        status=FitStatus.FITTED,
        model=model.value,
        customers=len(stats) if stats is not None else 0,
        repeat_buyers=stats.repeat_buyers if stats is not None else 0,
        orders=stats.order_days if stats is not None else 0,
        history_days=stats.history_days if stats is not None else 0,
        horizon_months=settings.predictions_horizon_months,
        timings=timings,
    )
    outcome = refusal_of(stats, settings) or _fit_and_score(fit, stats, model, settings)
    if isinstance(outcome, Refusal):
        refusal = outcome
        failed = refusal.code is CrmAnalyticsErrorCode.FIT_FAILED
        fit.status = FitStatus.FAILED if failed else FitStatus.REFUSED
        fit.reason_code, fit.reason = refusal.code, refusal.reason
        with transaction.atomic():
            fit.save()
            CustomerPrediction.objects.filter(currency=currency).delete()
        logger.info("CRM predictions for %s not refitted: %s", currency, refusal.reason)
        return fit
    with transaction.atomic(), _timed(fit, "write"):
        fit.save()
        CustomerPrediction.objects.filter(currency=currency).delete()
        bands = (settings.predictions_churn_medium_percent / 100, settings.predictions_churn_high_percent / 100)
        fit.scored_customers = write_predictions(fit.pk, stats, outcome, as_of, bands)
    fit.save(update_fields=["scored_customers", "timings"])
    return fit


def _fit_and_score(fit: PredictionFit, stats: CustomerStatistics, model, settings: CRMSettings) -> Refusal | Scores:
    """Fit both models (recorded on ``fit``) and score every customer; a Refusal when no usable fit was found."""
    with _timed(fit, "fit"):
        purchase_fit = purchases.fit(model, stats.x, stats.t_x, stats.age)
        spend_fit = spend.fit(stats.x, stats.repeat_mean)
    fit.parameters = {**purchase_fit.params, **spend_fit.params}
    fit.log_likelihood = purchase_fit.log_likelihood
    fit.converged = purchase_fit.converged and spend_fit.converged
    if not purchase_fit.converged:
        return Refusal(CrmAnalyticsErrorCode.FIT_FAILED, f"The {model.value} purchase model did not converge.")
    if not spend_fit.usable:
        return Refusal(
            CrmAnalyticsErrorCode.FIT_FAILED, "The Gamma-Gamma spend model found no finite average order value."
        )
    with _timed(fit, "scoring"):
        scores = score(purchase_fit, spend_fit, stats, settings.predictions_horizon_months)
    if not scores.finite:
        return Refusal(CrmAnalyticsErrorCode.FIT_FAILED, "The fitted parameters give non-finite predictions.")
    fit.calibration_error = calibration_error(purchase_fit, stats)
    return scores


@contextmanager
def _timed(fit: PredictionFit, step: str) -> Iterator[None]:
    """Seconds of a step, kept on the fit so staff see where a refit's time goes."""
    started = time.monotonic()
    try:
        yield
    finally:
        fit.timings[step] = round(time.monotonic() - started, 3)
