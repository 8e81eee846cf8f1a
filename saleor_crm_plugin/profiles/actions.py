"""Staff actions on a profile. The API, commands and tests call these, never the models."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..errors import ActionError
from . import timeline
from .models import CustomerNote, CustomerProfile, CustomerTag

MAX_TAG_LENGTH = 64


class ProfileActionError(ActionError):
    pass


def clean_tags(names: Iterable[str]) -> list[str]:
    tags = sorted({name.strip().lower() for name in names if name.strip()})
    too_long = [tag for tag in tags if len(tag) > MAX_TAG_LENGTH]
    if too_long:
        raise ProfileActionError(
            "tags", "INVALID", f"Tags are at most {MAX_TAG_LENGTH} characters: {too_long[0][:20]}…"
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
        raise ProfileActionError("body", "REQUIRED", "A note needs some text.")
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


def set_marketing_consent(profile: CustomerProfile, consent: bool) -> None:
    profile.marketing_consent = consent
    profile.save(update_fields=["marketing_consent", "updated_at"])
    timeline.record(
        [
            timeline.entry(
                profile.pk,
                "consent.changed",
                timezone.now(),
                "Subscribed to marketing" if consent else "Unsubscribed from marketing",
            )
        ]
    )
