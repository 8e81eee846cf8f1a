"""Segments as the API shows them: the saved query, its size over time and its members."""

from __future__ import annotations

import graphene
from graphene import relay

from ...profiles.models import CustomerProfile
from ...segments.models import Segment
from ..core.connection import CountableConnection, paginate
from ..profiles.types import CrmCustomer, CrmCustomerCountableConnection
from .dataloaders import CountHistoryLoader, MemberCountLoader
from .enums import CrmSegmentErrorCode, CrmSegmentWarningCode

MAX_HISTORY = 365


class CrmSegmentError(graphene.ObjectType):
    field = graphene.String(description="Name of a field that caused the error, `null` when not about one field.")
    message = graphene.String(description="The error message.")
    code = graphene.Field(CrmSegmentErrorCode, required=True, description="The error code.")
    line = graphene.Int(description="Line of the segment query where the problem is (from 1).")
    column = graphene.Int(description="Column of the segment query where the problem is (from 1).")

    class Meta:
        description = "An error on a CRM segment mutation or preview; query errors point into the query."


class CrmSegmentWarning(graphene.ObjectType):
    field = graphene.String(description="Name of the input the warning is about (`query`).")
    message = graphene.String(required=True)
    code = graphene.Field(CrmSegmentWarningCode, required=True)
    line = graphene.Int(description="Line of the segment query the warning points at (from 1).")
    column = graphene.Int(description="Column of the segment query the warning points at (from 1).")

    class Meta:
        description = "A valid segment query that likely doesn't say what was meant, e.g. a category no order has."

    @staticmethod
    def list_of(warnings) -> list[CrmSegmentWarning]:
        return [
            CrmSegmentWarning(field="query", message=w.message, code=w.code, line=w.line, column=w.column)
            for w in warnings
        ]


WARNINGS = graphene.List(
    graphene.NonNull(CrmSegmentWarning), required=True, description="What the query likely gets wrong; saved anyway."
)


class CrmSegmentCount(graphene.ObjectType):
    evaluated_at = graphene.DateTime(required=True)
    count = graphene.Int(required=True, description="Members after the evaluation.")
    entered = graphene.Int(required=True, description="Customers who entered at this evaluation.")
    left = graphene.Int(required=True, description="Customers who left at this evaluation.")

    class Meta:
        description = "The size of a segment at one full evaluation."

    @staticmethod
    def resolve_count(root, info):
        return root.member_count


class CrmSegment(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    query = graphene.String(required=True, description="The segment's query, in the segment language.")
    description = graphene.String(required=True)
    is_builtin = graphene.Boolean(required=True, description="Built-in segments can't be deleted or re-queried.")
    time_relative = graphene.Boolean(
        required=True, description="Membership changes with time alone; re-evaluated every hour."
    )
    count = graphene.Int(required=True, description="Members now.")
    evaluated_at = graphene.DateTime(description="The last full evaluation; null until the first one.")
    members = graphene.Field(
        CrmCustomerCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        required=True,
    )
    count_history = graphene.List(
        graphene.NonNull(CrmSegmentCount),
        limit=graphene.Int(default_value=30, description=f"Newest evaluations, up to {MAX_HISTORY}."),
        required=True,
        description="Size over time, newest first.",
    )

    class Meta:
        interfaces = (relay.Node,)
        description = "A customer segment: a saved query and its stored members."

    @staticmethod
    def resolve_count(root: Segment, info):
        return MemberCountLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_members(root: Segment, info, **page):
        members = CustomerProfile.objects.filter(segment_memberships__segment=root, anonymised_at__isnull=True)
        return paginate(members, ["id"], page, "members")

    @staticmethod
    def resolve_count_history(root: Segment, info, limit):
        return CountHistoryLoader(info.context).load((root.pk, max(0, min(limit, MAX_HISTORY))))


class CrmSegmentCountableConnection(CountableConnection):
    class Meta:
        node = CrmSegment


class CrmSegmentPreview(graphene.ObjectType):
    count = graphene.Int(description="Customers matching the query now; null when the query is invalid.")
    members = graphene.List(graphene.NonNull(CrmCustomer), required=True, description="The newest matching customers.")
    errors = graphene.List(graphene.NonNull(CrmSegmentError), required=True)
    warnings = WARNINGS

    class Meta:
        description = "What an unsaved segment query would match."
