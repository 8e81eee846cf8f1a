"""A sample storefront page for the demo: the loyalty widget as a merchant embeds it.

``/store/`` shows it logged out; ``/store/?shopper=ada@example.com`` signs that sandbox shopper
in (the way a storefront hands the widget its shopper's Saleor token). Anyone can open the link, so
it signs in only shoppers (never staff or a superuser, whose token would open the staff API) and
only when the sandbox runs as the demo (``CRM_SANDBOX_DEMO``, set by ``scripts/demo``).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .auth import user_token


def store_view(request: HttpRequest) -> HttpResponse:
    user = _demo_shopper(request.GET.get("shopper", "").strip())
    token = user_token(user) if user else None
    return render(
        request,
        "sandbox/store.html",
        {"shopper": user, "config": json.dumps({"token": token}), "checkout_id": request.GET.get("checkout", "")},
    )


def _demo_shopper(email: str):
    if not email or not getattr(settings, "CRM_SANDBOX_DEMO", False):
        return None
    shoppers = get_user_model().objects.filter(is_active=True, is_staff=False, is_superuser=False)
    return shoppers.filter(email=email).first()
