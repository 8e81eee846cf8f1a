"""Stored membership: full evaluation as a set difference in SQL, and the live re-check after events.

A full evaluation records who entered and who left as ``SegmentMembershipChange`` rows (the events
automation triggers on) and timeline entries, all with ``INSERT … SELECT``: no customer passes through
Python. The first evaluation of a new segment stores its members silently: they did not "enter" it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from ..profiles import timeline
from ..profiles.models import CustomerProfile, TimelineEntry
from ..settings import get_settings
from .language import CompiledQuery, SegmentQueryError, compile_query
from .models import Segment, SegmentEvaluation, SegmentMembership, SegmentMembershipChange
from .sql import check_cost, insert_select, segment_statement_limits

logger = logging.getLogger(__name__)
ENTERED, LEFT = SegmentMembershipChange.ENTERED, SegmentMembershipChange.LEFT
CHANGE_COLUMNS = ["segment_id", "profile_id", "change", "occurred_at", "evaluation_id"]


@transaction.atomic
def evaluate_segment(segment: Segment, now: datetime | None = None) -> SegmentEvaluation:
    """Re-evaluate ``segment`` over all profiles; one row of count history per call.

    Refused (``SegmentQueryError``) when the planned cost is above the ceiling; every statement is cut
    off after ``segments_evaluation_timeout_ms``, and the whole evaluation is rolled back then.
    """
    now = now or timezone.now()
    settings = get_settings()
    segment = Segment.objects.select_for_update().get(pk=segment.pk)  # one evaluation of a segment at a time
    compiled = compile_query(segment.query, now)
    target = compiled.profiles()
    with segment_statement_limits(settings.segments_evaluation_timeout_ms):
        check_cost(target, settings.segments_max_query_cost)
        return _evaluate(segment, compiled, now)


def _evaluate(segment: Segment, compiled: CompiledQuery, now: datetime) -> SegmentEvaluation:
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
        evaluated_at=now, time_relative=compiled.time_relative, event_driven=compiled.event_driven
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
    """Bring the memberships of a run's profiles up to date, in the same few statements for any number of
    segments: one SELECT answers every segment for every profile (a yes/no column per segment).

    Only segments an event can change are looked at (not RFM groups: scores change when they are
    recomputed, and every RFM segment is re-evaluated then). Lock order, as everywhere: the run's profiles
    (ingest), then segments (shared here, exclusive in ``evaluate_segment``) in id order, then memberships.
    """
    ids = sorted(set(profile_ids))
    if not ids:
        return []
    now = now or timezone.now()
    segments = _live_segments()
    conditions = _conditions(segments, now)
    if not conditions:
        return []
    current = set(
        SegmentMembership.objects.filter(profile_id__in=ids, segment_id__in=conditions).values_list(
            "segment_id", "profile_id"
        )
    )
    matching = matching_pairs(conditions, ids)
    by_id = {segment.pk: segment for segment in segments}
    changes = [
        SegmentMembershipChange(segment=by_id[s], profile_id=p, change=change, occurred_at=now)
        for change, pairs in ((ENTERED, matching - current), (LEFT, current - matching))
        for s, p in sorted(pairs)
    ]
    if changes:
        _apply_changes(changes)
    return changes


def _live_segments() -> list[Segment]:
    """Evaluated segments an event can change, locked against a concurrent evaluation (one statement)."""
    table = connection.ops.quote_name(Segment._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    return list(
        Segment.objects.raw(
            f"SELECT id, name, slug, query FROM {table} WHERE evaluated_at IS NOT NULL AND event_driven"
            f" ORDER BY id{lock}"
        )
    )


def _conditions(segments: list[Segment], now: datetime) -> dict[int, Q]:
    conditions = {}
    for segment in segments:
        try:
            conditions[segment.pk] = compile_query(segment.query, now).condition
        except SegmentQueryError:
            logger.warning("segment %s has a query that no longer compiles; skipped", segment.slug, exc_info=True)
    return conditions


def matching_pairs(conditions: dict[int, Q], profile_ids: list[int]) -> set[tuple[int, int]]:
    """``(segment, profile)`` for every condition each profile meets, in one SELECT with a column per
    segment; the same members ``CompiledQuery.profiles()`` finds (live profiles only)."""
    columns = {
        f"segment_{pk}": ExpressionWrapper(condition, output_field=BooleanField())
        for pk, condition in conditions.items()
    }
    rows = (
        CustomerProfile.objects.filter(pk__in=profile_ids, anonymised_at__isnull=True)
        .annotate(**columns)
        .values_list("pk", *columns)
    )
    return {(pk, profile) for profile, *answers in rows for pk, yes in zip(conditions, answers, strict=True) if yes}


def _apply_changes(changes: list[SegmentMembershipChange]) -> None:
    """Record and apply the changes: a fixed number of statements, no counter rows."""
    SegmentMembershipChange.objects.bulk_create(changes)
    left = Q()
    for change in changes:
        if change.change == LEFT:
            left |= Q(segment_id=change.segment_id, profile_id=change.profile_id)
    if left:
        SegmentMembership.objects.filter(left).delete()
    SegmentMembership.objects.bulk_create(
        [
            SegmentMembership(segment_id=c.segment_id, profile_id=c.profile_id, since=c.occurred_at)
            for c in changes
            if c.change == ENTERED
        ],
        ignore_conflicts=True,
    )
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
