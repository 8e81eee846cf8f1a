"""Segments every store gets: the RFM groups and the classic purchase-behaviour ones."""

from __future__ import annotations

from .rfm import GROUP_NAMES

BUILTIN_SEGMENTS: tuple[tuple[str, str, str, str], ...] = (
    *(
        (f"rfm-{group.replace('_', '-')}", f"RFM: {name}", f'rfm_segment = "{group}"', f"RFM group {name}.")
        for group, name in GROUP_NAMES.items()
    ),
    ("first-time-buyers", "First-time buyers", "orders_count = 1", "Customers with exactly one order."),
    ("repeat-buyers", "Repeat buyers", "orders_count >= 2", "Customers with two orders or more."),
    (
        "inactive-90-days",
        "Inactive 90 days",
        "orders_count > 0 AND last_order_at < -90d",
        "Bought before, but not in the last 90 days.",
    ),
    ("high-aov", "High AOV", "rfm_aov = 5", "The top fifth by average order value (in the RFM currency)."),
)


def ensure_builtin_segments(segment_model=None) -> int:
    """Create the built-in segments that are missing (a migration passes its historical model)."""
    if segment_model is None:
        from .models import Segment as segment_model
    existing = set(segment_model.objects.filter(is_builtin=True).values_list("slug", flat=True))
    missing = [
        segment_model(slug=slug, name=name, query=query, description=description, is_builtin=True, time_relative=True)
        for slug, name, query, description in BUILTIN_SEGMENTS
        if slug not in existing
    ]
    segment_model.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
