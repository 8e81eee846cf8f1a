"""Baselines for ``benchmarks/api.py``: crmCustomers' first page as plain Django JSON views.

Both answer what the benchmark's GraphQL query asks for (same customers, order, spend, tags and five
newest timeline entries, same value formats) after the same authentication (the project's
authenticator port, MANAGE_USERS), so the latency difference is what the GraphQL layer costs.
``customers_page`` is the careful hand-written version (prefetches, one query per relation);
``naive_customers_page`` is the N+1 loop that dataloaders exist to avoid.
"""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest, JsonResponse

from saleor_crm_plugin import ports
from saleor_crm_plugin.auth import AuthenticationError, Caller, Permission
from saleor_crm_plugin.graphql.profiles.dataloaders import TIMELINE_ORDERING
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerSpend, CustomerTag, TimelineEntry

PAGE_SIZE = 100
TIMELINE_SIZE = 5
# crmCustomers' LAST_ORDER_AT DESC: customers without an order sort as the earliest date, ties by id.
ORDERING = (F("last_order_at").desc(nulls_last=True), F("id").desc())
LISTED_FIELDS = ("id", "email", "first_name", "last_name", "orders_count", "last_order_at")


def customers_page(request: HttpRequest) -> JsonResponse:
    """Prefetch querysets: the page, COUNT(*), then one query each for spend, tags and timelines.

    The sliced timeline Prefetch is Django's window function (ROW_NUMBER per profile), like the
    API's TimelineLoader; ``only()`` skips the JSON columns the page doesn't show.
    """
    if isinstance(caller := staff_caller(request, Permission.MANAGE_USERS), JsonResponse):
        return caller
    profiles = _listed()
    page = (
        profiles.only(*LISTED_FIELDS)
        .order_by(*ORDERING)
        .prefetch_related(
            Prefetch("spend", queryset=_spend(CustomerSpend.objects.all()), to_attr="spend_rows"),
            Prefetch("tags", queryset=CustomerTag.objects.order_by("name"), to_attr="tag_rows"),
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.order_by(*TIMELINE_ORDERING)[:TIMELINE_SIZE],
                to_attr="recent",
            ),
        )[:PAGE_SIZE]
    )
    customers = [
        _customer(profile, profile.spend_rows, [tag.name for tag in profile.tag_rows], profile.recent)
        for profile in page
    ]
    return JsonResponse({"totalCount": profiles.count(), "customers": customers})


def naive_customers_page(request: HttpRequest) -> JsonResponse:
    """The first version anyone writes: three queries per customer (spend, tags, timeline)."""
    if isinstance(caller := staff_caller(request, Permission.MANAGE_USERS), JsonResponse):
        return caller
    profiles = _listed()
    customers = [
        _customer(
            profile,
            list(_spend(profile.spend.all())),
            list(profile.tags.order_by("name").values_list("name", flat=True)),
            list(profile.timeline.order_by(*TIMELINE_ORDERING)[:TIMELINE_SIZE]),
        )
        for profile in profiles.order_by(*ORDERING)[:PAGE_SIZE]
    ]
    return JsonResponse({"totalCount": profiles.count(), "customers": customers})


def staff_caller(request: HttpRequest, *permissions: Permission) -> Caller | JsonResponse:
    """The GraphQL view's authentication and a field's permission check (any of ``permissions``), nothing more:
    the caller, or the response refusing them."""
    try:
        caller = ports.authenticator()(request)
    except AuthenticationError as error:
        return JsonResponse({"error": str(error)}, status=401)
    if not any(caller.has_permission(permission) for permission in permissions):
        return JsonResponse({"error": f"{' or '.join(permissions)} required"}, status=403)
    return caller


def _listed() -> QuerySet[CustomerProfile]:
    return CustomerProfile.objects.filter(anonymised_at__isnull=True)


def _spend(rows: QuerySet[CustomerSpend]) -> QuerySet[CustomerSpend]:
    return rows.filter(orders_count__gt=0).order_by("currency")  # as SpendByProfileIdLoader


def _customer(profile: CustomerProfile, spend, tags: list[str], timeline) -> dict:
    """One customer in the GraphQL response's value formats (global ID, float amounts, ISO dates)."""
    return {
        "id": global_id("CrmCustomer", profile.pk),
        "email": profile.email,
        "name": f"{profile.first_name} {profile.last_name}".strip(),
        "ordersCount": profile.orders_count,
        "spend": [{"currency": row.currency, "amount": float(row.total)} for row in spend],
        "tags": tags,
        "timeline": [
            {"kind": entry.kind, "occurredAt": entry.occurred_at.isoformat(), "summary": entry.summary}
            for entry in timeline
        ],
    }
