"""Automation tests run the scheduler at chosen moments and send through Django's locmem outbox."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail

from saleor_crm_plugin.automation.models import Message, MessageStatus
from saleor_crm_plugin.automation.sending import send_messages
from saleor_crm_plugin.automation.tasks import tick

# Quiet hours and the cap are tested on their own; elsewhere they would only move messages around.
OPEN_ALL_DAY = {"automation_quiet_hours": "", "automation_frequency_cap": ""}


class Scheduler:
    """Runs ticks at fixed moments and sends what they hand out, like beat + worker would."""

    def __init__(self):
        self.handed: list[list[int]] = []

    def tick(self, now: datetime, send: bool = True) -> dict:
        before = len(self.handed)
        result = tick(now, send=self.handed.append)
        if send:
            for ids in self.handed[before:]:
                send_messages(ids, now)
        return result

    def messages(self, **filters) -> list[Message]:
        return list(Message.objects.filter(**filters).order_by("pk"))

    def sent(self) -> list[Message]:
        return self.messages(status=MessageStatus.SENT)


@pytest.fixture
def scheduler(crm_settings) -> Scheduler:
    crm_settings(**OPEN_ALL_DAY)
    mail.outbox = []
    return Scheduler()
