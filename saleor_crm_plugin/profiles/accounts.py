"""How an account event changes the profile's own details (pure: no database)."""

from __future__ import annotations

from django.utils import timezone

from ..events import Customer, normalise_email
from . import timeline
from .models import ConsentSource, CustomerProfile, TimelineEntry

# What an account event owns on the profile; counters belong to purchases and are never saved here.
ACCOUNT_FIELDS = ["email", "first_name", "last_name", "is_active", "joined_at", "account_version"]
CONSENT_FIELDS = ["marketing_consent", "consent_changed_at", "consent_source", "consent_changed_by"]


def fold(profile: CustomerProfile, data: Customer) -> list[str]:
    """Take the account's details unless the profile holds newer ones; return the fields set."""
    version = data.updated_at or data.date_joined
    stale = profile.account_version is not None and (version is None or version < profile.account_version)
    if profile.anonymised_at is not None or stale:
        return []
    profile.email = normalise_email(data.email)
    profile.first_name, profile.last_name = data.first_name, data.last_name
    profile.is_active = data.is_active
    profile.joined_at = data.date_joined or profile.joined_at
    profile.account_version = version
    return ACCOUNT_FIELDS + _fold_consent(profile, data.marketing_consent, version)


def _fold_consent(profile: CustomerProfile, consent: bool | None, version) -> list[str]:
    """The store's consent flag, unless the CRM changed consent after this account state: the CRM
    wrote that change back to the store, so only a newer store state (the shopper changing it in the
    storefront) may override it, and a replayed older update never re-subscribes anyone."""
    if consent is None or consent == profile.marketing_consent:
        return []
    if profile.consent_changed_at is not None and (version is None or version <= profile.consent_changed_at):
        return []
    profile.marketing_consent = consent
    profile.consent_changed_at = version or timezone.now()
    profile.consent_source, profile.consent_changed_by = ConsentSource.STORE, None
    return CONSENT_FIELDS


def registered_entry(profile: CustomerProfile, data: Customer) -> TimelineEntry:
    return timeline.entry(
        profile.pk,
        "customer.registered",
        data.date_joined or timezone.now(),
        "Created an account",
        {},
        f"customer.registered:{data.user_id}",
    )
