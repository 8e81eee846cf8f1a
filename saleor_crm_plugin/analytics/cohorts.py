"""Monthly cohorts: customers by the month of their first order, and who of them buys in each later month.

One grouped statement over the order snapshots rebuilds the whole (small) table: a changed first
order can move a customer to another cohort, so cohorts are recomputed, not patched. Kept per
channel and for all channels of a currency, like the daily sales.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connections, transaction

from ..profiles.aggregates import UNCOUNTED_STATUSES
from .sales import COUNTED, ORDERS
from .store_models import ALL_CHANNELS, CohortCell

# Months since year 0 of a timestamp, in UTC: cohorts subtract them.
MONTH_INDEX = {
    "postgresql": "CAST(EXTRACT(YEAR FROM {0} AT TIME ZONE 'UTC') * 12 + EXTRACT(MONTH FROM {0} AT TIME ZONE 'UTC') - 1"
    " AS INTEGER)",
    "sqlite": "(CAST(strftime('%%Y', {0}) AS INTEGER) * 12 + CAST(strftime('%%m', {0}) AS INTEGER) - 1)",
}


def _cells_sql(vendor: str) -> str:
    month = MONTH_INDEX[vendor].format("o.placed_at")
    return f"""
WITH counted AS (
    SELECT o.profile_id, o.channel, o.currency, {month} AS m, o.total FROM {ORDERS} o WHERE {COUNTED}
), scoped AS (
    SELECT profile_id, channel, currency, m, total FROM counted WHERE channel <> %s
    UNION ALL SELECT profile_id, %s AS channel, currency, m, total FROM counted
), firsts AS (
    SELECT profile_id, channel, currency, MIN(m) AS cohort FROM scoped GROUP BY profile_id, channel, currency
)
SELECT s.channel, s.currency, f.cohort, s.m - f.cohort, COUNT(DISTINCT s.profile_id), SUM(s.total)
FROM scoped s JOIN firsts f ON f.profile_id = s.profile_id AND f.channel = s.channel AND f.currency = s.currency
GROUP BY s.channel, s.currency, f.cohort, s.m - f.cohort
"""


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def rebuild_cohorts(database: str) -> int:
    """Replace every cohort cell with what the snapshots (read from ``database``) say; cells written."""
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(_cells_sql(connection.vendor), [*UNCOUNTED_STATUSES, ALL_CHANNELS, ALL_CHANNELS])
        cells = [
            CohortCell(
                channel=channel,
                currency=currency,
                cohort=month_start(cohort),
                months_since=months,
                customers=customers,
                revenue=Decimal(str(revenue)),
            )
            for channel, currency, cohort, months, customers, revenue in cursor.fetchall()
        ]
    with transaction.atomic():
        CohortCell.objects.all().delete()
        CohortCell.objects.bulk_create(cells, batch_size=2000)
    return len(cells)
