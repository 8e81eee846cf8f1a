"""What predictions lend the segment language: ``predicted_clv("USD") > 500``, ``churn_risk >= 0.7``, ...

A customer without a prediction in the currency (never bought in it, or its refit was refused) has no
value and never matches a comparison. Without a currency argument a function reads the customer's main
currency (most order days). Predictions change only when a refit runs, never by an event.
"""

from __future__ import annotations

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery

from ..segments.language.registry import Param, register_function
from ..segments.language.values import ValueType
from .models import CustomerPrediction

REQUIRED_CURRENCY = Param("currency", ValueType.STRING)
OPTIONAL_CURRENCY = Param("currency", ValueType.STRING, required=False)


def _rows(currency: str | None) -> QuerySet:
    rows = CustomerPrediction.objects.filter(profile=OuterRef("pk"))
    if currency:
        return rows.filter(currency=currency.upper())
    main = CustomerPrediction.objects.filter(profile_id=OuterRef("profile_id")).order_by("-order_days", "currency")
    return rows.filter(pk=Subquery(main.values("pk")[:1]))


def _register(name: str, column: str, currency: Param, description: str) -> None:
    def value(currency: str | None = None):
        return Subquery(_rows(currency).values(column)[:1], output_field=DecimalField(max_digits=20, decimal_places=6))

    def compare(lookup: str, wanted: object, currency: str | None = None) -> Q:
        """EXISTS over the one prediction row: a semi-join on the (profile, currency) index."""
        return Q(Exists(_rows(currency).filter(**{f"{column}__{lookup}": wanted})))

    register_function(
        name,
        value,
        (currency,),
        description,
        returns=ValueType.DECIMAL,
        compare=compare,
        volatile=True,
        event_driven=False,
    )


_register(
    "predicted_clv",
    "predicted_clv",
    REQUIRED_CURRENCY,
    "Predicted customer lifetime value in a currency: spend so far plus predicted spend over the horizon.",
)
_register("predicted_spend", "predicted_spend", REQUIRED_CURRENCY, "Predicted spend in a currency over the horizon.")
_register(
    "expected_orders",
    "predicted_orders",
    OPTIONAL_CURRENCY,
    "Expected orders over the prediction horizon (e.g. 12 months).",
)
_register("p_active", "p_active", OPTIONAL_CURRENCY, "Probability the customer is still active, 0 to 1.")
_register("churn_risk", "churn_risk", OPTIONAL_CURRENCY, "Churn risk, 1 - p_active: 0 (loyal) to 1 (gone).")
