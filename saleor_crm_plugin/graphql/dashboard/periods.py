"""Periods of the dashboard's charts: a day, week or month in UTC, truncated in SQL and listed in Python.

A chart's window is bounded (``MAX_PERIODS``) so a far ``since`` can't ask for a million buckets.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import graphene
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from graphql.error import GraphQLError

MAX_PERIODS = 400
DEFAULT_PERIODS = 12
TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


class CrmStatsPeriod(graphene.Enum):
    # Arguments of this type default in the resolver, not with ``default_value``: graphql-core 2 prints
    # an enum default by its value (``= week``), which is not valid SDL and a federation composer rejects.
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    class Meta:
        description = "How a chart groups time (UTC; weeks start on Monday)."


def truncate(period: str, field: str):
    return TRUNCATE[period](field, tzinfo=UTC)


def _start_of(period: str, moment: datetime) -> datetime:
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _next(period: str, start: datetime) -> datetime:
    if period == "month":
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=7 if period == "week" else 1)


def period_window(period: str, since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """``[since, until)`` with ``since`` at a period's start; the defaults are the last 12 periods."""
    until = until or timezone.now()
    if since is None:
        since = _start_of(period, until)
        for _ in range(DEFAULT_PERIODS - 1):
            since = _start_of(period, since - timedelta(days=1))
    since = _start_of(period, since)
    if since >= until:
        raise GraphQLError("'since' must be before 'until'.")
    if len(bucket_starts(period, since, until, limit=MAX_PERIODS + 1)) > MAX_PERIODS:
        raise GraphQLError(f"A chart shows at most {MAX_PERIODS} periods: choose a later 'since' or a longer period.")
    return since, until


def bucket_starts(period: str, since: datetime, until: datetime, limit: int = MAX_PERIODS) -> list[datetime]:
    starts, start = [], _start_of(period, since)
    while start < until and len(starts) < limit:
        starts.append(start)
        start = _next(period, start)
    return starts
