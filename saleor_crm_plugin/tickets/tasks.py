"""The tickets' Celery tasks: emailing a reply after commit, SLA flags and auto-close on a schedule."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from ..ports import writer_access
from . import actions, sending, sla


@shared_task(
    bind=True, name="saleor_crm_plugin.send_ticket_message", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_ticket_message(self, message_id: int) -> bool:
    """Email a staff reply to the customer at most once (``sending``: claim, mail, record)."""
    with writer_access():
        last_try = self.request.retries >= self.max_retries
        return sending.send_reply(message_id, timezone.now(), last_try=last_try) == "sent"


@shared_task(name="saleor_crm_plugin.ticket_sla")
def flag_sla_task() -> tuple[int, int]:
    with writer_access():
        return sla.flag_breaches(timezone.now())


@shared_task(name="saleor_crm_plugin.ticket_autoclose")
def autoclose_task() -> int:
    with writer_access():
        return actions.close_solved_tickets(timezone.now())
