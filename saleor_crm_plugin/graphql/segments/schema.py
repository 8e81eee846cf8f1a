"""Segment queries and mutations, gathered into the CRM schema by ``graphql/schema.py``."""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ...auth import Permission
from ...segments.actions import SegmentActionError
from ...segments.language import SegmentQueryError
from ...segments.models import Segment
from ...segments.preview import preview_segment
from ..core.connection import MAX_PAGE_SIZE, paginate
from ..core.permissions import require
from . import mutations
from .filters import segment_by_slug_or_id
from .types import CrmSegment, CrmSegmentCountableConnection, CrmSegmentPreview, CrmSegmentWarning


class SegmentQueries(graphene.ObjectType):
    crm_segments = graphene.Field(
        CrmSegmentCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        description="Customer segments, by name. Requires MANAGE_USERS.",
    )
    crm_segment = graphene.Field(
        CrmSegment,
        id=graphene.ID(),
        slug=graphene.String(),
        description="One segment by ID or slug. Requires MANAGE_USERS.",
    )
    crm_segment_preview = graphene.Field(
        CrmSegmentPreview,
        query=graphene.String(required=True),
        first=graphene.Int(default_value=10, description=f"Members to show, up to {MAX_PAGE_SIZE}."),
        required=True,
        description="Count and first members of an unsaved query; errors point into the query. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_segments(root, info, **page):
        require(info, Permission.MANAGE_USERS)
        return paginate(Segment.objects.all(), ["name", "id"], page, "crmSegments")

    @staticmethod
    def resolve_crm_segment(root, info, id=None, slug=None):
        require(info, Permission.MANAGE_USERS)
        if (id is None) == (slug is None):
            raise GraphQLError("Give exactly one of the arguments 'id' and 'slug'.")
        try:
            return segment_by_slug_or_id(id or slug)
        except GraphQLError:
            return None

    @staticmethod
    def resolve_crm_segment_preview(root, info, query, first):
        require(info, Permission.MANAGE_USERS)
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise GraphQLError(f"Argument `first` must be between 0 and {MAX_PAGE_SIZE}.")
        try:
            preview = preview_segment(query, limit=first)
        except SegmentQueryError as error:
            problem = SegmentActionError("query", error.code, str(error), error.line, error.column)
            return CrmSegmentPreview(count=None, members=[], errors=[problem.as_error()], warnings=[])
        warnings = CrmSegmentWarning.list_of(preview.warnings)
        return CrmSegmentPreview(count=preview.count, members=preview.members, errors=[], warnings=warnings)


class SegmentMutations(graphene.ObjectType):
    crm_segment_create = mutations.CrmSegmentCreate.Field()
    crm_segment_update = mutations.CrmSegmentUpdate.Field()
    crm_segment_delete = mutations.CrmSegmentDelete.Field()
