"""The sandbox's stand-in for Saleor Dashboard: customers and orders pages that mount the App.

Sandbox only. It frames the App's widgets, pages and popups exactly as Saleor Dashboard 3.23 does
(the same App Bridge messages, the widget form POST when the manifest asks for it), so the demo and
the browser tests exercise the real integration. The page itself is the ``shell`` entry of the
front-end build; this view serves it with the data of the requested screen in a ``#shell-data``
JSON block. Staff sign in with the sandbox session (``dashboard_auth``): the shell is first-party,
the App's frames only ever get the short-lived extension token.

Customers and orders are read from the CRM's own copies: in the sandbox they *are* the store.
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect

from ..dashboard.manifest import APP_ID, manifest
from ..dashboard.views import BUILD_DIR, MISSING_BUILD
from ..ids import global_id
from ..profiles.models import CustomerProfile, OrderSnapshot

SALEOR_VERSION = "3.23.28"
DASHBOARD_VERSION = "3.23.27"
PAGE_SIZE = 50
_SAFE_JSON = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _staff_only(view):
    """Signed-in active staff, like Saleor Dashboard; anyone else goes to the sign-in page."""

    @login_required(login_url="/dashboard/login/")
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            return redirect(f"/dashboard/login/?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped


def _render(request: HttpRequest, page: dict) -> HttpResponse:
    shell = BUILD_DIR / "shell.html"
    if not shell.is_file():
        return HttpResponse(MISSING_BUILD, status=503, content_type="text/plain; charset=utf-8")
    user = request.user
    data = {
        "staff": {"email": user.email or user.get_username(), "name": user.get_full_name() or user.get_username()},
        "appId": APP_ID,
        "saleorApiUrl": request.build_absolute_uri("/graphql/"),
        "versions": {"core": SALEOR_VERSION, "dashboard": DASHBOARD_VERSION},
        "extensions": manifest(request)["extensions"],
        "appUrl": manifest(request)["appUrl"],
        "csrfToken": get_token(request),
        "page": page,
    }
    payload = json.dumps(data, cls=_Encoder).translate(_SAFE_JSON)
    block = f'<script id="shell-data" type="application/json">{payload}</script>'
    html = shell.read_text(encoding="utf-8").replace("</head>", block + "</head>", 1)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        if hasattr(o, "isoformat"):
            return o.isoformat()
        return super().default(o)


def _pk_of(saleor_id: str, type_name: str) -> str:
    try:
        kind, _, pk = base64.b64decode(saleor_id, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Http404 from None
    if kind != type_name or not pk:
        raise Http404
    return pk


def _customer_row(profile: CustomerProfile) -> dict:
    return {
        "id": profile.saleor_user_id,
        "email": profile.email,
        "name": f"{profile.first_name} {profile.last_name}".strip(),
        "ordersCount": profile.orders_count,
        "lastOrderAt": profile.last_order_at,
    }


def _order_row(order: OrderSnapshot) -> dict:
    return {
        "id": order.saleor_order_id,
        "number": order.number,
        "email": order.email,
        "customerId": order.profile.saleor_user_id if order.profile_id else None,
        "status": order.status,
        "chargeStatus": order.charge_status,
        "total": order.total,
        "currency": order.currency,
        "placedAt": order.placed_at,
        "channel": order.channel,
    }


@_staff_only
def home_view(request: HttpRequest) -> HttpResponse:
    return redirect("shell-customers")


@_staff_only
def customers_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("query", "").strip()
    profiles = CustomerProfile.objects.filter(saleor_user_id__isnull=False, anonymised_at__isnull=True)
    if search:
        profiles = profiles.filter(
            Q(email__icontains=search) | Q(first_name__icontains=search) | Q(last_name__icontains=search)
        )
    rows = profiles.order_by(F("last_order_at").desc(nulls_last=True), "-id")[:PAGE_SIZE]
    return _render(request, {"kind": "customers", "query": search, "customers": [_customer_row(p) for p in rows]})


@_staff_only
def customer_view(request: HttpRequest, customer_id: str) -> HttpResponse:
    user = get_user_model().objects.filter(pk=_pk_of(customer_id, "User")).first()
    if user is None:
        raise Http404
    profile = CustomerProfile.objects.filter(saleor_user_id=customer_id).first()
    orders = OrderSnapshot.objects.filter(profile=profile).select_related("profile").order_by("-placed_at")[:5]
    customer = {
        "id": global_id("User", user.pk),
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "isActive": user.is_active,
        "dateJoined": user.date_joined,
        "lastLogin": user.last_login,
    }
    return _render(request, {"kind": "customer", "customer": customer, "orders": [_order_row(o) for o in orders]})


@_staff_only
def orders_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("query", "").strip()
    orders = OrderSnapshot.objects.select_related("profile")
    if search:
        orders = orders.filter(Q(number=search) | Q(email__icontains=search))
    rows = orders.order_by("-placed_at", "-id")[:PAGE_SIZE]
    return _render(request, {"kind": "orders", "query": search, "orders": [_order_row(o) for o in rows]})


@_staff_only
def order_view(request: HttpRequest, order_id: str) -> HttpResponse:
    _pk_of(order_id, "Order")
    order = OrderSnapshot.objects.select_related("profile").filter(saleor_order_id=order_id).first()
    if order is None:
        raise Http404
    lines = [
        {
            "productName": line.get("product_name", ""),
            "variantName": line.get("variant_name", ""),
            "sku": line.get("sku", ""),
            "quantity": line.get("quantity", 0),
            "unitPrice": line.get("unit_price", "0"),
        }
        for line in order.lines
    ]
    row = _order_row(order) | {"lines": lines, "shipping": order.shipping, "totalRefunded": order.total_refunded}
    return _render(request, {"kind": "order", "order": row})


@_staff_only
def app_page_view(request: HttpRequest, subpath: str = "") -> HttpResponse:
    """An APP_PAGE extension (the CRM pages under Customers), like ``/extensions/app/<app id>/<subpath>``."""
    return _render(request, {"kind": "app", "subpath": "/" + subpath.strip("/")})
