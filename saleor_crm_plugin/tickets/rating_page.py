"""The page a solved ticket's email links to for its CSAT rating (``/plugins/global/saleor.crm/rate/?token=``).

The signed token is the only credential (no sign-in, no CSRF token, like the survey page), and it is
mailed and valid for weeks, so the page shows only what rating needs: the reference, the subject and
the 1-5 choice. Never the thread or anything about the customer.
"""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template import Context, Engine

from .actions import TicketActionError, rate_ticket
from .emails import ticket_for_rating_token
from .error_codes import CrmTicketErrorCode
from .history import Actor
from .models import Ticket, TicketStatus

PAGES = Engine(
    dirs=[str(Path(__file__).with_name("pages")), str(Path(__file__).parent.parent / "automation" / "pages")],
    autoescape=True,
)
SCORES = ((1, "Very bad"), (2, "Bad"), (3, "OK"), (4, "Good"), (5, "Great"))


def rating_page_view(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    token = (request.POST if request.method == "POST" else request.GET).get("token", "")
    ticket = ticket_for_rating_token(token[:500])
    if ticket is None:
        return _page("rate_invalid.html", status=404)
    if request.method == "GET" or ticket.rated_at is not None:
        return _page("rate.html", ticket=ticket, token=token)
    try:
        rated = rate_ticket(
            ticket,
            _score(request.POST.get("score")),
            request.POST.get("comment", ""),
            actor=Actor.shopper(ticket.profile.user),
        )
    except TicketActionError as error:
        if error.code == CrmTicketErrorCode.ALREADY_RATED:  # rated meanwhile (another tab): show that rating
            return _page("rate.html", ticket=Ticket.objects.get(pk=ticket.pk), token=token)
        return _page("rate.html", status=400, ticket=ticket, token=token, error=error.message)
    return _page("rate.html", ticket=rated, token=token, thanks=True)


def _score(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0  # refused by rate_ticket with its own message


def _page(name: str, status: int = 200, ticket: Ticket | None = None, **context) -> HttpResponse:
    if ticket is not None:
        context.update(
            ticket=ticket,
            scores=SCORES,
            ratable=ticket.status in (TicketStatus.SOLVED, TicketStatus.CLOSED) and ticket.merged_into_id is None,
        )
    html = PAGES.get_template(name).render(Context(context))
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response
