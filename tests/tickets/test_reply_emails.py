"""Emailing staff replies: at most once (committed claim), and a store without mail says so instead of crashing."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime

import pytest
from django.core import mail

from saleor_crm_plugin import ports
from saleor_crm_plugin.sandbox.mail import SandboxMailer
from saleor_crm_plugin.tickets import actions, sending
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import DeliveryStatus, TicketMessage
from saleor_crm_plugin.tickets.tasks import send_ticket_message

pytestmark = pytest.mark.django_db
MONDAY_10 = datetime(2025, 3, 3, 10, tzinfo=UTC)


class WorkerDied(BaseException):
    """The worker process going away (killed, out of memory) right after the mail server took the mail."""


class DiesAfterSendingMailer(SandboxMailer):
    died = False

    def send(self, **kwargs) -> None:
        super().send(**kwargs)
        if not DiesAfterSendingMailer.died:
            DiesAfterSendingMailer.died = True
            raise WorkerDied


class RefusingMailer:
    def send(self, **kwargs) -> None:
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


@pytest.fixture
def mailer_port(settings):
    def use(cls):
        settings.CRM_PORTS = {**settings.CRM_PORTS, "mailer": f"{__name__}.{cls.__name__}"}
        ports._port.cache_clear()

    yield use
    ports._port.cache_clear()


@pytest.fixture
def staff_reply(ada, agent, crm_settings, django_capture_on_commit_callbacks):
    """A staff reply waiting to be emailed (its on-commit task held back, for the test to run)."""
    crm_settings(ticket_email_replies=True)
    with django_capture_on_commit_callbacks(execute=False):
        ticket = actions.open_ticket(ada, "Where is my parcel?", "Not here.", actor=Actor.shopper(), now=MONDAY_10)
        return actions.reply(ticket, "On its way.", actor=Actor.staff(agent), now=MONDAY_10)


def test_a_worker_dying_after_the_mail_went_out_never_sends_it_twice(staff_reply, mailer_port):
    mailer_port(DiesAfterSendingMailer)

    with pytest.raises(WorkerDied):
        send_ticket_message(staff_reply.pk)
    send_ticket_message(staff_reply.pk)  # the retry, or a duplicated delivery of the task

    assert [m.subject for m in mail.outbox] == [f"Re: Where is my parcel? [#T-{staff_reply.ticket_id}]"]
    staff_reply.refresh_from_db()
    assert staff_reply.delivery == DeliveryStatus.SENDING  # unknown outcome: staff see it, nobody resends


def test_a_sent_reply_is_recorded_and_a_duplicate_task_sends_nothing(staff_reply):
    assert staff_reply.delivery == DeliveryStatus.QUEUED

    assert send_ticket_message(staff_reply.pk) is True
    assert send_ticket_message(staff_reply.pk) is False

    assert len(mail.outbox) == 1
    staff_reply.refresh_from_db()
    assert (staff_reply.delivery, staff_reply.delivery_reason) == (DeliveryStatus.SENT, "")
    assert staff_reply.emailed_at is not None


def test_a_store_without_mail_keeps_the_reply_not_sent_with_the_reason(staff_reply, settings):
    settings.EMAIL_BACKEND = ""  # Saleor's value with no EMAIL_URL and no "User emails" plugin

    assert send_ticket_message(staff_reply.pk) is False

    staff_reply.refresh_from_db()
    assert staff_reply.delivery == DeliveryStatus.NOT_SENT
    assert "no email set up" in staff_reply.delivery_reason
    assert staff_reply.emailed_at is None and mail.outbox == []


def test_a_refusing_mail_server_releases_the_claim_for_a_retry_then_gives_up(staff_reply, mailer_port):
    mailer_port(RefusingMailer)

    with pytest.raises(OSError):
        send_ticket_message(staff_reply.pk)
    staff_reply.refresh_from_db()
    assert staff_reply.delivery == DeliveryStatus.QUEUED

    assert sending.send_reply(staff_reply.pk, MONDAY_10, last_try=True) == "not_sent"
    staff_reply.refresh_from_db()
    assert staff_reply.delivery == DeliveryStatus.NOT_SENT
    assert staff_reply.delivery_reason.startswith("The mail server refused it")


def test_notes_and_shopper_messages_are_not_for_emailing(staff_reply, agent):
    actions.add_note(staff_reply.ticket, "VIP", actor=Actor.staff(agent))

    assert set(TicketMessage.objects.exclude(pk=staff_reply.pk).values_list("delivery", flat=True)) == {""}
