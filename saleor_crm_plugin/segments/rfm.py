"""RFM: recency, frequency and monetary quintiles in one SQL statement, and the named groups.

A customer's quintile is ``5 * (customers with a lower value) / (customers) + 1``: NTILE(5) except that
equal values share a score (with plain NTILE two customers with one order each could get different
frequency scores). Recency is the day of the last order, monetary and AOV are whole currency units, so
the window function runs over distinct values, not over every customer. Monetary is net spend in one
currency, because sums across currencies mean nothing: the ``segments_rfm_currency`` setting, or when
empty the currency most customers bought in; customers who never bought in it score monetary 1.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ..profiles.models import CustomerSpend
from ..settings import get_settings
from .language.registry import register_field
from .language.values import ValueType
from .sql import sort_in_memory

# The standard RFM segment map: recency score (columns 1..5) against the mean of frequency and
# monetary scores (rows, rounded down).
GRID = {
    5: ("cant_lose", "cant_lose", "loyal", "champions", "champions"),
    4: ("at_risk", "at_risk", "loyal", "loyal", "champions"),
    3: ("at_risk", "at_risk", "need_attention", "potential_loyalist", "potential_loyalist"),
    2: ("hibernating", "hibernating", "about_to_sleep", "potential_loyalist", "potential_loyalist"),
    1: ("lost", "hibernating", "about_to_sleep", "promising", "new"),
}
GROUPS = (
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
)
GROUP_NAMES = {
    "champions": "Champions",
    "loyal": "Loyal",
    "potential_loyalist": "Potential loyalist",
    "new": "New customers",
    "promising": "Promising",
    "need_attention": "Need attention",
    "about_to_sleep": "About to sleep",
    "at_risk": "At risk",
    "cant_lose": "Can't lose them",
    "hibernating": "Hibernating",
    "lost": "Lost",
}


def _ranked(key: str) -> str:
    """Customers strictly below each distinct value of ``key``: the rank minus one, ties shared.

    Grouping first makes the window run over distinct values (days, whole amounts, order counts), not
    over every customer: a sort of thousands of rows instead of hundreds of thousands.
    """
    return (
        f"SELECT {key} AS v, CAST(SUM(c) OVER (ORDER BY {key}) - c AS BIGINT) AS below "
        f"FROM (SELECT {key}, COUNT(*) AS c FROM base GROUP BY {key}) AS grouped"
    )


def _group_case() -> str:
    branches = " ".join(
        f"WHEN recency = {r} AND (frequency + monetary) / 2 = {fm} THEN '{group}'"
        for fm, row in GRID.items()
        for r, group in enumerate(row, start=1)
    )
    return f"CASE {branches} END"


def _scored(last_order_day: str) -> str:
    """CTEs ending in ``scored``: every customer who bought, with scores and group (param: currency)."""
    return f"""
WITH base AS (
    SELECT p.id, {last_order_day} AS r, p.orders_count AS f, COALESCE(ROUND(s.total), 0) AS m,
           CASE WHEN s.orders_count > 0 THEN ROUND(s.total / s.orders_count) ELSE 0 END AS a
    FROM crm_customer_profile p
    LEFT JOIN crm_customer_spend s ON s.profile_id = p.id AND s.currency = %s
    WHERE p.orders_count > 0 AND p.last_order_at IS NOT NULL AND p.anonymised_at IS NULL
), counted AS (SELECT COUNT(*) AS n FROM base),
r_rank AS ({_ranked("r")}), f_rank AS ({_ranked("f")}), m_rank AS ({_ranked("m")}), a_rank AS ({_ranked("a")}),
scores AS (
    SELECT b.id, 5 * rr.below / n + 1 AS recency, 5 * fr.below / n + 1 AS frequency,
           5 * mr.below / n + 1 AS monetary, 5 * ar.below / n + 1 AS aov
    FROM base b CROSS JOIN counted
    JOIN r_rank rr ON rr.v = b.r JOIN f_rank fr ON fr.v = b.f JOIN m_rank mr ON mr.v = b.m JOIN a_rank ar ON ar.v = b.a
), scored AS (SELECT scores.*, {_group_case()} AS grp FROM scores)
"""


COLUMNS = '(profile_id, recency, frequency, monetary, aov, "group", currency, computed_at)'
CHANGED = (
    '(r.recency, r.frequency, r.monetary, r.aov, r."group", r.currency) '
    "IS DISTINCT FROM (s.recency, s.frequency, s.monetary, s.aov, s.grp, %s)"
)


def _write_sql(last_order_day: str) -> str:
    """PostgreSQL: update what changed and insert what is new by joins (params: currency x4, now x2)."""
    return f"""{_scored(last_order_day)},
changed AS (
    UPDATE crm_customer_rfm r SET recency = s.recency, frequency = s.frequency, monetary = s.monetary,
        aov = s.aov, "group" = s.grp, currency = %s, computed_at = %s
    FROM scored s WHERE r.profile_id = s.id AND {CHANGED}
    RETURNING 1
), added AS (
    INSERT INTO crm_customer_rfm {COLUMNS}
    SELECT s.id, s.recency, s.frequency, s.monetary, s.aov, s.grp, %s, %s FROM scored s
    WHERE NOT EXISTS (SELECT 1 FROM crm_customer_rfm r WHERE r.profile_id = s.id)
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM changed) + (SELECT COUNT(*) FROM added)
"""


def _upsert_sql(last_order_day: str) -> str:
    """Any database with upserts: the portable twin of ``_write_sql`` (params: currency x3, now)."""
    return f"""{_scored(last_order_day)}
INSERT INTO crm_customer_rfm {COLUMNS}
SELECT id, recency, frequency, monetary, aov, grp, %s, %s FROM scored WHERE 1 = 1
ON CONFLICT (profile_id) DO UPDATE SET
    recency = excluded.recency, frequency = excluded.frequency, monetary = excluded.monetary,
    aov = excluded.aov, "group" = excluded."group", currency = excluded.currency, computed_at = excluded.computed_at
WHERE (crm_customer_rfm.recency, crm_customer_rfm.frequency, crm_customer_rfm.monetary, crm_customer_rfm.aov,
       crm_customer_rfm."group", crm_customer_rfm.currency) IS DISTINCT FROM (excluded.recency, excluded.frequency,
       excluded.monetary, excluded.aov, excluded."group", %s)
"""


# The day of the last order, in UTC: recency is counted in days.
LAST_ORDER_DAY = {"postgresql": "CAST(p.last_order_at AT TIME ZONE 'UTC' AS DATE)", "sqlite": "DATE(p.last_order_at)"}
# Customers who no longer qualify (anonymised, every order cancelled) lose their scores.
UNSCORE_SQL = """
DELETE FROM crm_customer_rfm WHERE NOT EXISTS (
    SELECT 1 FROM crm_customer_profile p WHERE p.id = crm_customer_rfm.profile_id
    AND p.orders_count > 0 AND p.last_order_at IS NOT NULL AND p.anonymised_at IS NULL
)
"""


def rfm_currency() -> str:
    configured = get_settings().segments_rfm_currency.strip().upper()
    if configured:
        return configured
    buyers = CustomerSpend.objects.filter(orders_count__gt=0).values("currency").annotate(n=Count("id"))
    top = buyers.order_by("-n", "currency").first()
    return top["currency"] if top else "USD"


@transaction.atomic
def score_rfm(now: datetime | None = None, currency: str | None = None, portable: bool = False) -> int:
    """Score every customer who bought, in one statement; only changed scores are written. Rows written.

    ``portable`` forces the upsert twin on PostgreSQL (tests run both).
    """
    now = now or timezone.now()
    currency = currency or rfm_currency()
    with connection.cursor() as cursor:
        sort_in_memory(cursor)
        day = LAST_ORDER_DAY[connection.vendor]
        if connection.vendor == "postgresql" and not portable:
            cursor.execute(_write_sql(day), [currency, currency, now, currency, currency, now])
            written = cursor.fetchone()[0]
        else:
            cursor.execute(_upsert_sql(day), [currency, currency, now, currency])
            written = cursor.rowcount
        cursor.execute(UNSCORE_SQL)
    return written


for _name, _description in (
    ("recency", "RFM recency score, 1 (long ago) to 5 (recent)."),
    ("frequency", "RFM frequency score, 1 to 5 (most orders)."),
    ("monetary", "RFM monetary score, 1 to 5 (most spent, in the RFM currency)."),
    ("aov", "Average order value quintile, 1 to 5 (highest)."),
):
    register_field(
        f"rfm_{_name}", ValueType.INT, f"rfm__{_name}", _description, nullable=True, volatile=True, event_driven=False
    )
# Scores change only when ``score_rfm`` runs (then every RFM segment is re-evaluated), never by an event.
register_field(
    "rfm_segment",
    ValueType.STRING,
    "rfm__group",
    "The RFM group.",
    choices=GROUPS,
    nullable=True,
    volatile=True,
    event_driven=False,
)
