"""``crmPredictionDistributions``: how predicted CLV and churn risk spread over the customers.

The Analytics page draws them as histograms. Counting happens in PostgreSQL (a GROUP BY per measure
over the prediction table's (currency, value) indexes), so the page never downloads predictions.
CLV is long-tailed: its buckets end at the 95th percentile rounded up to a readable edge, and the
last bucket is open-ended, so a few big spenders don't squash everyone else into the first bar.
"""

from __future__ import annotations

from decimal import Decimal

import graphene
from django.db.models import Count, DecimalField, F, IntegerField, Value
from django.db.models.functions import Cast, Floor, Greatest, Least

from ...analytics.models import CustomerPrediction
from ...auth import Permission
from ..core import scalars
from ..core.permissions import require

CLV_BUCKETS = 10
CHURN_BUCKETS = 10
CURRENCY_LENGTH = 3


class CrmDistributionBucket(graphene.ObjectType):
    start = scalars.Decimal(required=True, description="Lower edge, inclusive.")
    end = scalars.Decimal(description="Upper edge, exclusive; null for the open-ended last CLV bucket.")
    customers = graphene.Int(required=True)


class CrmPredictionDistribution(graphene.ObjectType):
    currency = graphene.String(required=True)
    customers = graphene.Int(required=True, description="Customers with a prediction in the currency.")
    predicted_clv = graphene.List(
        graphene.NonNull(CrmDistributionBucket),
        required=True,
        description="Equal-width buckets up to the 95th percentile (rounded up), then one open-ended bucket.",
    )
    churn_risk = graphene.List(
        graphene.NonNull(CrmDistributionBucket), required=True, description="Ten buckets of 0.1 from 0 to 1."
    )

    class Meta:
        description = "Customers per predicted-CLV and per churn-risk bucket, for one currency."


def readable_width(upper: Decimal, buckets: int) -> Decimal:
    """The smallest 1, 2, 2.5, 5 or 10 times 10^k at least ``upper / buckets``: edges staff can read."""
    raw = max(upper / buckets, Decimal("0.01"))
    exponent = raw.adjusted()  # raw < 10^(exponent + 1), so the last step always fits
    widths = (Decimal(step).scaleb(exponent) for step in ("1", "2", "2.5", "5", "10"))
    width = next(width for width in widths if width >= raw)
    return Decimal(f"{width:f}")  # "20", not "2E+1", in the API's strings


def _counts(rows, bucket) -> dict[int, int]:
    """Customers per bucket number: one GROUP BY in the database."""
    grouped = rows.annotate(bucket=bucket).values("bucket").annotate(customers=Count("pk")).order_by()
    return {row["bucket"]: row["customers"] for row in grouped}


def distribution(currency: str) -> CrmPredictionDistribution:
    rows = CustomerPrediction.objects.filter(currency=currency)
    total = rows.count()
    # The 95th percentile (nearest rank) read off the (currency, predicted_clv) index.
    rank = max(0, (total * 95 + 99) // 100 - 1)
    p95 = rows.order_by("predicted_clv").values_list("predicted_clv", flat=True)[rank] if total else Decimal(0)
    width = readable_width(max(p95, Decimal("0.01")), CLV_BUCKETS)
    decimal = DecimalField(max_digits=20, decimal_places=3)
    clv_bucket = Least(
        Greatest(Cast(Floor(F("predicted_clv") / Value(width, output_field=decimal)), IntegerField()), Value(0)),
        Value(CLV_BUCKETS),
    )
    churn_bucket = Least(Cast(Floor(F("churn_risk") * Value(CHURN_BUCKETS)), IntegerField()), Value(CHURN_BUCKETS - 1))
    clv = _counts(rows, clv_bucket)
    churn = _counts(rows, churn_bucket)
    step = Decimal(1) / CHURN_BUCKETS
    return CrmPredictionDistribution(
        currency=currency,
        customers=total,
        predicted_clv=[
            CrmDistributionBucket(
                start=width * index,
                end=None if index == CLV_BUCKETS else width * (index + 1),
                customers=clv.get(index, 0),
            )
            for index in range(CLV_BUCKETS + 1)
        ],
        churn_risk=[
            CrmDistributionBucket(start=step * index, end=step * (index + 1), customers=churn.get(index, 0))
            for index in range(CHURN_BUCKETS)
        ],
    )


class PredictionDistributionQueries(graphene.ObjectType):
    crm_prediction_distributions = graphene.List(
        graphene.NonNull(CrmPredictionDistribution),
        required=True,
        currency=graphene.String(description="One currency; every currency with predictions when omitted."),
        description="Predicted CLV and churn risk histograms per currency. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_prediction_distributions(root, info, currency=None):
        require(info, Permission.MANAGE_USERS)
        if currency is not None:
            currencies = [currency.upper()] if len(currency) == CURRENCY_LENGTH else []
        else:
            currencies = list(
                CustomerPrediction.objects.values_list("currency", flat=True).distinct().order_by("currency")
            )
        return [distribution(code) for code in currencies]
