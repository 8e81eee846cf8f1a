"""Loaders for segments' relations: count history of many segments, segments of many users."""

from __future__ import annotations

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from ...segments.models import Segment, SegmentEvaluation, SegmentMembership
from ..core.dataloaders import DataLoader, grouped


class MemberCountLoader(DataLoader[int, int]):
    """Members now, counted from the memberships (their unique index): no counter row to keep hot."""

    context_key = "crm_segment_member_count"

    def batch_load(self, keys):
        rows = SegmentMembership.objects.filter(segment_id__in=keys).values("segment_id").annotate(n=Count("*"))
        counts = {row["segment_id"]: row["n"] for row in rows.order_by()}
        return [counts.get(key, 0) for key in keys]


class CountHistoryLoader(DataLoader[tuple[int, int], list[SegmentEvaluation]]):
    """Keys ``(segment_id, limit)``: the newest evaluations of each segment, in one window query per limit."""

    context_key = "crm_segment_count_history"

    def batch_load(self, keys):
        found = {}
        for limit in {limit for _, limit in keys}:
            ids = [segment_id for segment_id, wanted in keys if wanted == limit]
            rows = (
                SegmentEvaluation.objects.filter(segment_id__in=ids)
                .annotate(
                    rank=Window(
                        RowNumber(), partition_by=[F("segment_id")], order_by=[F("evaluated_at").desc(), F("id").desc()]
                    )
                )
                .filter(rank__lte=limit)
                .order_by("segment_id", "rank")
            )
            for segment_id, history in zip(ids, grouped(rows, lambda row: row.segment_id, ids), strict=True):
                found[segment_id, limit] = history
        return [found[key] for key in keys]


class SegmentsByUserIdLoader(DataLoader[str, list[Segment]]):
    """By Saleor's global ID of the account: the segments its profile is a member of."""

    context_key = "crm_segments_by_user_id"

    def batch_load(self, keys):
        rows = (
            Segment.objects.filter(memberships__profile__saleor_user_id__in=keys)
            .annotate(user_id=F("memberships__profile__saleor_user_id"))
            .order_by("name", "id")
        )
        return grouped(rows, lambda row: row.user_id, keys)
