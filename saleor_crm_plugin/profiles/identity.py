"""Which profile a fact belongs to: the account's when there is one, else the mailbox's.

A guest's history joins the account as soon as the CRM sees both under one email: Saleor links
old guest orders to a new account with a bulk update that fires no hook, so the CRM does it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..events import normalise_email
from ..receipts import ProcessedEvent
from . import activity, aggregates, timeline
from .models import (
    CheckoutSnapshot,
    CustomerNote,
    CustomerProfile,
    CustomerTag,
    OrderSnapshot,
    TimelineEntry,
)


class ForgottenCustomer(Exception):
    """The store deleted this account and the CRM deleted its profile: drop late facts about it."""


def deleted_key(user_id: str) -> str:
    return f"customer.deleted:{user_id}:-"


def profile_for(email: str, user_id: str | None, user_pk: int | None) -> CustomerProfile:
    """The profile a purchase or checkout by this shopper belongs to, created when new."""
    email = normalise_email(email)
    if user_id:
        return account_profile(user_id, user_pk, email)
    live = CustomerProfile.objects.filter(email=email, anonymised_at__isnull=True)
    # A guest buying with an account's email is that account's shopper.
    profile = live.order_by(F("saleor_user_id").asc(nulls_last=True)).first()
    if profile is None:
        profile = _create(email=email)
    return profile


def account_profile(user_id: str, user_pk: int | None, email: str) -> CustomerProfile:
    profile = CustomerProfile.objects.filter(saleor_user_id=user_id).first()
    if profile is None:
        if ProcessedEvent.objects.filter(key=deleted_key(user_id)).exists():
            raise ForgottenCustomer(user_id)
        guest = _guest(email)
        if guest is not None:
            guest.saleor_user_id = user_id
            guest.user_id = _existing_user_pk(user_pk)
            guest.save(update_fields=["saleor_user_id", "user", "updated_at"])
            return guest
        return _create(email=email, saleor_user_id=user_id, user_id=_existing_user_pk(user_pk))
    if email and profile.anonymised_at is None:
        guest = _guest(email)
        if guest is not None:
            merge(guest, into=profile)
    return profile


def merge(source: CustomerProfile, into: CustomerProfile) -> None:
    """Move everything of ``source`` onto ``into`` and delete it; counters are rebuilt, not added."""
    with transaction.atomic():
        for model in (OrderSnapshot, CheckoutSnapshot, TimelineEntry, CustomerNote):
            model.objects.filter(profile=source).update(profile=into)
        for name in CustomerTag.objects.filter(profile=source).values_list("name", flat=True):
            CustomerTag.objects.get_or_create(profile=into, name=name)
        into.marketing_consent = (
            into.marketing_consent if into.marketing_consent is not None else source.marketing_consent
        )
        into.first_touch = activity.earliest(into.first_touch, source.first_touch)
        into.last_touch = activity.latest(into.last_touch, source.last_touch)
        into.channels = sorted(set(into.channels) | set(source.channels))
        into.last_activity_at = max(filter(None, [into.last_activity_at, source.last_activity_at]), default=None)
        into.save(
            update_fields=[
                "marketing_consent",
                "first_touch",
                "last_touch",
                "channels",
                "last_activity_at",
                "updated_at",
            ]
        )
        source.delete()
        aggregates.rebuild([into.pk])
        timeline.record(
            [
                timeline.entry(
                    into.pk, "profile.merged", timezone.now(), f"Guest history of {source.email} joined this account"
                )
            ]
        )


def _guest(email: str) -> CustomerProfile | None:
    if not email:
        return None
    return (
        CustomerProfile.objects.select_for_update()
        .filter(email=email, saleor_user_id__isnull=True, anonymised_at__isnull=True)
        .first()
    )


def _create(**fields) -> CustomerProfile:
    """Create, or take the row a concurrent transaction just created under the same unique key."""
    try:
        with transaction.atomic():
            return CustomerProfile.objects.create(**fields)
    except IntegrityError:
        lookup = (
            {"saleor_user_id": fields["saleor_user_id"]}
            if fields.get("saleor_user_id")
            else {"email": fields["email"], "saleor_user_id__isnull": True, "anonymised_at__isnull": True}
        )
        return CustomerProfile.objects.get(**lookup)


def _existing_user_pk(user_pk: int | None) -> int | None:
    """The FK only points at a user row that exists (it may be deleted before a late event)."""
    if user_pk is None:
        return None
    return user_pk if get_user_model().objects.filter(pk=user_pk).exists() else None
