"""The sandbox's mail: Django's configured email backend (the local mailbox, see ``mailbox.py``; locmem in tests)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


class SandboxMailer:
    def send(self, *, to, subject, text, html=None, channel=None, headers=None) -> None:
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=dict(headers or {}))
        if html:
            message.attach_alternative(html, "text/html")
        message.send()
