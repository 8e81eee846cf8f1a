"""Per-customer sufficient statistics of the prediction models, in one SQL statement.

Orders placed on the same (UTC) day count as one purchase, the CDNOW convention the models were
built on: a shopper splitting a basket in two is not a more frequent buyer. Per customer and currency:

- ``x``: repeat order days (order days - 1);  ``t_x``: days from the first order day to the last;
- ``age`` (the models' T): days from the first order day to the end of the data (``as_of``);
- ``repeat_mean``: mean net value of the repeat order days (Gamma-Gamma's input);
- ``spent``: net spend of all orders, exact (the historic CLV).

The statement reads any row source with (customer, currency, placed_at, value): the CRM's counted
order snapshots in production, a temporary table of CDNOW orders in the evaluation, so both compute
the statistics the same way. PostgreSQL only, like the other analytics statements.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import numpy as np
from django.db import connection

from ..profiles.aggregates import UNCOUNTED_STATUSES

# Sales: the orders the profile counters count, at their value net of refunds.
COUNTED_ORDERS_SOURCE = (
    "SELECT profile_id AS customer, currency, placed_at, total - total_refunded AS value FROM crm_order_snapshot "
    f"WHERE status NOT IN ({', '.join(repr(status) for status in UNCOUNTED_STATUSES)}) AND cancelled_at IS NULL"
)

STATISTICS_SQL = """
WITH order_days AS (
    SELECT customer, currency, (placed_at AT TIME ZONE 'UTC')::date AS day, SUM(value) AS value
    FROM ({source}) AS orders
    WHERE placed_at < %(as_of)s AND (%(currency)s::text IS NULL OR currency = %(currency)s::text)
    GROUP BY 1, 2, 3
), dated AS (
    SELECT *, MIN(day) OVER (PARTITION BY customer, currency) AS first_day FROM order_days
)
SELECT currency, customer,
       COUNT(*) - 1 AS x,
       MAX(day) - first_day AS t_x,
       (%(as_of)s AT TIME ZONE 'UTC')::date - first_day AS age,
       COALESCE(AVG(value) FILTER (WHERE day > first_day), 0)::float8 AS repeat_mean,
       SUM(value) AS spent
FROM dated
GROUP BY currency, customer, first_day
ORDER BY currency, customer
"""


@dataclasses.dataclass(frozen=True)
class CustomerStatistics:
    """The statistics of one currency's customers, as parallel arrays (``spent`` holds exact Decimals)."""

    currency: str
    customer: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    age: np.ndarray
    repeat_mean: np.ndarray
    spent: np.ndarray  # dtype object: Decimal

    def __len__(self) -> int:
        return len(self.customer)

    @property
    def repeat_buyers(self) -> int:
        return int((self.x > 0).sum())

    @property
    def order_days(self) -> int:
        return int(self.x.sum()) + len(self)

    @property
    def history_days(self) -> int:
        return int(self.age.max()) if len(self) else 0

    def sums(self) -> tuple[int, int, int, int, Decimal]:
        """Customers, repeat order days, summed t_x and age, and spend: what a check compares."""
        return len(self), int(self.x.sum()), int(self.t_x.sum()), int(self.age.sum()), sum(self.spent, Decimal(0))


def customer_statistics(
    as_of: datetime, currency: str | None = None, source: str = COUNTED_ORDERS_SOURCE, params: dict | None = None
) -> dict[str, CustomerStatistics]:
    """Statistics of the orders placed before ``as_of`` (one currency, or each), by currency."""
    with connection.cursor() as cursor:
        cursor.execute(STATISTICS_SQL.format(source=source), {**(params or {}), "as_of": as_of, "currency": currency})
        rows = cursor.fetchall()
    by_currency: dict[str, list[tuple]] = {}
    for row in rows:
        by_currency.setdefault(row[0], []).append(row[1:])
    return {code: _arrays(code, currency_rows) for code, currency_rows in by_currency.items()}


def _arrays(currency: str, rows: list[tuple]) -> CustomerStatistics:
    customer, x, t_x, age, repeat_mean, spent = zip(*rows, strict=True)
    spent_array = np.empty(len(spent), dtype=object)
    spent_array[:] = spent
    return CustomerStatistics(
        currency,
        np.fromiter(customer, dtype=np.int64, count=len(rows)),
        np.fromiter(x, dtype=np.float64, count=len(rows)),
        np.fromiter(t_x, dtype=np.float64, count=len(rows)),
        np.fromiter(age, dtype=np.float64, count=len(rows)),
        np.fromiter(repeat_mean, dtype=np.float64, count=len(rows)),
        spent_array,
    )
