"""``crmCustomers(filter: {segment})``: members of a segment given by slug or ID."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from graphql.error import GraphQLError

from ...segments.models import Segment, SegmentMembership
from ..core.errors import int_pk_or_error


def segment_by_slug_or_id(value: str) -> Segment:
    segment = Segment.objects.filter(slug=value).first()
    if segment is None:
        try:
            pk = int_pk_or_error(value, "CrmSegment")
        except GraphQLError:
            pk = None
        segment = Segment.objects.filter(pk=pk).first() if pk is not None else None
    if segment is None:
        raise GraphQLError(f"Couldn't find the segment {value!r} (give its slug or ID).")
    return segment


def filter_by_segment(queryset: QuerySet, value: str) -> QuerySet:
    segment = segment_by_slug_or_id(value)
    return queryset.filter(Exists(SegmentMembership.objects.filter(segment=segment, profile=OuterRef("pk"))))
