"""Scheduled loyalty work (Celery beat, queue "crm"): release, expiry, tier re-evaluation, birthdays."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery import shared_task
from django.utils import timezone

from ..ports import writer_access
from ..settings import CRMSettings
from .actions import award_birthday_bonuses
from .earning import release_due_points
from .expiry import expire_points
from .program import current_program
from .tiers import reevaluate_tiers


def store_date(now: datetime, settings: CRMSettings) -> date:
    """Today where the store is (its automation time zone), not in UTC: a birthday starts at local midnight."""
    try:
        zone = ZoneInfo(settings.automation_time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


@shared_task(name="saleor_crm_plugin.loyalty.release_points")
def release_points_task() -> int:
    with writer_access():
        return release_due_points(current_program(), timezone.now())


@shared_task(name="saleor_crm_plugin.loyalty.daily")
def loyalty_daily_task() -> dict:
    """Once a day: expire points, refresh expiring-soon flags, re-evaluate tiers, birthday bonuses."""
    now, program = timezone.now(), current_program()
    with writer_access():
        award_birthday_bonuses(program, store_date(now, program.settings), now)
        return {
            "expired": expire_points(program, now),
            "tiers_changed": reevaluate_tiers(program, now),
        }
