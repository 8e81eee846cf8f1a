"""Starting flows: facts of a flow's trigger kind on the timeline become enrollments, set-based.

New facts are found by ``recorded_at`` with a look-back, because a transaction that started earlier
can commit after a later one; re-reading is harmless since an enrollment is unique per flow and
trigger key. A fact recorded before the flow was switched on, or that happened longer ago than the
trigger age limit (a backfill of old history), starts nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import CharField, DateTimeField, Exists, F, JSONField, OuterRef, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, Now

from ..profiles.models import TimelineEntry
from ..segments.models import SegmentMembership
from ..segments.sql import insert_select
from .models import Enrollment, Flow

LOOK_BACK = timedelta(minutes=30)

# Timeline kinds a flow can start on, with what they mean to a merchant.
TRIGGERS = {
    "customer.registered": "A customer created an account.",
    "customer.birthday": "It is the customer's birthday (birth date known).",
    "checkout.abandoned": "A checkout with an email and lines was left untouched (once per checkout).",
    "order.placed": "An order was placed.",
    "order.paid": "An order was fully paid.",
    "order.fulfilled": "An order was fulfilled.",
    "order.cancelled": "An order was cancelled.",
    "order.refunded": "An order was (partly) refunded.",
    "segment.entered": "The customer entered the flow's trigger segment.",
    "segment.left": "The customer left the flow's trigger segment.",
    "loyalty.tier_changed": "The customer reached a higher loyalty tier.",
    "loyalty.points_expiring": "Some of the customer's points expire soon.",
}
SEGMENT_TRIGGERS = ("segment.entered", "segment.left")
COLUMNS = ["flow_id", "profile_id", "trigger_key", "context", "triggered_at", "enrolled_at", "status",
           "next_position", "next_at"]  # fmt: skip


def enroll(now: datetime, max_age: timedelta) -> int:
    """Start every active flow for its new trigger facts; the number of enrollments made."""
    made = 0
    for flow in Flow.objects.filter(is_active=True).prefetch_related("steps"):
        steps = list(flow.steps.all())
        if not steps:
            continue
        facts = _facts(flow, steps[0].wait_minutes, now, max_age)
        made += insert_select(Enrollment, COLUMNS, facts, skip_conflicts=True)
    return made


def _facts(flow: Flow, first_wait: int, now: datetime, max_age: timedelta):
    # ``recorded_at`` is the database's clock, so the look-back is too.
    facts = TimelineEntry.objects.filter(
        kind=flow.trigger,
        recorded_at__gte=Now() - LOOK_BACK,
        occurred_at__gte=now - max_age,
        profile__anonymised_at__isnull=True,
    )
    if flow.active_since:
        facts = facts.filter(recorded_at__gte=flow.active_since)
    if flow.trigger in SEGMENT_TRIGGERS:
        facts = facts.filter(data__segment=flow.trigger_segment)
    if flow.trigger == "loyalty.tier_changed":
        facts = facts.filter(data__reached=True)
    if flow.segment_filter:
        members = SegmentMembership.objects.filter(segment__slug=flow.segment_filter, profile_id=OuterRef("profile_id"))
        facts = facts.filter(Exists(members))
    facts = facts.annotate(_key=_trigger_key(flow.trigger))
    facts = facts.exclude(Exists(Enrollment.objects.filter(flow=flow, trigger_key=OuterRef("_key"))))
    return facts.annotate(
        _flow=Value(flow.pk),
        _context=Cast("data", JSONField()),
        _now=Value(now, output_field=DateTimeField()),
        _status=Value("active"),
        _position=Value(1),
        _next=F("occurred_at") + Value(timedelta(minutes=first_wait)),
    ).values_list("_flow", "profile_id", "_key", "_context", "occurred_at", "_now", "_status", "_position", "_next")


def _trigger_key(trigger: str):
    """One flow per checkout, however often it is abandoned again; otherwise one per fact."""
    if trigger == "checkout.abandoned":
        return Concat(Value("checkout:"), KT("data__token"), output_field=CharField())
    by_entry = Concat(Value("entry:"), Cast("id", CharField()), output_field=CharField())
    return Coalesce(F("unique_key"), by_entry, output_field=CharField())
