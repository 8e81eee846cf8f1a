"""The sandbox's mail: Django's configured email backend (the local mailbox, see ``mailbox.py``; locmem in tests)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from ..ports import MailNotSetUp


class SandboxMailer:
    def send(self, *, to, subject, text, html=None, channel=None, headers=None) -> None:
        if not settings.EMAIL_BACKEND:  # a sandbox set up like a fresh Saleor store: no mail at all
            raise MailNotSetUp("The sandbox has no email set up: set EMAIL_BACKEND.")
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=dict(headers or {}))
        if html:
            message.attach_alternative(html, "text/html")
        message.send()
