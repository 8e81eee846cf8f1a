"""Loaders for the customer pages' relations: one query for the whole page of customers."""

from __future__ import annotations

from django.db.models import F

from ...segments.models import Segment
from ..core.dataloaders import DataLoader, grouped


class SegmentsByProfileIdLoader(DataLoader[int, list[Segment]]):
    """By profile: the segments it is a member of (a guest has no Saleor ID to look it up by)."""

    context_key = "crm_segments_by_profile_id"

    def batch_load(self, keys):
        rows = (
            Segment.objects.filter(memberships__profile_id__in=keys)
            .annotate(member_id=F("memberships__profile_id"))
            .order_by("name", "id")
        )
        return grouped(rows, lambda row: row.member_id, keys)
