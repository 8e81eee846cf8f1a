"""When the store deletes a customer: anonymise (keep aggregates) or delete, per the setting."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from ..events import Customer
from ..settings import get_settings
from . import timeline
from .models import CheckoutSnapshot, CustomerNote, CustomerProfile, OrderSnapshot, TimelineEntry

# Timeline entries whose text a staff member or the shopper wrote: personal by nature.
PERSONAL_TIMELINE_KINDS = ("note.added",)
PERSONAL_FIELDS = ["email", "first_name", "last_name", "user", "marketing_consent"]

# What other domains hold about the person: each erases its own (tickets' texts, messages' addresses).
Eraser = Callable[[list[int]], object]
_erasers: list[Eraser] = []


def register_eraser(erase: Eraser) -> Eraser:
    """Have ``erase(profile_ids)`` run whenever profiles are anonymised, in the same transaction."""
    if erase not in _erasers:
        _erasers.append(erase)
    return erase


def forget(customer: Customer) -> CustomerProfile | None:
    """Apply the deletion policy to the account's profile; a tombstone when none existed yet.

    Under ``anonymise`` a profile is kept (or made) without PII, so late events about the account
    land on it instead of recreating one; under ``delete`` the event's own receipt is the tombstone.
    """
    profile = CustomerProfile.objects.filter(saleor_user_id=customer.user_id).first()
    if get_settings().deleted_customer_policy == "delete":
        if profile is not None:
            profile.delete()
        return None
    if profile is None:
        profile = CustomerProfile.objects.create(saleor_user_id=customer.user_id)
    anonymise(profile)
    return profile


def anonymise(profile: CustomerProfile) -> None:
    """Remove what identifies the person; keep counters, spend and the order history's shape."""
    now = timezone.now()
    CustomerNote.objects.filter(profile=profile).delete()
    TimelineEntry.objects.filter(profile=profile, kind__in=PERSONAL_TIMELINE_KINDS).delete()
    OrderSnapshot.objects.filter(profile=profile).update(email="")
    CheckoutSnapshot.objects.filter(profile=profile).update(email="")
    for field in PERSONAL_FIELDS:
        setattr(profile, field, None if field in ("user", "marketing_consent") else "")
    profile.is_active = False
    profile.anonymised_at = now
    profile.save(update_fields=[*PERSONAL_FIELDS, "is_active", "anonymised_at", "updated_at"])
    timeline.record(
        [timeline.entry(profile.pk, "customer.anonymised", now, "Customer deleted in the store; personal data removed")]
    )
    for erase in _erasers:
        erase([profile.pk])
