"""Baseline for ``benchmarks/segment_helpdesk_pages.py preview``: the typing session's final query by hand.

``orders_count >= 3 and spent("USD") > 500 and last_order_at > -90d`` as the ORM filter a developer would
write for it (a join on the spend row), counted and its five newest members listed like the preview, after
the same authentication and permission check: the difference is what parsing, compiling and the cost check
of the segment language add.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerProfile

from .api_views import staff_caller


def final_query_preview(request: HttpRequest) -> JsonResponse:
    if isinstance(caller := staff_caller(request, Permission.MANAGE_USERS), JsonResponse):
        return caller
    matching = CustomerProfile.objects.filter(
        anonymised_at__isnull=True,
        orders_count__gte=3,
        spend__currency="USD",
        spend__total__gt=500,  # one spend row per currency: the join adds no duplicates
        last_order_at__gt=timezone.now() - timedelta(days=90),
    )
    newest = matching.order_by("-pk")[:5]
    return JsonResponse({"count": matching.count(), "members": [global_id("CrmCustomer", p.pk) for p in newest]})
