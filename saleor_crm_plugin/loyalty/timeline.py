"""Loyalty facts on the customer's timeline: one small function per kind."""

from __future__ import annotations

from datetime import date, datetime

from ..profiles import timeline
from ..profiles.models import TimelineEntry
from .program import points_text


def tier_changed(profile_id: int, old: str, new: str, at: datetime, unique_key: str | None = None) -> TimelineEntry:
    """A tier reached (``unique_key`` given: one entry per tier crossed) or a downgrade (no key)."""
    verb = "Reached" if new else "Left"
    summary = f"{verb} loyalty tier {new or old}" + (f" (was {old})" if old and new else "")
    data = {"from": old, "to": new, "reached": unique_key is not None}
    return timeline.entry(profile_id, "loyalty.tier_changed", at, summary, data, unique_key)


def points_expiring(profile_id: int, points: int, expiring_at: datetime, at: datetime) -> TimelineEntry:
    """Once per expiry date: the daily flag refresh finds the same lot again and again."""
    day = expiring_at.date().isoformat()
    return timeline.entry(
        profile_id,
        "loyalty.points_expiring",
        at,
        f"{points_text(points)} expire on {day}",
        {"points": points, "expiring_at": expiring_at.isoformat()},
        f"loyalty.points_expiring:{profile_id}:{day}",
    )


def birthday(profile_id: int, today: date, at: datetime) -> TimelineEntry:
    return timeline.entry(
        profile_id,
        "customer.birthday",
        at,
        "Birthday",
        {"year": today.year},
        f"customer.birthday:{profile_id}:{today.year}",
    )


def redeemed(profile_id: int, redemption_id: int, points: int, value: str, at: datetime) -> TimelineEntry:
    return timeline.entry(
        profile_id,
        "loyalty.redeemed",
        at,
        f"Redeemed {points_text(points)} for {value}",
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
