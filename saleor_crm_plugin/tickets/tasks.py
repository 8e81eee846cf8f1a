"""The tickets' Celery tasks: emailing a reply after commit, SLA flags and auto-close on a schedule."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from ..ports import mailer, writer_access
from . import actions, emails, sla
from .models import TicketMessage


@shared_task(name="saleor_crm_plugin.send_ticket_message", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_ticket_message(message_id: int) -> bool:
    """Email a staff reply to the customer once; a retry after a sent mail finds ``emailed_at`` set."""
    with writer_access(), transaction.atomic():
        message = (
            TicketMessage.objects.select_for_update(of=("self",))
            .select_related("ticket__profile", "ticket__order")
            .filter(pk=message_id, emailed_at__isnull=True)
            .first()
        )
        if message is None or not message.ticket.profile.email:
            return False
        subject, text, html = emails.compose(message)
        channel = message.ticket.order.channel if message.ticket.order_id else None
        mailer().send(
            to=message.ticket.profile.email,
            subject=subject,
            text=text,
            html=html,
            channel=channel or None,
            headers={"X-CRM-Ticket": message.ticket.reference},
        )
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])
        return True


@shared_task(name="saleor_crm_plugin.ticket_sla")
def flag_sla_task() -> tuple[int, int]:
    with writer_access():
        return sla.flag_breaches(timezone.now())


@shared_task(name="saleor_crm_plugin.ticket_autoclose")
def autoclose_task() -> int:
    with writer_access():
        return actions.close_solved_tickets(timezone.now())
