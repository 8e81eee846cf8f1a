"""Rebuild every recommendation from order history: a few set-based statements, not a loop per customer.

The rebuild replaces the three tables inside one transaction: PostgreSQL readers keep seeing the
previous rebuild until it commits, never half of one. What it learns from is a queryset of orders
(``training``), so the offline evaluation trains on the same statements minus the held-out orders.
"""

from __future__ import annotations

import dataclasses
import time

from django.db import connection, transaction
from django.db.models import QuerySet
from tqdm import tqdm

from ..profiles.aggregates import COUNTED_ORDERS
from ..profiles.models import OrderSnapshot
from ..segments.sql import sort_in_memory
from ..settings import get_settings
from . import sql
from .models import CustomerRecommendation, ProductPair, RecommendationProduct


@dataclasses.dataclass(frozen=True)
class RebuildSummary:
    products: int
    order_pairs: int
    customer_pairs: int
    customers: int
    recommendations: int
    seconds: dict[str, float]  # per step, in order

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def counted_orders() -> QuerySet:
    """Orders that count as sales: not cancelled, not drafts or expired."""
    return OrderSnapshot.objects.filter(COUNTED_ORDERS)


def rebuild(
    training: QuerySet | None = None,
    per_customer: int | None = None,
    min_support: int | None = None,
    progress: bool = False,
) -> RebuildSummary:
    """Replace products, pairs and every buyer's top ``per_customer`` from the ``training`` orders.

    Must run on PostgreSQL. Inside an outer transaction its temporary tables (``crm_reco_owned``: customer,
    product key) stay readable until it ends: the evaluation reads them.
    """
    settings = get_settings()
    per_customer = per_customer or settings.recommendations_per_customer
    min_support = max(min_support or settings.recommendations_min_support, 1)
    training_sql, training_params = (
        (training if training is not None else counted_orders())
        .order_by()
        .values("id", "profile_id", "placed_at", "lines")
        .query.sql_with_params()
    )
    basket = sql.BASKET.format(training=training_sql)
    steps = [
        ("baskets", [(sql.DROP_TEMPORARY, ()), (basket, training_params)]),
        ("products", [*((statement, ()) for statement in sql.CLEAR), (sql.PRODUCTS, ())]),
        ("keys", [(statement, ()) for statement in sql.KEYED]),
        ("order pairs", _pairs(ProductPair.ORDER, min_support)),
        ("customer pairs", _pairs(ProductPair.CUSTOMER, min_support)),
        ("customers", [(sql.ANALYZE_NEIGHBOURS, ()), (sql.CUSTOMERS, [per_customer, per_customer, per_customer])]),
    ]
    seconds: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        sort_in_memory(cursor)
        for name, statements in tqdm(steps, desc="recommendations", unit="step", disable=not progress):
            started = time.perf_counter()
            for statement, params in statements:
                cursor.execute(statement, params)
            seconds[name] = time.perf_counter() - started
        return RebuildSummary(
            products=RecommendationProduct.objects.count(),
            order_pairs=ProductPair.objects.filter(kind=ProductPair.ORDER).count(),
            customer_pairs=ProductPair.objects.filter(kind=ProductPair.CUSTOMER).count(),
            customers=CustomerRecommendation.objects.filter(rank=1).count(),
            recommendations=CustomerRecommendation.objects.count(),
            seconds=seconds,
        )


def _pairs(kind: str, min_support: int) -> list[tuple[str, object]]:
    count, store = sql.pairs_sql(kind)
    return [(count, [min_support]), (store, ())]
