"""Stored membership: full evaluation as a set difference in SQL, and the live re-check after events.

A full evaluation records who entered and who left as ``SegmentMembershipChange`` rows (the events
automation triggers on) and timeline entries, all with ``INSERT … SELECT``: no customer passes through
Python. The first evaluation of a new segment stores its members silently: they did not "enter" it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Case, CharField, DateTimeField, Exists, F, JSONField, OuterRef, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from ..profiles import timeline
from ..profiles.models import CustomerProfile, TimelineEntry
from .language import SegmentQueryError, compile_query
from .models import Segment, SegmentEvaluation, SegmentMembership, SegmentMembershipChange
from .sql import insert_select

logger = logging.getLogger(__name__)
ENTERED, LEFT = SegmentMembershipChange.ENTERED, SegmentMembershipChange.LEFT
CHANGE_COLUMNS = ["segment_id", "profile_id", "change", "occurred_at", "evaluation_id"]


@transaction.atomic
def evaluate_segment(segment: Segment, now: datetime | None = None) -> SegmentEvaluation:
    """Re-evaluate ``segment`` over all profiles; one row of count history per call."""
    now = now or timezone.now()
    segment = Segment.objects.select_for_update().get(pk=segment.pk)  # one evaluation of a segment at a time
    compiled = compile_query(segment.query, now)
    target = compiled.profiles()
    members = SegmentMembership.objects.filter(segment=segment)
    evaluation = SegmentEvaluation.objects.create(segment=segment, evaluated_at=now, member_count=0)
    if segment.evaluated_at is None:  # the live re-check skips it until now: no concurrent writer
        rows = target.annotate(_segment=Value(segment.pk), _since=Value(now, output_field=DateTimeField()))
        insert_select(
            SegmentMembership, ["segment_id", "profile_id", "since"], rows.values_list("_segment", "pk", "_since")
        )
    else:
        # Members whose profile is gone (no database FK, see SegmentMembership) leave without an event.
        members.exclude(Exists(CustomerProfile.objects.filter(pk=OuterRef("profile_id")))).delete()
        entered = target.exclude(Exists(members.filter(profile=OuterRef("pk"))))
        left = members.exclude(Exists(target.filter(pk=OuterRef("profile_id"))))
        evaluation.entered = _record_changes(segment, evaluation, ENTERED, entered, "pk", now)
        evaluation.left = _record_changes(segment, evaluation, LEFT, left, "profile_id", now)
        changes = SegmentMembershipChange.objects.filter(evaluation=evaluation)
        members.filter(profile__in=changes.filter(change=LEFT).values("profile_id")).delete()
        insert_select(
            SegmentMembership,
            ["segment_id", "profile_id", "since"],
            changes.filter(change=ENTERED).values_list("segment_id", "profile_id", "occurred_at"),
            skip_conflicts=True,
        )
        insert_select(TimelineEntry, TIMELINE_COLUMNS, _timeline_rows(segment, changes), skip_conflicts=True)
    evaluation.member_count = members.count()
    evaluation.save(update_fields=["member_count", "entered", "left"])
    Segment.objects.filter(pk=segment.pk).update(
        member_count=evaluation.member_count,
        evaluated_at=now,
        time_relative=compiled.time_relative,
    )
    return evaluation


def _record_changes(
    segment: Segment, evaluation: SegmentEvaluation, change: str, rows, profile_column: str, now: datetime
) -> int:
    rows = rows.annotate(
        _segment=Value(segment.pk),
        _change=Value(change),
        _at=Value(now, output_field=DateTimeField()),
        _evaluation=Value(evaluation.pk),
    )
    columns = rows.values_list("_segment", profile_column, "_change", "_at", "_evaluation")
    return insert_select(SegmentMembershipChange, CHANGE_COLUMNS, columns)


TIMELINE_COLUMNS = ["profile_id", "kind", "occurred_at", "summary", "data", "unique_key"]


def _timeline_rows(segment: Segment, changes):
    """The timeline entry of each change, built by the database: ``segment.entered`` / ``segment.left``."""
    return changes.annotate(
        _kind=Concat(Value("segment."), F("change"), output_field=CharField()),
        _summary=Case(
            When(change=ENTERED, then=Value(f"Entered segment {segment.name}"[:512])),
            default=Value(f"Left segment {segment.name}"[:512]),
            output_field=CharField(),
        ),
        _data=Value({"segment_id": segment.pk, "segment": segment.slug}, output_field=JSONField()),
        _key=Concat(
            Value("segment."),
            F("change"),
            Value(":"),
            Cast("id", output_field=CharField()),
            output_field=CharField(),
        ),
    ).values_list("profile_id", "_kind", "occurred_at", "_summary", "_data", "_key")


def recheck_profiles(profile_ids: Iterable[int], now: datetime | None = None) -> list[SegmentMembershipChange]:
    """Bring the memberships of a few profiles up to date: one query per segment, over those ids only."""
    ids = sorted(set(profile_ids))
    if not ids:
        return []
    now = now or timezone.now()
    segments = list(Segment.objects.filter(evaluated_at__isnull=False).order_by("pk"))
    current: dict[int, set[int]] = {}
    for segment_id, profile_id in SegmentMembership.objects.filter(profile_id__in=ids).values_list(
        "segment_id", "profile_id"
    ):
        current.setdefault(segment_id, set()).add(profile_id)
    changes: list[SegmentMembershipChange] = []
    for segment in segments:
        try:
            compiled = compile_query(segment.query, now)
        except SegmentQueryError:
            logger.warning("segment %s has a query that no longer compiles; skipped", segment.slug, exc_info=True)
            continue
        matching = set(compiled.profiles().filter(pk__in=ids).values_list("pk", flat=True))
        was = current.get(segment.pk, set())
        changes += [
            SegmentMembershipChange(segment=segment, profile_id=p, change=ENTERED, occurred_at=now)
            for p in sorted(matching - was)
        ]
        changes += [
            SegmentMembershipChange(segment=segment, profile_id=p, change=LEFT, occurred_at=now)
            for p in sorted(was - matching)
        ]
    if changes:
        _apply_changes(changes)
    return changes


def _apply_changes(changes: list[SegmentMembershipChange]) -> None:
    SegmentMembershipChange.objects.bulk_create(changes)
    left = [c for c in changes if c.change == LEFT]
    entered = [c for c in changes if c.change == ENTERED]
    for segment_id in {c.segment_id for c in left}:
        gone = [c.profile_id for c in left if c.segment_id == segment_id]
        SegmentMembership.objects.filter(segment_id=segment_id, profile_id__in=gone).delete()
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(segment_id=c.segment_id, profile_id=c.profile_id, since=c.occurred_at) for c in entered],
        ignore_conflicts=True,
    )
    deltas: dict[int, int] = {}
    for change in changes:
        deltas[change.segment_id] = deltas.get(change.segment_id, 0) + (1 if change.change == ENTERED else -1)
    for segment_id, delta in deltas.items():
        Segment.objects.filter(pk=segment_id).update(member_count=F("member_count") + delta)
    timeline.record(
        timeline.entry(
            change.profile_id,
            f"segment.{change.change}",
            change.occurred_at,
            f"{'Entered' if change.change == ENTERED else 'Left'} segment {change.segment.name}",
            {"segment_id": change.segment_id, "segment": change.segment.slug},
            f"segment.{change.change}:{change.pk}",
        )
        for change in changes
    )
