"""The nightly refit of customer predictions, off the request path."""

from __future__ import annotations

from celery import shared_task

from ..ports import writer_access
from .predictions import RefitUnavailable, refit_predictions


@shared_task(name="saleor_crm_plugin.analytics.refit_predictions")
def refit_predictions_task() -> dict[str, str]:
    """Refit every currency; each currency's outcome (fitted, refused, failed), or nothing while another
    worker holds the refit (or on a SQLite sandbox)."""
    with writer_access():
        try:
            return {fit.currency: fit.status for fit in refit_predictions()}
        except RefitUnavailable:
            return {}
