"""What the rest of the CRM reads: a customer's picks and a product's companions, in one query each.

Automation messages call ``for_profiles`` for a whole batch of recipients; the API calls both.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, DecimalField, IntegerField, Value

from ..settings import get_settings
from .models import CustomerRecommendation, ProductPair, Reason, RecommendationProduct

MAX_LIMIT = 100
BOUGHT_TOGETHER = """
SELECT p.product_id, p.name, p.category_id, p.category_name, pr.score
FROM crm_reco_pair pr JOIN crm_reco_product p ON p.product_id = pr.other_id
WHERE pr.kind = %s AND pr.product_id = %s AND pr.together >= %s
ORDER BY pr.nth
LIMIT %s
"""


@dataclasses.dataclass(frozen=True)
class Recommended:
    product_id: str  # Saleor's global ID of the product
    name: str
    category_id: str
    category_name: str
    reason: str  # a ``Reason`` value
    score: Decimal


def for_profiles(profile_ids: list[int], limit: int = 3) -> dict[int, list[Recommended]]:
    """Each profile's top ``limit``, best first; profiles the last rebuild didn't score (new customers,
    no orders yet) get the store's best sellers of that rebuild."""
    limit = min(max(limit, 0), MAX_LIMIT)
    ids = sorted(set(profile_ids))
    if not ids or not limit:
        return {pk: [] for pk in ids}
    fields = ("product_id", "name", "category_id", "category_name", "reason", "score")
    stored = (
        CustomerRecommendation.objects.filter(profile_id__in=ids, rank__lte=limit)
        .values_list("profile_id", "rank", *fields)
        .order_by()
    )
    popular = (
        RecommendationProduct.objects.filter(popularity_rank__lte=limit)
        .values_list(
            Value(None, output_field=IntegerField()),
            "popularity_rank",
            "product_id",
            "name",
            "category_id",
            "category_name",
            Value(Reason.POPULAR.value, output_field=CharField()),
            Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=6)),
        )
        .order_by()
    )
    rows = sorted(stored.union(popular, all=True), key=lambda row: (row[0] is None, row[0] or 0, row[1]))
    picks: dict[int | None, list[Recommended]] = {}
    for profile_id, _rank, *values in rows:
        values[-1] = Decimal(values[-1])
        picks.setdefault(profile_id, []).append(Recommended(*values))
    fallback = picks.get(None, [])
    return {pk: picks.get(pk, fallback) for pk in ids}


def bought_together(product_id: str, limit: int = 10, min_support: int | None = None) -> list[Recommended]:
    """Products most often in the same order as ``product_id``, seen together at least ``min_support`` times."""
    limit = min(max(limit, 0), MAX_LIMIT)
    min_support = min_support or get_settings().recommendations_min_support
    with connection.cursor() as cursor:
        cursor.execute(BOUGHT_TOGETHER, [ProductPair.ORDER, product_id, min_support, limit])
        rows = cursor.fetchall()
    return [Recommended(*row[:4], Reason.BOUGHT_TOGETHER.value, Decimal(row[4])) for row in rows]
