"""Account events: the shopper's own details, sign-up, and what deletion leaves behind."""

from __future__ import annotations

from django.utils import timezone

from ..events import Customer, Event, EventKind, normalise_email
from ..receipts import ProcessedEvent
from . import timeline
from .identity import account_profile, deleted_key
from .models import CustomerProfile
from .privacy import forget

# What an account event owns on the profile; counters belong to purchases and are never saved here.
ACCOUNT_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "is_active",
    "joined_at",
    "account_version",
    "marketing_consent",
    "updated_at",
]


def apply_customer_event(event: Event) -> CustomerProfile | None:
    data: Customer = event.data
    if event.kind == EventKind.CUSTOMER_DELETED:
        return forget(data)
    if ProcessedEvent.objects.filter(key=deleted_key(data.user_id)).exists():
        return None  # a late event about an account the store already deleted
    profile = account_profile(data.user_id, data.user_pk, normalise_email(data.email))
    if profile.anonymised_at is not None:
        return profile
    version = data.updated_at or data.date_joined
    if profile.account_version is None or (version and version >= profile.account_version):
        profile.email = normalise_email(data.email)
        profile.first_name, profile.last_name = data.first_name, data.last_name
        profile.is_active = data.is_active
        profile.joined_at = data.date_joined or profile.joined_at
        profile.account_version = version
        if data.marketing_consent is not None:
            profile.marketing_consent = data.marketing_consent
        profile.save(update_fields=ACCOUNT_FIELDS)
    if event.kind == EventKind.CUSTOMER_CREATED:
        at = data.date_joined or timezone.now()
        timeline.record(
            [
                timeline.entry(
                    profile.pk,
                    "customer.registered",
                    at,
                    "Created an account",
                    {},
                    f"customer.registered:{data.user_id}",
                )
            ]
        )
    return profile
