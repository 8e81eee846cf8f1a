"""Staff creating, changing and deleting segments through the segment actions."""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ...auth import Permission
from ...segments import actions
from ...segments.models import Segment
from ..core.errors import int_pk_or_error
from ..core.permissions import require
from .types import CrmSegment, CrmSegmentError

ERRORS = graphene.List(graphene.NonNull(CrmSegmentError), required=True)


class CrmSegmentInput(graphene.InputObjectType):
    name = graphene.String(description="Shown to staff; required when creating.")
    slug = graphene.String(description="Unique; made from the name when not given.")
    query = graphene.String(
        description='The rule, e.g. `orders_count >= 3 AND spent("USD") > 500`; required when creating.'
    )
    description = graphene.String()


class SegmentMutation(graphene.Mutation):
    """Turns ``SegmentActionError`` into errors that point into the query (line, column)."""

    segment = graphene.Field(CrmSegment)
    errors = ERRORS

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **data):
        require(info, Permission.MANAGE_USERS)
        try:
            return cls(segment=cls.perform(**data), errors=[])
        except actions.SegmentActionError as error:
            return cls(
                segment=None,
                errors=[
                    CrmSegmentError(
                        field=error.field, code=error.code, message=str(error), line=error.line, column=error.column
                    )
                ],
            )

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
