"""CORS for the CRM's GraphQL endpoint: the storefront's pages (the widget) call it from their own origin.

Only the merchant's storefront origins (setting ``storefront_origins``) are allowed, each exactly;
any other origin gets no CORS headers, so the browser keeps the answer from that page. Credentials
are never allowed: the API authenticates with the ``Authorization`` header, not cookies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .settings import check_setting, get_settings

ALLOW_METHODS = "POST, GET, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type"
MAX_AGE_SECONDS = 600  # as Saleor's own GraphQL endpoint: a browser re-asks every 10 minutes at most
ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?", re.IGNORECASE)


@check_setting("storefront_origins")
def storefront_origins(origins: tuple[str, ...]) -> frozenset[str]:
    """The allowed origins, as browsers send them (lower case, no trailing slash)."""
    cleaned = set()
    for origin in origins:
        bare = origin.removesuffix("/")
        if not ORIGIN.fullmatch(bare):
            raise ValueError(
                f"'{origin}' is not an origin like 'https://shop.com' or 'http://localhost:3000' "
                "(scheme, host and optional port; no path, no wildcard)."
            )
        cleaned.add(bare.lower())
    return frozenset(cleaned)


def allowed_origin(request: HttpRequest) -> str | None:
    origin = request.headers.get("Origin")
    if origin and origin.lower() in storefront_origins(get_settings().storefront_origins):
        return origin
    return None


def with_cors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer preflights (``OPTIONS``) and mark the view's answers for the storefront origins."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        origin = allowed_origin(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOW_METHODS
            if origin:
                response["Access-Control-Allow-Methods"] = ALLOW_METHODS
                response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
                response["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
        else:
            response = view(request, *args, **kwargs)
        if origin:
            response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])  # caches must not hand one origin's answer to another
        return response

    return wrapper
