"""Which profile each fact of a run belongs to: the account's when there is one, else the mailbox's.

Resolved in memory over the profiles a run names (loaded in one query); new profiles are created
together in one INSERT. A guest's history joins the account as soon as both are seen under one
email: adopting the guest profile in memory when the account has none yet, merging the two in the
database (then restarting the run) in the rare case both exist. Saleor links old guest orders to a
new account with a bulk update that fires no hook, so the CRM has to do this itself.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from ..bulk import update_rows
from ..events import Event, normalise_email
from ..receipts import DeletedAccount
from . import activity, aggregates, timeline
from .accounts import CONSENT_FIELDS
from .models import CheckoutSnapshot, CustomerNote, CustomerProfile, CustomerTag, OrderSnapshot, TimelineEntry


class ProfilesMoved(Exception):
    """A guest profile was merged into an account: snapshots moved, so the run starts over."""


def _locked_profiles(query: Q):
    """The run's profiles, locked until the run commits, in id order (workers never wait in a circle).

    The run merges channels and touches into what it read and writes them back: without the lock, two
    workers on one shopper both read, and the later write drops the earlier one's. ``NO KEY UPDATE``
    leaves rows pointing at the profile (timeline, memberships) insertable by others meanwhile.
    """
    return CustomerProfile.objects.filter(query).order_by("pk").select_for_update(no_key=True)


class Shoppers:
    """The run's profiles, one object per row, with the indexes that resolve a shopper."""

    def __init__(self, events: list[Event], owner_ids: set[int]):
        user_ids = {e.data.user_id for e in events if e.data.user_id}
        user_pks = {e.data.user_pk for e in events if e.data.user_pk is not None}
        emails = {normalise_email(e.data.email) for e in events if e.data.email}
        self.by_id: dict[int, CustomerProfile] = {}
        self.by_user: dict[str, CustomerProfile] = {}
        self.guest_by_email: dict[str, CustomerProfile] = {}
        self.account_by_email: dict[str, CustomerProfile] = {}
        self.unsaved: list[CustomerProfile] = []
        self.changed: dict[int, tuple[CustomerProfile, set[str]]] = {}  # id(profile) -> fields to save
        query = Q(id__in=owner_ids) | Q(saleor_user_id__in=user_ids) | Q(email__in=emails, anonymised_at__isnull=True)
        for profile in _locked_profiles(query) if (owner_ids or user_ids or emails) else ():
            self._index(profile)
        self._user_ids, self._user_pks = user_ids, user_pks

    @cached_property
    def forgotten(self) -> set[str]:
        """Accounts of this run the store deleted (read only when a new account profile is due)."""
        return set(
            DeletedAccount.objects.filter(saleor_user_id__in=self._user_ids).values_list("saleor_user_id", flat=True)
        )

    @cached_property
    def existing_user_pks(self) -> set[int]:
        """The FK only points at user rows that exist (one may be deleted before a late event)."""
        if not self._user_pks:
            return set()
        return set(get_user_model().objects.filter(pk__in=self._user_pks).values_list("pk", flat=True))

    def shopper(self, email: str, user_id: str | None, user_pk: int | None) -> CustomerProfile | None:
        """The profile a purchase or checkout belongs to; None for a deleted account's late facts."""
        if user_id:
            return self.account(user_id, user_pk, email)
        email = normalise_email(email)
        # A guest buying with an account's email is that account's shopper.
        profile = self.account_by_email.get(email) or self.guest_by_email.get(email)
        return profile if profile is not None else self._new(email=email)

    def account(self, user_id: str, user_pk: int | None, email: str, known_as: bool = False) -> CustomerProfile | None:
        """The account's profile; ``known_as``: the email is the account's own (an account event)."""
        email = normalise_email(email)
        profile = self.by_user.get(user_id)
        guest = self.guest_by_email.get(email) if email else None
        if profile is not None:
            if guest is not None and profile.anonymised_at is None:
                merge(guest, into=profile)
                raise ProfilesMoved
            if known_as and email and profile.anonymised_at is None:
                self.account_by_email.setdefault(email, profile)  # guest orders with a new email land here
            return profile
        if user_id in self.forgotten:
            return None
        user = user_pk if user_pk in self.existing_user_pks else None
        if guest is None:
            return self._new(email=email, saleor_user_id=user_id, user_id=user)
        del self.guest_by_email[email]
        guest.saleor_user_id, guest.user_id = user_id, user
        self._index(guest)
        self.mark_changed(guest, ["saleor_user_id", "user"])
        return guest

    def owner(self, snapshot: OrderSnapshot, user_id: str | None, user_pk: int | None, email: str) -> CustomerProfile:
        """Keep an order's known owner unless the event names another account."""
        current = self.by_id[snapshot.profile_id]
        if user_id is None or current.saleor_user_id == user_id:
            return current
        return self.account(user_id, user_pk, email) or current

    def mark_changed(self, profile: CustomerProfile, fields: list[str]) -> None:
        if fields:
            self.changed.setdefault(id(profile), (profile, set()))[1].update(fields)

    def create_unsaved(self) -> None:
        """Insert every profile the run needs in one statement, so later steps have their keys."""
        if self.unsaved:
            CustomerProfile.objects.bulk_create(self.unsaved)
            for profile in self.unsaved:
                self.by_id[profile.pk] = profile
            self.unsaved = []

    def save_changed(self) -> None:
        if self.changed:
            fields = sorted(set().union(*(f for _, f in self.changed.values())) | {"updated_at"})
            update_rows((profile for profile, _ in self.changed.values()), fields)  # stamps updated_at

    def _new(self, **fields) -> CustomerProfile:
        profile = CustomerProfile(**fields)
        self.unsaved.append(profile)
        self._index(profile)
        return profile

    def _index(self, profile: CustomerProfile) -> None:
        if profile.pk is not None:
            self.by_id[profile.pk] = profile
        if profile.saleor_user_id:
            self.by_user[profile.saleor_user_id] = profile
        if profile.anonymised_at is None and profile.email:
            index = self.account_by_email if profile.saleor_user_id else self.guest_by_email
            index.setdefault(profile.email, profile)


def merge(source: CustomerProfile, into: CustomerProfile) -> None:
    """Move everything of ``source`` onto ``into`` and delete it; counters are rebuilt, not added."""
    for model in (OrderSnapshot, CheckoutSnapshot, TimelineEntry, CustomerNote):
        model.objects.filter(profile=source).update(profile=into)
    for name in CustomerTag.objects.filter(profile=source).values_list("name", flat=True):
        CustomerTag.objects.get_or_create(profile=into, name=name)
    if into.marketing_consent is None:  # the guest's consent, with who gave it and when
        for field in CONSENT_FIELDS:
            setattr(into, field, getattr(source, field))
    into.first_touch = activity.earliest(into.first_touch, source.first_touch)
    into.last_touch = activity.latest(into.last_touch, source.last_touch)
    into.channels = sorted(set(into.channels) | set(source.channels))
    into.last_activity_at = max(filter(None, [into.last_activity_at, source.last_activity_at]), default=None)
    into.save(
        update_fields=[*CONSENT_FIELDS, "first_touch", "last_touch", "channels", "last_activity_at", "updated_at"]
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
