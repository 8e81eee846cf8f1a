"""Staff actions on a profile. The API, commands and tests call these, never the models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .. import ports
from ..errors import ActionError
from ..settings import get_settings
from . import timeline
from .accounts import CONSENT_FIELDS
from .error_codes import CrmCustomerErrorCode
from .models import CustomerNote, CustomerProfile, CustomerTag

MAX_TAG_LENGTH = 64


class ProfileActionError(ActionError):
    codes = CrmCustomerErrorCode


def clean_tags(names: Iterable[str]) -> list[str]:
    tags = sorted({name.strip().lower() for name in names if name.strip()})
    too_long = [tag for tag in tags if len(tag) > MAX_TAG_LENGTH]
    if too_long:
        raise ProfileActionError(
            "tags", CrmCustomerErrorCode.INVALID, f"Tags are at most {MAX_TAG_LENGTH} characters: {too_long[0][:20]}…"
        )
    return tags


@transaction.atomic
def update_tags(profile: CustomerProfile, add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[str]:
    to_add, to_remove = clean_tags(add), clean_tags(remove)
    CustomerTag.objects.filter(profile=profile, name__in=to_remove).delete()
    CustomerTag.objects.bulk_create([CustomerTag(profile=profile, name=n) for n in to_add], ignore_conflicts=True)
    return sorted(profile.tags.values_list("name", flat=True))


@transaction.atomic
def add_note(profile: CustomerProfile, body: str, author=None) -> CustomerNote:
    body = body.strip()
    if not body:
        raise ProfileActionError("body", CrmCustomerErrorCode.REQUIRED, "A note needs some text.")
    note = CustomerNote.objects.create(profile=profile, body=body, author=author)
    timeline.record(
        [
            timeline.entry(
                profile.pk,
                "note.added",
                note.created_at,
                f"Note: {body[:200]}",
                {"note_id": note.pk},
                f"note.added:{note.pk}",
            )
        ]
    )
    return note


@transaction.atomic
def delete_note(note: CustomerNote) -> None:
    note.profile.timeline.filter(unique_key=f"note.added:{note.pk}").delete()
    note.delete()


@transaction.atomic
def set_marketing_consent(
    profile: CustomerProfile, consent: bool, *, source: str, by=None, now: datetime | None = None
) -> CustomerProfile:
    """The one way consent changes in the CRM: the profile's flag is the source of truth, recorded with
    who changed it, when and from where, and written back to the store's consent metadata on commit
    (so the storefront, other apps and the next account event all say the same)."""
    now = now or timezone.now()
    locked = CustomerProfile.objects.select_for_update().get(pk=profile.pk)
    locked.marketing_consent, locked.consent_changed_at = consent, now
    locked.consent_source, locked.consent_changed_by = source, by
    locked.save(update_fields=[*CONSENT_FIELDS, "updated_at"])
    for field in CONSENT_FIELDS:
        setattr(profile, field, getattr(locked, field))
    said = "Subscribed to marketing" if consent else "Unsubscribed from marketing"
    data = {"source": source, "by": getattr(by, "pk", None)}
    timeline.record([timeline.entry(profile.pk, "consent.changed", now, f"{said} ({source})", data)])
    if locked.saleor_user_id:
        user_id, key = locked.saleor_user_id, get_settings().consent_metadata_key
        transaction.on_commit(lambda: ports.metadata_mirror().write_consent(user_id, key, consent))
    return profile
