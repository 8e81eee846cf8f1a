"""Email through the store's own setup, as Saleor 3.23 sends its customer emails.

Saleor's "User emails" plugin (``mirumee.notifications.user_email``) holds the merchant's SMTP server and
sender per channel; when it is active and configured for the ticket's channel (the order's, else the
first active channel), replies go through that server from that sender. Otherwise Django's email
backend as Saleor configures it (``EMAIL_URL``, ``DEFAULT_FROM_EMAIL``) is used. A fresh store has
neither: Saleor then leaves ``EMAIL_BACKEND`` empty (``dj_email_url.parse("")``), and this mailer says
so with ``MailNotSetUp`` instead of failing to import an empty backend path.
"""

from __future__ import annotations

from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from ..ports import MailNotSetUp

USER_EMAIL_PLUGIN = "mirumee.notifications.user_email"


class SaleorMailer:
    def send(self, *, to, subject, text, html=None, channel=None, headers=None) -> None:
        connection, sender = _store_connection(channel)
        message = EmailMultiAlternatives(
            subject, text, sender, [to], headers=dict(headers or {}), connection=connection
        )
        if html:
            message.attach_alternative(html, "text/html")
        message.send()


def _store_connection(channel: str | None):
    """(connection, from address) of the user-email plugin's SMTP setup, else Django's default backend."""
    from saleor.channel.models import Channel
    from saleor.plugins.email_common import DEFAULT_EMAIL_TIMEOUT, REQUIRED_EMAIL_CONFIG_FIELDS
    from saleor.plugins.manager import get_plugins_manager

    if channel is None:  # a ticket without an order: the store's first active channel speaks for it
        channel = Channel.objects.filter(is_active=True).order_by("pk").values_list("slug", flat=True).first()
    manager = get_plugins_manager(allow_replica=False)
    candidates = manager.get_plugins(channel_slug=channel, active_only=True, plugin_ids=[USER_EMAIL_PLUGIN])
    for plugin in candidates:
        config = getattr(plugin, "config", None)
        if config is not None and all(getattr(config, field, None) for field in REQUIRED_EMAIL_CONFIG_FIELDS):
            connection = get_connection(
                "django.core.mail.backends.smtp.EmailBackend",
                host=config.host,
                port=config.port,
                username=config.username,
                password=config.password,
                use_ssl=config.use_ssl,
                use_tls=config.use_tls,
                timeout=DEFAULT_EMAIL_TIMEOUT,
            )
            return connection, str(Address(config.sender_name or "", addr_spec=config.sender_address))
    if not settings.EMAIL_BACKEND:
        raise MailNotSetUp(
            'The store has no email set up: activate and configure Saleor\'s "User emails" plugin '
            f"for channel {channel!r}, or set EMAIL_URL."
        )
    return get_connection(), settings.DEFAULT_FROM_EMAIL
