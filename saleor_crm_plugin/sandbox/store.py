"""A sample storefront page for the demo: the loyalty widget as a merchant embeds it.

``/store/`` shows it logged out; ``/store/?shopper=ada@example.com`` signs that sandbox shopper
in (the way a storefront hands the widget its shopper's Saleor token). Sandbox only.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .auth import user_token


def store_view(request: HttpRequest) -> HttpResponse:
    email = request.GET.get("shopper", "").strip()
    user = get_user_model().objects.filter(email=email, is_active=True).first() if email else None
    token = user_token(user) if user else None
    return render(
        request,
        "sandbox/store.html",
        {"shopper": user, "config": json.dumps({"token": token}), "checkout_id": request.GET.get("checkout", "")},
    )
