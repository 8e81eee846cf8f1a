"""Signed links in messages (open pixel, tracked click, unsubscribe, survey) and what they record.

Tokens are Django-signed (``SECRET_KEY``), so a link can't be forged or pointed at another customer or
URL; they carry no timestamp: an old email's unsubscribe link must still work.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings as django_settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from ..profiles import timeline
from ..profiles.actions import set_marketing_consent
from ..profiles.models import ConsentSource, CustomerProfile
from ..settings import get_settings
from .models import MarketingPreference, Message

PLUGIN_PATH = "/plugins/global/saleor.crm"
OPEN, CLICK, UNSUBSCRIBE, SURVEY = "crm.open", "crm.click", "crm.unsubscribe", "crm.survey"


def base_url() -> str:
    """Where the store serves the plugin: the configured URL, else the host's ``PUBLIC_URL`` + plugin path."""
    configured = get_settings().automation_public_url.rstrip("/")
    if configured:
        return configured
    public = getattr(django_settings, "PUBLIC_URL", None) or "http://localhost:8000"
    return public.rstrip("/") + PLUGIN_PATH


def open_url(message_id: int) -> str:
    return f"{base_url()}/m/open/{_sign(message_id, OPEN)}.gif"


def click_url(message_id: int, target: str) -> str:
    return f"{base_url()}/m/click/{_sign([message_id, target], CLICK, compress=True)}"


def unsubscribe_url(profile_id: int) -> str:
    return f"{base_url()}/m/unsubscribe/{_sign(profile_id, UNSUBSCRIBE)}"


def survey_url(message_id: int) -> str:
    return f"{base_url()}/m/survey/{_sign(message_id, SURVEY)}"


def _sign(value, salt: str, compress: bool = False) -> str:
    """Deterministic (no timestamp): the same message always links to the same URL."""
    return signing.Signer(salt=salt).sign_object(value, compress=compress)


def read(token: str, salt: str):
    """The signed value, or None for a forged or mangled token."""
    try:
        return signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None


def record_open(message_id: int, now: datetime) -> bool:
    with transaction.atomic():
        message = _touch(message_id, opens=F("opens") + 1, opened_at=Coalesce(F("opened_at"), now))
        if message is None:
            return False
        if message.opens == 1:
            _entry(message, "message.opened", f"Opened “{message.subject}”", now)
    return True


def record_click(message_id: int, target: str, now: datetime) -> bool:
    with transaction.atomic():
        message = _touch(message_id, clicks=F("clicks") + 1, clicked_at=Coalesce(F("clicked_at"), now))
        if message is None:
            return False
        if message.clicks == 1:
            _entry(message, "message.clicked", f"Clicked a link in “{message.subject}”", now, {"url": target})
    return True


def linked_message(message_id: int) -> Message | None:
    """The message a link names, while its customer exists: a deleted customer's links are dead."""
    return Message.objects.filter(pk=message_id, profile__anonymised_at__isnull=True).first()


def linked_profile(profile_id: int) -> CustomerProfile | None:
    return CustomerProfile.objects.filter(pk=profile_id, anonymised_at__isnull=True).first()


def lock_live_profile(profile_id: int) -> bool:
    """In a transaction, before writing what a link brought: lock the customer's row while they exist.

    Anonymising writes that row too, so a link's write either commits before the erasers run (and is
    erased) or waits, finds the customer gone and writes nothing."""
    live = CustomerProfile.objects.select_for_update().filter(pk=profile_id, anonymised_at__isnull=True)
    return live.values_list("pk", flat=True).first() is not None


def _touch(message_id: int, **changes) -> Message | None:
    message = linked_message(message_id)
    if message is None or not lock_live_profile(message.profile_id):
        return None
    if not Message.objects.filter(pk=message.pk, sent_at__isnull=False).update(**changes):
        return None
    message.refresh_from_db()
    return message


def _entry(message: Message, kind: str, summary: str, now: datetime, extra: dict | None = None) -> None:
    data = {"message_id": message.pk, "flow_id": message.flow_id, **(extra or {})}
    timeline.record([timeline.entry(message.profile_id, kind, now, summary, data, f"{kind}:{message.pk}")])


# How an unsubscribe reached us -> where the consent change came from.
CONSENT_SOURCES = {"link": ConsentSource.UNSUBSCRIBE_LINK, "one_click": ConsentSource.UNSUBSCRIBE_LINK}


@transaction.atomic
def set_unsubscribed(profile_id: int, unsubscribed: bool, source: str, now: datetime, by=None) -> MarketingPreference:
    """Unsubscribe (or re-subscribe) a customer from marketing messages; flows end at the next tick.

    Unsubscribing withdraws consent too (recorded with its source, written back to the store); a
    re-subscription is no consent, so consent is left as it is."""
    preference, _ = MarketingPreference.objects.select_for_update().get_or_create(profile_id=profile_id)
    if bool(preference.unsubscribed_at) != unsubscribed:
        preference.unsubscribed_at = now if unsubscribed else None
        preference.source = source
        preference.save()
        kind = "marketing.unsubscribed" if unsubscribed else "marketing.resubscribed"
        summary = "Unsubscribed from marketing messages" if unsubscribed else "Subscribed to marketing messages again"
        timeline.record([timeline.entry(profile_id, kind, now, summary, {"source": source})])
        if unsubscribed:
            profile = CustomerProfile.objects.get(pk=profile_id)
            consent_source = CONSENT_SOURCES.get(source, ConsentSource.STAFF)
            set_marketing_consent(profile, False, source=consent_source, by=by, now=now)
    return preference
