"""The public pages a message links to: open pixel, tracked click, unsubscribe, survey.

Served by the plugin (Saleor routes ``/plugins/global/saleor.crm/m/...`` to ``BasePlugin.webhook``)
and by the sandbox at the same paths. They take no session or CSRF token: the signed token in the
URL is the only credential, and it only ever touches its own message or customer.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template import Context, Engine
from django.utils import timezone

from . import tracking
from .models import SurveyResponse
from .surveys import SurveyError, answer_survey

PAGES = Engine(dirs=[str(Path(__file__).with_name("pages"))], autoescape=True)
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
ROUTE = re.compile(r"^m/(open|click|unsubscribe|survey)/([A-Za-z0-9_\-:.]+?)(\.gif)?/?$")


def dispatch(request: HttpRequest, path: str) -> HttpResponse | None:
    """The response for a message link path (``m/<kind>/<token>``), or None when it isn't one."""
    match = ROUTE.match(path.strip("/"))
    if not match:
        return None
    kind, token = match.group(1), match.group(2)
    return VIEWS[kind](request, token)


def message_link_view(request: HttpRequest, path: str) -> HttpResponse:
    """The same routes as a plain Django view (the sandbox's URLconf)."""
    return dispatch(request, path) or _page("invalid.html", status=404)


def _page(name: str, status: int = 200, **context) -> HttpResponse:
    html = PAGES.get_template(name).render(Context(context))
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def open_view(request: HttpRequest, token: str) -> HttpResponse:
    """Always the pixel, so a bad token tells nobody anything."""
    message_id = tracking.read(token, tracking.OPEN)
    if isinstance(message_id, int):
        tracking.record_open(message_id, timezone.now())
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


def click_view(request: HttpRequest, token: str) -> HttpResponse:
    value = tracking.read(token, tracking.CLICK)
    if not (isinstance(value, list) and len(value) == 2 and urlsplit(str(value[1])).scheme in ("http", "https")):
        return _page("invalid.html", status=404)
    message_id, target = int(value[0]), value[1]
    if tracking.linked_message(message_id) is None:
        return _page("invalid.html", status=404)
    tracking.record_click(message_id, target, timezone.now())
    return HttpResponseRedirect(target)


def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners prefetch GETs); POST unsubscribes, also as RFC 8058 one-click."""
    profile_id = tracking.read(token, tracking.UNSUBSCRIBE)
    if not isinstance(profile_id, int) or tracking.linked_profile(profile_id) is None:
        return _page("invalid.html", status=404)
    if request.method == "GET":
        return _page("unsubscribe.html")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    tracking.set_unsubscribed(profile_id, True, "one_click" if one_click else "link", timezone.now())
    return _page("unsubscribed.html")


def survey_view(request: HttpRequest, token: str) -> HttpResponse:
    message_id = tracking.read(token, tracking.SURVEY)
    message = tracking.linked_message(message_id) if isinstance(message_id, int) else None
    if message is None:
        return _page("invalid.html", status=404)
    if request.method == "POST":
        try:
            answer_survey(message, request.POST.get("score", ""), request.POST.get("comment", ""), timezone.now())
        except SurveyError as error:
            return _page("survey.html", status=400, error=str(error), scores=range(11))
        return _page("survey_thanks.html")
    answered = SurveyResponse.objects.filter(message=message).first()
    return _page("survey.html", scores=range(11), answered=answered)


VIEWS = {"open": open_view, "click": click_view, "unsubscribe": unsubscribe_view, "survey": survey_view}
