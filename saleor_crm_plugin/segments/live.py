"""Live membership: after each run of ingested events, re-check the profiles it touched."""

from __future__ import annotations

from ..events import Event
from ..ingest import subscribe
from ..profiles.models import CustomerProfile
from . import fields, rfm  # noqa: F401 - register the profile and RFM fields of the language
from .membership import recheck_profiles
from .mirror import mirror_changes


@subscribe
def recheck_after_run(events: list[Event], profiles: list[CustomerProfile | None]) -> None:
    changes = recheck_profiles(profile.pk for profile in profiles if profile is not None and profile.pk)
    mirror_changes(changes)
