"""The scheduled refresh of the store analytics tables (Celery beat, queue "crm")."""

from __future__ import annotations

from celery import shared_task

from ..ports import writer_access
from .rollups import refresh_store_analytics


@shared_task(name="saleor_crm_plugin.analytics.refresh_store")
def refresh_store_analytics_task() -> str:
    """Incremental: only the days whose orders changed since the last run are recomputed."""
    with writer_access():
        summary = refresh_store_analytics()
    return str(summary) if summary else "skipped: another refresh is running"
