"""Which profiles' orders changed since the store analytics were last refreshed.

Ingest tells every run's profiles to this subscriber, which appends them in the run's transaction:
a plain insert, so workers never wait on each other here. A refresh recomputes the days those
profiles ordered on and deletes exactly the marks it read, so a mark added meanwhile survives.
"""

from __future__ import annotations

from ..bulk import insert_rows
from ..events import Event
from ..ingest import subscribe
from ..profiles.models import CustomerProfile
from .store_models import DirtyProfile


@subscribe
def mark_changed_orders(events: list[Event], profiles: list[CustomerProfile | None]) -> None:
    changed = {
        profile.pk for event, profile in zip(events, profiles, strict=True) if profile and event.kind.subject == "order"
    }
    if changed:
        insert_rows(DirtyProfile(profile_id=pk) for pk in sorted(changed))
