"""Loyalty facts on the customer's timeline: one small function per kind."""

from __future__ import annotations

from datetime import datetime

from ..profiles import timeline
from ..profiles.models import TimelineEntry


def tier_changed(profile_id: int, old: str, new: str, at: datetime, unique_key: str | None = None) -> TimelineEntry:
    verb = "Reached" if new else "Left"
    summary = f"{verb} loyalty tier {new or old}" + (f" (was {old})" if old and new else "")
    return timeline.entry(profile_id, "loyalty.tier_changed", at, summary, {"from": old, "to": new}, unique_key)


def redeemed(profile_id: int, redemption_id: int, points: int, value: str, at: datetime) -> TimelineEntry:
    return timeline.entry(
        profile_id,
        "loyalty.redeemed",
        at,
        f"Redeemed {points} points for {value}",
        {"redemption_id": redemption_id, "points": points},
        f"loyalty.redeemed:{redemption_id}",
    )


def adjusted(profile_id: int, entry_id: int, points: int, reason: str, at: datetime) -> TimelineEntry:
    return timeline.entry(
        profile_id,
        "loyalty.adjusted",
        at,
        f"Points adjusted by {points:+d}: {reason}",
        {"points": points, "reason": reason},
        f"loyalty.adjusted:{entry_id}",
    )
