"""The App's HTTP face: its manifest, the built single-page app, and the app's hashed assets.

Every path under ``app/`` that is not an asset answers the SPA's ``index.html`` (client-side
routes). A POST is a dashboard widget with ``widgetTarget.method = "POST"``: the dashboard
submits a form with the extension token and the page's id, and the page finds them in a
``#crm-boot`` JSON block instead of waiting for the App Bridge handshake. The form is
attacker-reachable (no CSRF in Saleor's plugin route), so only whitelisted, validated values
are echoed, and the JSON is made safe to sit inside a ``<script>`` element.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from .manifest import manifest

BUILD_DIR = Path(__file__).with_name("build")
MISSING_BUILD = (
    "The CRM dashboard pages are not built: run scripts/build-frontend "
    "(a wheel built with `python -m build` carries them).\n"
)
ASSET_CACHE = "public, max-age=31536000, immutable"  # Vite names assets by content hash

_TOKEN = re.compile(r"[A-Za-z0-9_\-.:=+/]{1,8192}")  # a JWT, or a sandbox signed token
_APP_ID = re.compile(r"[A-Za-z0-9_\-.:=+/]{1,256}")
_PK = {"User": re.compile(r"[1-9][0-9]{0,18}"), "Order": re.compile(r"[0-9a-fA-F-]{36}|[1-9][0-9]{0,18}")}
_SAFE_JSON = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".woff2": "font/woff2"}


class BadBootValue(ValueError):
    pass


def manifest_view(request: HttpRequest, store_url: str | None = None) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return JsonResponse(manifest(request, store_url))


def app_view(request: HttpRequest, path: str, store_url: str | None = None) -> HttpResponse:
    """``app/<path>``: the manifest, an asset under ``assets/``, else the SPA page (with boot data on POST,
    for widgets installed as POST targets). ``store_url``: the plugin's URL as the store knows it."""
    if path == "manifest":
        return manifest_view(request, store_url)
    if path.startswith("assets/"):
        return asset_view(request, path.removeprefix("assets/"))
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    index = BUILD_DIR / "index.html"
    if not index.is_file():
        return _missing_build()
    html = index.read_text(encoding="utf-8")
    if request.method == "POST":
        try:
            boot = boot_data(request.POST)
        except BadBootValue as error:
            return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")
        html = inject_boot(html, boot)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"  # it may carry a token; and a new build must show at once
    response["Referrer-Policy"] = "no-referrer"
    return response


def asset_view(request: HttpRequest, name: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    assets = BUILD_DIR / "assets"
    if not assets.is_dir():
        return _missing_build()
    file = (assets / name).resolve()
    if not file.is_relative_to(assets.resolve()) or not file.is_file():
        return HttpResponse("Not found\n", status=404, content_type="text/plain; charset=utf-8")
    content_type = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Cache-Control"] = ASSET_CACHE
    return response


def boot_data(form) -> dict[str, str]:
    """The whitelisted fields of the dashboard's POST, validated; absent ones are left out."""
    boot = {}
    checks = {
        "token": ("accessToken", _checked(_TOKEN)),
        "saleorApiUrl": ("saleorApiUrl", _http_url),
        "appId": ("appId", _checked(_APP_ID)),
        "customerId": ("customerId", _global_id("User")),
        "orderId": ("orderId", _global_id("Order")),
        "theme": ("theme", _one_of("light", "dark")),
    }
    for key, (field, check) in checks.items():
        value = form.get(field)
        if value:
            if not check(value):
                raise BadBootValue(f"Invalid {field}.")
            boot[key] = value
    return boot


def script_json(data) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``</script>``, ``<!--`` or line separators."""
    return json.dumps(data, separators=(",", ":")).translate(_SAFE_JSON)


def inject_boot(html: str, boot: dict[str, str]) -> str:
    block = f'<script id="crm-boot" type="application/json">{script_json(boot)}</script>'
    head_end = html.find("</head>")
    return block + html if head_end < 0 else html[:head_end] + block + html[head_end:]


def _missing_build() -> HttpResponse:
    return HttpResponse(MISSING_BUILD, status=503, content_type="text/plain; charset=utf-8")


def _checked(pattern: re.Pattern):
    return lambda value: pattern.fullmatch(value) is not None


def _one_of(*allowed: str):
    return lambda value: value in allowed


def _http_url(value: str) -> bool:
    if len(value) > 2048:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"[\s<>\"'`]", value)


def _global_id(type_name: str):
    """A Saleor global id of that type (base64 ``User:42`` / ``Order:<uuid>``)."""

    def check(value: str) -> bool:
        if len(value) > 128:
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode("ascii")
        except (binascii.Error, UnicodeDecodeError):
            return False
        kind, _, pk = decoded.partition(":")
        return kind == type_name and _PK[type_name].fullmatch(pk) is not None

    return check
