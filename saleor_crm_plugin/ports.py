"""Interfaces for what only the store can do, resolved from the host's settings.

The core asks these; ``saleor_crm_plugin.saleor.ports`` answers them inside Saleor and
``saleor_crm_plugin.sandbox.ports`` in the sandbox. A host picks its implementations with the
Django setting ``CRM_PORTS`` (name -> dotted path); the defaults are Saleor's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .auth import Authenticator
from .events import Event, EventReference
from .loyalty.rewards import IssuedReward, RewardRequest

DEFAULT_PORTS = {
    "config_source": "saleor_crm_plugin.saleor.ports.PluginConfigSource",
    "backfill_source": "saleor_crm_plugin.saleor.ports.SaleorBackfillSource",
    "writer_access": "saleor_crm_plugin.saleor.ports.WriterAccess",
    "authenticator": "saleor_crm_plugin.saleor.auth.SaleorAuthenticator",
    "reward_issuer": "saleor_crm_plugin.saleor.rewards.SaleorRewardIssuer",
    "metadata_mirror": "saleor_crm_plugin.saleor.metadata.SaleorMetadataMirror",
    "mailer": "saleor_crm_plugin.saleor.mail.SaleorMailer",
    "event_rebuilder": "saleor_crm_plugin.saleor.event_builders.EventRebuilder",
}


class ConfigSource(Protocol):
    def load(self) -> dict[str, Any]:
        """Settings the merchant changed in the store's own configuration UI."""


class BackfillSource(Protocol):
    """Existing store data, as the same events live hooks produce, in primary-key order."""

    def count(self, subject: str) -> int:
        """How many customers or orders (``subject``) there are, for the progress bar."""

    def batches(self, subject: str, after: str | None, size: int) -> Iterator[tuple[str, list[Event]]]:
        """Yield ``(cursor, events)`` batches after ``cursor``; a cursor resumes the walk."""


class WriterAccess(Protocol):
    def __call__(self) -> AbstractContextManager:
        """A context in which background work may write to the primary database."""


@cache
def _port(name: str) -> Any:
    paths = {**DEFAULT_PORTS, **getattr(settings, "CRM_PORTS", {})}
    return import_string(paths[name])()


def config_source() -> ConfigSource:
    return _port("config_source")


def backfill_source() -> BackfillSource:
    return _port("backfill_source")


def writer_access() -> AbstractContextManager:
    return _port("writer_access")()


def authenticator() -> Authenticator:
    return _port("authenticator")


class EventRebuilder(Protocol):
    def __call__(self, references: Sequence[EventReference]) -> list[Event | None]:
        """Build each referenced event from the store's object as it is now, in order; None where the object
        is gone. A whole batch costs a few queries, whatever its size."""


def event_rebuilder() -> EventRebuilder:
    return _port("event_rebuilder")


# Each domain adds its port's Protocol and accessor below (reward_issuer: loyalty,
# metadata_mirror: segments, mailer: tickets and automation).


class RewardIssuer(Protocol):
    """Issues loyalty rewards in the store (a gift card for the shopper in Saleor)."""

    def currency(self, channel: str) -> str | None:
        """The channel's currency code; None when there is no such channel."""

    def checkout_channel(self, checkout_id: str, user_id: str) -> str | None:
        """The channel slug of the shopper's checkout (by Saleor ID or token; ``user_id``: the account's Saleor
        ID); None when there is no such checkout or it is someone else's (the caller can't tell which)."""

    def issue(self, request: RewardRequest) -> IssuedReward:
        """Issue the reward (and apply it to ``request.checkout_id`` if given); raise RewardNotIssued if refused."""


def reward_issuer() -> RewardIssuer:
    return _port("reward_issuer")


class MetadataMirror(Protocol):
    def write(self, segments: dict[str, list[str]]) -> None:
        """Set each user's (Saleor global ID) private metadata ``crm_segments`` to these segment slugs."""

    def write_consent(self, user_id: str, key: str, consent: bool) -> None:
        """Set the user's metadata ``key`` (the store's consent key) to "true"/"false": the CRM's consent
        is the source of truth, and the store shows what it says."""


def metadata_mirror() -> MetadataMirror:
    return _port("metadata_mirror")


class Mailer(Protocol):
    def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        channel: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send one email through the store's email setup (``channel``: the Saleor channel slug, if any).

        Raises ``OSError`` (e.g. ``smtplib.SMTPException``) when the mail server refuses, so a task retries;
        ``MailNotSetUp`` when the store has no email set up at all (retrying can't help).
        """


class MailNotSetUp(Exception):
    """The store can't send email (a fresh Saleor: no "User emails" plugin, no ``EMAIL_URL``); the
    message says what the merchant should set up."""


def mailer() -> Mailer:
    return _port("mailer")
