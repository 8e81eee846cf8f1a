"""Emailing a staff reply at most once: the committed-claim pattern of automation's sending.

Before the mailer sees a reply, one committed ``UPDATE … WHERE delivery = 'queued'`` claims it
('sending'); the mail goes out outside any transaction and 'sent' is recorded after. A retried or
duplicated task finds the reply claimed and leaves it; a worker that dies between the mail and the
record leaves it 'sending' (staff see that) rather than risk a second copy in the customer's inbox.
The mail server refusing (``OSError``) is known not to have sent it, so the claim is released for a
retry; a store with no mail set up keeps the reply 'not sent' with the reason for staff to read.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..ports import MailNotSetUp, mailer
from . import emails
from .models import DeliveryStatus, TicketMessage

logger = logging.getLogger(__name__)


def queue(message: TicketMessage) -> None:
    """Mark a staff reply as waiting for the mailer (in the transaction that posts it)."""
    message.delivery = DeliveryStatus.QUEUED
    TicketMessage.objects.filter(pk=message.pk).update(delivery=DeliveryStatus.QUEUED)


def send_reply(message_id: int, now: datetime, *, last_try: bool = False) -> str:
    """Claim, mail, record; returns sent, not_sent, retry or claimed_elsewhere.

    Call it outside a transaction: the claim must be committed before the mail goes out."""
    claim = TicketMessage.objects.filter(pk=message_id, delivery=DeliveryStatus.QUEUED)
    if not claim.update(delivery=DeliveryStatus.SENDING):
        return "claimed_elsewhere"
    message = TicketMessage.objects.select_related("ticket__profile", "ticket__order").get(pk=message_id)
    to = message.ticket.profile.email
    if not to:
        return _not_sent(message_id, "The customer has no email address (deleted, or never gave one).")
    subject, text, html = emails.compose(message)
    channel = message.ticket.order.channel if message.ticket.order_id else None
    try:
        mailer().send(
            to=to,
            subject=subject,
            text=text,
            html=html,
            channel=channel or None,
            headers={"X-CRM-Ticket": message.ticket.reference},
        )
    except MailNotSetUp as error:
        logger.warning("ticket reply %s not emailed: %s", message_id, error)
        return _not_sent(message_id, str(error))
    except OSError as error:
        if last_try:
            return _not_sent(message_id, f"The mail server refused it: {error}")
        TicketMessage.objects.filter(pk=message_id).update(delivery=DeliveryStatus.QUEUED)
        raise
    except Exception as error:  # the mailer rejected this message itself (an address, a header)
        logger.exception("ticket reply %s could not be mailed", message_id)
        return _not_sent(message_id, f"The mailer rejected it: {error}")
    TicketMessage.objects.filter(pk=message_id).update(delivery=DeliveryStatus.SENT, delivery_reason="", emailed_at=now)
    return "sent"


def _not_sent(message_id: int, reason: str) -> str:
    TicketMessage.objects.filter(pk=message_id).update(delivery=DeliveryStatus.NOT_SENT, delivery_reason=reason[:255])
    return "not_sent"
