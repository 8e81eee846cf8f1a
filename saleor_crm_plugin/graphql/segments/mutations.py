"""Staff creating, changing and deleting segments through the segment actions."""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ...auth import Permission
from ...segments import actions
from ...segments.language import compile_query
from ...segments.models import Segment
from ...segments.warnings import query_warnings
from ..core.errors import int_pk_or_error
from ..core.mutations import CRMMutation
from ..core.permissions import require
from .types import WARNINGS, CrmSegment, CrmSegmentError, CrmSegmentWarning

ERRORS = graphene.List(graphene.NonNull(CrmSegmentError), required=True)


class CrmSegmentInput(graphene.InputObjectType):
    name = graphene.String(description="Shown to staff; required when creating.")
    slug = graphene.String(description="Unique; made from the name when not given.")
    query = graphene.String(
        description='The rule, e.g. `orders_count >= 3 AND spent("USD") > 500`; required when creating.'
    )
    description = graphene.String()


class SegmentMutation(CRMMutation):
    """A staff change to one segment; its errors point into the query (``SegmentActionError``'s line, column)."""

    segment = graphene.Field(CrmSegment)
    errors = ERRORS
    warnings = WARNINGS

    class Meta:
        abstract = True

    @classmethod
    def perform_mutation(cls, info, **data):
        require(info, Permission.MANAGE_USERS)
        segment = cls.perform(**data)
        query = (data.get("input") or {}).get("query")
        warnings = query_warnings(compile_query(query)) if query else []
        return cls(segment=segment, errors=[], warnings=CrmSegmentWarning.list_of(warnings))

    @staticmethod
    def resolve_warnings(root, info):
        return root.warnings or []  # none when the mutation failed

    @classmethod
    def perform(cls, **data) -> Segment:
        raise NotImplementedError


def segment_or_error(global_id: str) -> Segment:
    try:
        pk = int_pk_or_error(global_id, "CrmSegment")
    except GraphQLError as error:
        raise actions.SegmentActionError("id", "GRAPHQL_ERROR", error.message) from error
    segment = Segment.objects.filter(pk=pk).first()
    if segment is None:
        raise actions.SegmentActionError("id", "NOT_FOUND", f"Couldn't resolve to a node: {global_id}")
    return segment


class CrmSegmentCreate(SegmentMutation):
    class Arguments:
        input = CrmSegmentInput(required=True)

    class Meta:
        description = "Creates a segment; its members are computed in the background. Requires MANAGE_USERS."

    @classmethod
    def perform(cls, input):
        return actions.create_segment(
            name=input.get("name"),
            query=input.get("query"),
            slug=input.get("slug"),
            description=input.get("description") or "",
        )


class CrmSegmentUpdate(SegmentMutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = CrmSegmentInput(required=True)

    class Meta:
        description = "Changes a segment; a new query is re-evaluated in the background. Requires MANAGE_USERS."

    @classmethod
    def perform(cls, id, input):
        return actions.update_segment(
            segment_or_error(id), **{k: input.get(k) for k in ("name", "slug", "query", "description")}
        )


class CrmSegmentDelete(SegmentMutation):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Deletes a segment and its memberships. Requires MANAGE_USERS."

    @classmethod
    def perform(cls, id):
        segment = segment_or_error(id)
        pk = segment.pk
        actions.delete_segment(segment)
        segment.pk = pk  # the payload still names what was deleted
        return segment
