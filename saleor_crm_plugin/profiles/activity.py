"""Where and how a shopper shows up: channels and first and last marketing touch (pure)."""

from __future__ import annotations

from datetime import datetime

from .models import CustomerProfile


def earliest(a: dict, b: dict) -> dict:
    """The earlier of two touches (either may be empty)."""
    return min((t for t in (a, b) if t), key=lambda t: t.get("at", ""), default={})


def latest(a: dict, b: dict) -> dict:
    return max((t for t in (a, b) if t), key=lambda t: t.get("at", ""), default={})


def note_touch(profile: CustomerProfile, at: datetime, channel: str, attribution: dict[str, str], via: str) -> set[str]:
    """Update the in-memory profile's channels and touches; return the fields that changed."""
    changed = set()
    if channel and channel not in profile.channels:
        profile.channels = sorted({*profile.channels, channel})
        changed.add("channels")
    if attribution:
        seen = {**attribution, "at": at.isoformat(), "via": via}
        first, last = earliest(profile.first_touch, seen), latest(profile.last_touch, seen)
        if first != profile.first_touch:
            profile.first_touch = first
            changed.add("first_touch")
        if last != profile.last_touch:
            profile.last_touch = last
            changed.add("last_touch")
    return changed
