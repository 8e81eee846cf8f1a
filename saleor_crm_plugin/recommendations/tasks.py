"""Recommendation tasks: the nightly rebuild, off the request path."""

from __future__ import annotations

from celery import shared_task

from ..ports import writer_access
from .compute import rebuild


@shared_task(name="saleor_crm_plugin.recommendations.rebuild")
def rebuild_recommendations_task() -> int:
    """Rebuild scores and every buyer's top N; the number of customers with recommendations."""
    with writer_access():
        return rebuild().customers
