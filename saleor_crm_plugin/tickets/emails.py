"""Tickets by email: the outgoing message (plain text, HTML escaped), threading of inbound replies
by the ``[#T-42]`` reference in the subject, and the signed CSAT link."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr

from django.core import signing
from django.utils.html import escape, linebreaks

from ..automation import tracking
from ..events import normalise_email
from ..profiles.models import CustomerProfile
from ..settings import get_settings
from .models import Ticket, TicketMessage, TicketStatus

REFERENCE = re.compile(r"\[#T-(\d+)\]")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv)\s*:\s*)+", re.IGNORECASE)
RATING_SALT = "saleor_crm_plugin.tickets.rating"
RATING_PAGE_PATH = "rate/"  # under the plugin's URL


class UnknownSender(ValueError):
    pass


def subject_line(ticket: Ticket) -> str:
    return f"Re: {ticket.subject} [#{ticket.reference}]"


def clean_subject(subject: str) -> str:
    """An inbound subject without 'Re:' prefixes and reference, as a new ticket's subject."""
    text = REPLY_PREFIX.sub("", REFERENCE.sub("", subject or "")).strip()
    return text or "(no subject)"


def profile_for_sender(sender: str) -> CustomerProfile:
    """The sender's profile: their account's, else their guest profile (made if new)."""
    email = normalise_email(parseaddr(sender or "")[1])
    if "@" not in email:
        raise UnknownSender("The sender's address is missing or invalid.")
    live = CustomerProfile.objects.filter(email=email, anonymised_at__isnull=True)
    profile = live.exclude(saleor_user_id__isnull=True).first()
    if profile is None:
        profile, _ = CustomerProfile.objects.get_or_create(email=email, saleor_user_id=None, anonymised_at=None)
    return profile


def threaded_ticket(subject: str, profile: CustomerProfile) -> Ticket | None:
    """The open ticket of this customer named in the subject (following merges), if any."""
    match = REFERENCE.search(subject or "")
    if not match:
        return None
    ticket = Ticket.objects.filter(pk=int(match.group(1)), profile=profile).first()
    while ticket is not None and ticket.merged_into_id is not None:
        ticket = ticket.merged_into
    return None if ticket is None or ticket.status == TicketStatus.CLOSED else ticket


def rating_token(ticket: Ticket) -> str:
    return signing.dumps({"ticket": ticket.pk}, salt=RATING_SALT)


def ticket_id_from_rating_token(token: str) -> int | None:
    max_age = timedelta(days=get_settings().ticket_rating_link_days)
    try:
        return int(signing.loads(token, salt=RATING_SALT, max_age=max_age)["ticket"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def ticket_for_rating_token(token: str) -> Ticket | None:
    """The ticket a rating link names, while it is valid and its customer not deleted (else a dead link)."""
    pk = ticket_id_from_rating_token(token)
    return Ticket.objects.filter(pk=pk, profile__anonymised_at__isnull=True).first() if pk else None


def rating_link(ticket: Ticket) -> str | None:
    """The configured storefront page, else the plugin's own rating page (``rating_page``)."""
    if ticket.status != TicketStatus.SOLVED:
        return None
    base = get_settings().ticket_rating_url or f"{tracking.base_url()}/{RATING_PAGE_PATH}"
    return f"{base}{'&' if '?' in base else '?'}token={rating_token(ticket)}"


def compose(message: TicketMessage) -> tuple[str, str, str]:
    """(subject, text, html) of a staff reply; the HTML is the text escaped, never the text as HTML."""
    ticket = message.ticket
    footer = [f"Reply to this email to answer. Your ticket: {ticket.reference}"]
    if link := rating_link(ticket):
        footer.append(f"How did we do? Rate our help: {link}")
    text = message.body + "\n\n--\n" + "\n".join(footer)
    links = "".join(f"<p>{escape(url)}</p>" for url in message.attachments)
    html = linebreaks(message.body, autoescape=True) + links + linebreaks("--\n" + "\n".join(footer), autoescape=True)
    return subject_line(ticket), text, html
