"""Refresh the store analytics tables: what beat runs every few minutes and ``crm_analytics_refresh`` on demand.

Daily sales are incremental (only the days of profiles ingest marked); cohorts, the points ledger
per day, the liability, automation and helpdesk days are each one grouped pass that rewrites a
small table. Heavy reads go to the read replica when the store has one (``replica``); marks newer
than the replica's lag allowance wait for the next run, so a lagging replica can't hide a change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ..locks import single_flight
from ..segments.models import CustomerRfm
from . import cohorts, engagement, liability, sales
from .replica import analytics_database, reads_a_replica
from .store_models import DirtyProfile, RefreshState, RfmGroupDay, StoreDay

# How long a replica may lag: marks younger than this are left for the next run.
REPLICA_LAG = timedelta(minutes=1)
# Beyond this many changed profiles, one pass over every order beats looking up their days.
FULL_PASS_PROFILES = 20_000


@dataclasses.dataclass
class RefreshSummary:
    full: bool
    days: int = 0
    cohort_cells: int = 0
    points_days: int = 0
    liabilities: int = 0
    flow_days: int = 0
    helpdesk_days: int = 0
    rfm_groups: int = 0

    def __str__(self) -> str:
        scope = "all days" if self.full else f"{self.days} changed day(s)"
        return (
            f"Store analytics refreshed ({scope}): {self.cohort_cells} cohort cells, {self.points_days} ledger days, "
            f"{self.liabilities} liability rows, {self.flow_days} flow days, {self.helpdesk_days} helpdesk days, "
            f"{self.rfm_groups} RFM groups."
        )


Progress = Callable[[str], None]
# What a refresh does, in order; ``progress`` is told each step as it ends.
STEPS = ("sales", "cohorts", "loyalty", "automation", "helpdesk", "rfm")


def refresh_store_analytics(
    now: datetime | None = None, full: bool = False, progress: Progress | None = None
) -> RefreshSummary | None:
    """Bring every analytics table up to date; None when another refresh is running."""
    now = now or timezone.now()
    with single_flight("analytics-refresh") as held:
        if not held:
            return None
        return _refresh(now, full, progress or (lambda step: None))


def _refresh(now: datetime, full: bool, progress: Progress) -> RefreshSummary:
    database = analytics_database()
    summary = RefreshSummary(full=full)
    summary.full, summary.days = refresh_sales(database, now, full)
    progress("sales")
    summary.cohort_cells = cohorts.rebuild_cohorts(database)
    progress("cohorts")
    fallback = liability.fallback_currency()
    summary.points_days = liability.rebuild_points_days(database, fallback)
    summary.liabilities = liability.snapshot_liability(database, fallback, now)
    progress("loyalty")
    summary.flow_days = engagement.rebuild_flow_days(database)
    progress("automation")
    summary.helpdesk_days = engagement.rebuild_helpdesk_days(database)
    progress("helpdesk")
    summary.rfm_groups = snapshot_rfm_groups(database, now)
    progress("rfm")
    RefreshState.objects.update_or_create(pk=1, defaults={"refreshed_at": now})
    return summary


def refresh_sales(database: str, now: datetime, full: bool = False) -> tuple[bool, int]:
    """Recompute the changed days (every day when ``full``); ``(full, days written)``."""
    settled = DirtyProfile.objects.all()
    if reads_a_replica():
        settled = settled.filter(marked_at__lt=now - REPLICA_LAG)
    marks = list(settled.values_list("pk", "profile_id"))
    profile_ids = sorted({profile_id for _, profile_id in marks})
    days = None
    if not full and len(profile_ids) <= FULL_PASS_PROFILES:
        days = sales.days_of_profiles(database, profile_ids)
        if len(sales.day_ranges(days)) > sales.MAX_RANGES:
            days = None
    rows = sales.compute_days(database, days)
    with transaction.atomic():
        stale = StoreDay.objects.all() if days is None else StoreDay.objects.filter(day__in=days)
        stale.delete()
        StoreDay.objects.bulk_create(rows, batch_size=1000)
        mark_ids = [pk for pk, _ in marks]
        for start in range(0, len(mark_ids), sales.FETCH):
            DirtyProfile.objects.filter(pk__in=mark_ids[start : start + sales.FETCH]).delete()
    return days is None, len({row.day for row in rows})


def snapshot_rfm_groups(database: str, now: datetime) -> int:
    """Today's customers per RFM group (rewritten until the day ends): the groups over time."""
    counts = CustomerRfm.objects.using(database).values_list("group").annotate(n=Count("pk")).order_by()
    today = now.date()
    with transaction.atomic():
        RfmGroupDay.objects.filter(day=today).delete()
        RfmGroupDay.objects.bulk_create(RfmGroupDay(day=today, group=group, customers=n) for group, n in counts)
    return len(counts)
