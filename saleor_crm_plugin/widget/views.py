"""Serves ``widget.js``: the storefront adds one script tag pointing at the plugin's URL.

The script is kept as a few plain files, one per concern (shared helpers and styles, the Rewards tab,
the Help tab, mounting), and joined into one function scope here: no build step, and nothing leaks
into the storefront's globals.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse

PARTS = ("core.js", "rewards.js", "help.js", "mount.js")


@cache
def script() -> str:
    here = Path(__file__).parent
    body = "\n".join((here / name).read_text() for name in PARTS)
    return f'(function () {{\n"use strict";\n{body}}})();\n'


def widget_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(script(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # a static script, loaded from the storefront's origin
    return response
