"""Serves ``widget.js``: the storefront adds one script tag pointing at the plugin's URL."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse

SCRIPT = Path(__file__).with_name("widget.js")


@cache
def _script() -> str:
    return SCRIPT.read_text()


def widget_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_script(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # a static script, loaded from the storefront's origin
    return response
