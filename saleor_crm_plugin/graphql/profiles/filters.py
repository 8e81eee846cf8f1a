"""``crmCustomers`` filters and sorting, as querysets the database can answer with its indexes."""

from __future__ import annotations

from decimal import Decimal

import graphene
from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from graphql.error import GraphQLError

from ...analytics.models import CustomerPrediction
from ...profiles.actions import ProfileActionError, clean_tags
from ...profiles.models import CustomerSpend, CustomerTag, date_sort_key
from ..core import scalars
from ..segments.filters import filter_by_segment
from .enums import CrmCustomerSortField, OrderDirection

# Keys are the enums' values: graphene 2 hands resolvers an enum argument's value.
PLAIN_SORT_FIELDS = {
    "EMAIL": "email",
    "FIRST_NAME": "first_name",
    "LAST_NAME": "last_name",
    "ORDERS_COUNT": "orders_count",
}
# Customer predictions (analytics), per currency; walked through the (currency, value, profile) indexes.
PREDICTION_SORT_FIELDS = {"PREDICTED_CLV": "predicted_clv", "CHURN_RISK": "churn_risk"}
NO_PREDICTION = Decimal(-1)  # below any value: a keyset cursor never holds a NULL
DATE_SORT_FIELDS = {
    "FIRST_ORDER_AT": "first_order_at",
    "LAST_ORDER_AT": "last_order_at",
    "LAST_ACTIVITY_AT": "last_activity_at",
    "JOINED_AT": "joined_at",
}


class CrmCustomerFilterInput(graphene.InputObjectType):
    search = graphene.String(description="Part of the email, first or last name.")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Customers with any of these tags.")
    has_orders = graphene.Boolean()
    last_order_before = graphene.DateTime()
    last_order_after = graphene.DateTime()
    spent_gte = scalars.Decimal(description="Lifetime spend in `currency` at least this.")
    spent_lte = scalars.Decimal(description="Lifetime spend in `currency` at most this.")
    predicted_clv_gte = scalars.Decimal(description="Predicted lifetime value in `currency` at least this.")
    churn_risk_gte = graphene.Float(description="Churn risk (0..1) in `currency` at least this.")
    currency = graphene.String(description="ISO 4217 code; required with spentGte, spentLte and sorting by SPENT.")
    segment = graphene.String(description="Members of a CRM segment, by its slug or ID.")


class CrmCustomerSortingInput(graphene.InputObjectType):
    field = graphene.Field(CrmCustomerSortField, required=True, description="Sort customers by the selected field.")
    direction = graphene.Field(OrderDirection, required=True, description="Specifies the direction in which to sort.")


def clean_currency(value: str | None, needed_by: str | None) -> str | None:
    if value is None:
        if needed_by:
            raise GraphQLError(f"`filter.currency` is required with {needed_by}: spend is kept per currency.")
        return None
    currency = value.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise GraphQLError(f"`filter.currency` must be an ISO 4217 code, got {value!r}.")
    return currency


def filter_customers(queryset: QuerySet, filter_input: dict) -> QuerySet:
    if search := (filter_input.get("search") or "").strip():
        queryset = queryset.filter(
            Q(email__icontains=search) | Q(first_name__icontains=search) | Q(last_name__icontains=search)
        )
    if filter_input.get("tags"):
        try:
            tags = clean_tags(filter_input["tags"])
        except ProfileActionError as error:
            raise GraphQLError(str(error)) from error
        queryset = queryset.filter(Exists(CustomerTag.objects.filter(profile=OuterRef("pk"), name__in=tags)))
    if (has_orders := filter_input.get("has_orders")) is not None:
        queryset = queryset.filter(orders_count__gt=0) if has_orders else queryset.filter(orders_count=0)
    if before := filter_input.get("last_order_before"):
        queryset = queryset.filter(last_order_at__lt=before)
    if after := filter_input.get("last_order_after"):
        queryset = queryset.filter(last_order_at__gt=after)
    if segment := filter_input.get("segment"):
        queryset = filter_by_segment(queryset, segment)
    gte, lte = filter_input.get("spent_gte"), filter_input.get("spent_lte")
    currency = clean_currency(filter_input.get("currency"), "spentGte/spentLte" if (gte, lte) != (None, None) else None)
    if (gte, lte) != (None, None):
        bounds = {f"{op}": value for op, value in (("gte", gte), ("lte", lte)) if value is not None}
        if (gte is None or gte <= 0) and (lte is None or lte >= 0):
            # Zero is in range: customers who never bought in this currency (no row) match too.
            spent = Coalesce(_spend_in(currency), Value(Decimal(0)), output_field=DecimalField())
            queryset = queryset.alias(spent=spent).filter(**{f"spent__{op}": v for op, v in bounds.items()})
        else:
            rows = CustomerSpend.objects.filter(profile=OuterRef("pk"), currency=currency)
            queryset = queryset.filter(Exists(rows.filter(**{f"total__{op}": v for op, v in bounds.items()})))
    clv, churn = filter_input.get("predicted_clv_gte"), filter_input.get("churn_risk_gte")
    if (clv, churn) != (None, None):
        # Customers without a prediction in the currency (none fitted, or refused) don't match.
        code = clean_currency(filter_input.get("currency"), "predictedClvGte/churnRiskGte")
        bounds = {"predicted_clv__gte": clv, "churn_risk__gte": None if churn is None else Decimal(str(churn))}
        rows = CustomerPrediction.objects.filter(profile=OuterRef("pk"), currency=code)
        queryset = queryset.filter(Exists(rows.filter(**{k: v for k, v in bounds.items() if v is not None})))
    return queryset


def sort_customers(queryset: QuerySet, sort_by: dict | None, currency: str | None) -> tuple[QuerySet, list[str]]:
    """The queryset with its sort key and the keyset ordering (ending in the unique ``id``)."""
    field = sort_by["field"] if sort_by else "EMAIL"
    descending = bool(sort_by) and sort_by["direction"] == "DESC"
    sign = "-" if descending else ""
    if field in PLAIN_SORT_FIELDS:
        return queryset, [sign + PLAIN_SORT_FIELDS[field], sign + "id"]
    if field in DATE_SORT_FIELDS:
        key = date_sort_key(DATE_SORT_FIELDS[field])
    elif field in PREDICTION_SORT_FIELDS:
        currency = clean_currency(currency, f"sorting by {field}")
        rows = CustomerPrediction.objects.filter(profile=OuterRef("pk"), currency=currency)
        value = Subquery(rows.values(PREDICTION_SORT_FIELDS[field])[:1])
        key = Coalesce(value, Value(NO_PREDICTION), output_field=DecimalField(max_digits=20, decimal_places=6))
    else:
        currency = clean_currency(currency, "sorting by SPENT")
        key = Coalesce(_spend_in(currency), Value(Decimal(0)), output_field=DecimalField())
    return queryset.annotate(sort_key=key), [sign + "sort_key", sign + "id"]


def _spend_in(currency: str) -> Subquery:
    rows = CustomerSpend.objects.filter(profile=OuterRef("pk"), currency=currency).values("total")[:1]
    return Subquery(rows, output_field=DecimalField())
