"""Baseline for ``benchmarks/customer_pages.py``: the customer list as a plain Django view serves it.

The same customers, in the same order, with the values the list shows (name, email, orders, last order,
tags, spend per currency, predicted CLV and churn risk), after the same authentication and permission
check; but paged the way Django's own list views page: ``Paginator`` (COUNT(*), then OFFSET/LIMIT), the
filters as ORM joins, one prefetch query per relation. The difference is what GraphQL and keyset paging
change, page 1 and deep pages alike.

Query string: ``page`` (from 1), ``search``, ``tag``, ``segment`` (slug), ``currency`` with ``spent_gte``,
``sort`` (``spent`` for spend descending; newest last order first otherwise, as the page's default).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, JsonResponse

from saleor_crm_plugin.analytics.models import CustomerPrediction
from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerSpend

from .api_views import ORDERING, staff_caller

PAGE_SIZE = 20


def customer_list(request: HttpRequest) -> JsonResponse:
    if isinstance(caller := staff_caller(request, Permission.MANAGE_USERS), JsonResponse):
        return caller
    profiles, ordering = _filtered(request.GET)
    listed = profiles.order_by(*ordering).prefetch_related("tags", "spend", "predictions")
    page = Paginator(listed, PAGE_SIZE).page(int(request.GET.get("page", 1)))
    return JsonResponse({"totalCount": page.paginator.count, "customers": [_customer(p) for p in page]})


def _filtered(params) -> tuple[QuerySet[CustomerProfile], tuple]:
    profiles = CustomerProfile.objects.filter(anonymised_at__isnull=True)
    if search := params.get("search"):
        by_name = Q(email__icontains=search) | Q(first_name__icontains=search) | Q(last_name__icontains=search)
        profiles = profiles.filter(by_name)
    if tag := params.get("tag"):
        profiles = profiles.filter(tags__name=tag)  # a tag is on a customer once: the join adds no duplicates
    if segment := params.get("segment"):
        profiles = profiles.filter(segment_memberships__segment__slug=segment)
    if currency := params.get("currency"):
        spent = Max("spend__total", filter=Q(spend__currency=currency))
        profiles = profiles.annotate(spent=Coalesce(spent, Decimal(0)))
        if "spent_gte" in params:
            profiles = profiles.filter(spent__gte=Decimal(params["spent_gte"]))
    if params.get("sort") == "spent":
        return profiles, (F("spent").desc(), F("id").desc())
    return profiles, ORDERING


def _customer(profile: CustomerProfile) -> dict:
    """Values as comparable with the GraphQL answer (global ID, ISO date, Decimal strings)."""
    spend: list[CustomerSpend] = [row for row in profile.spend.all() if row.orders_count > 0]
    predictions: list[CustomerPrediction] = list(profile.predictions.all())
    return {
        "id": global_id("CrmCustomer", profile.pk),
        "name": f"{profile.first_name} {profile.last_name}".strip(),
        "email": profile.email,
        "ordersCount": profile.orders_count,
        "lastOrderAt": profile.last_order_at.isoformat() if profile.last_order_at else None,
        "tags": sorted(tag.name for tag in profile.tags.all()),
        "spend": {row.currency: str(row.total) for row in spend},
        "predictedClv": {row.currency: str(row.predicted_clv) for row in predictions},
        "churnRisk": {row.currency: str(row.churn_risk) for row in predictions},
    }
