"""When the store deletes a customer: anonymise (keep aggregates) or delete, per the setting."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Left, Replace, Substr, Upper
from django.utils import timezone

from ..events import Customer
from ..receipts import DeadLetter, remember_deleted
from ..settings import get_settings
from . import timeline
from .models import CheckoutSnapshot, CustomerNote, CustomerProfile, CustomerTag, OrderSnapshot, TimelineEntry

PERSONAL_FIELDS = ["email", "first_name", "last_name", "user", "marketing_consent"]
REMOVED = "(removed: customer deleted)"

# What other domains hold about the person: each erases its own (tickets' texts, messages' addresses,
# the ledger's reasons, ...). The test that fills every text field of every model proves none is missed.
Eraser = Callable[[list[int]], object]
_erasers: list[Eraser] = []


def register_eraser(erase: Eraser) -> Eraser:
    """Have ``erase(profile_ids)`` run whenever profiles are anonymised, in the same transaction, while the
    profiles still hold their email and Saleor ID (to find rows that point at the person without a key)."""
    if erase not in _erasers:
        _erasers.append(erase)
    return erase


def forget(customer: Customer) -> CustomerProfile | None:
    """Apply the deletion policy to the account's profile; a tombstone when none existed yet.

    Under ``anonymise`` a profile is kept (or made) without PII, so late events about the account
    land on it instead of recreating one; under both policies the account is remembered as deleted.
    """
    remember_deleted(customer.user_id)
    profile = CustomerProfile.objects.select_for_update().filter(saleor_user_id=customer.user_id).first()
    scrub_dead_letters(customer.user_id, profile.email if profile else customer.email)
    if get_settings().deleted_customer_policy == "delete":
        if profile is not None:
            profile.delete()
        return None
    if profile is None:
        profile = CustomerProfile.objects.create(saleor_user_id=customer.user_id)
    anonymise(profile)
    return profile


def anonymise(profile: CustomerProfile) -> None:
    """Remove what identifies the person; keep counters, spend and the order history's shape.

    The profile row is written first: it is the lock that a link's late write (a survey answer, a
    click) takes too, so such a write is either erased below or finds the customer gone."""
    now = timezone.now()
    CustomerProfile.objects.filter(pk=profile.pk).update(is_active=False, anonymised_at=now)
    for erase in _erasers:
        erase([profile.pk])
    CustomerNote.objects.filter(profile=profile).delete()
    CustomerTag.objects.filter(profile=profile).delete()
    _erase_timeline(profile.pk)
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


def _erase_timeline(profile_id: int) -> None:
    """Every entry keeps its kind and time; its text and data go (survey comments, adjustment reasons,
    clicked URLs with checkout tokens: any domain's words). Staff notes' entries go altogether.

    The summary becomes the kind in words ("order.placed" -> "Order placed"), so a new kind of fact is
    covered without anyone remembering to list it."""
    entries = TimelineEntry.objects.filter(profile_id=profile_id)
    entries.filter(kind="note.added").delete()
    words = Replace(Replace(F("kind"), Value("."), Value(" ")), Value("_"), Value(" "))
    entries.update(summary=Concat(Upper(Left(words, 1)), Substr(words, 2)), data={})


def scrub_dead_letters(user_id: str, email: str) -> int:
    """Failed events about the person keep their facts (a replay lands on the anonymised profile) but
    lose the email, names and the error text (which may quote them)."""
    about = Q()
    for subject in ("customer", "order", "checkout"):
        about |= Q(**{f"payload__{subject}__user_id": user_id})
        if email:
            about |= Q(**{f"payload__{subject}__email": email})
    letters = list(DeadLetter.objects.filter(about))
    for letter in letters:
        for subject in ("customer", "order", "checkout"):
            data = letter.payload.get(subject)
            if isinstance(data, dict):
                data.update({key: "" for key in ("email", "first_name", "last_name") if key in data})
        letter.error = REMOVED
    DeadLetter.objects.bulk_update(letters, ["payload", "error"])
    return len(letters)
