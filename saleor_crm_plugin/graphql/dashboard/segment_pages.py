"""Root queries of the Dashboard App's segment pages: the language's vocabulary, recent entries/exits, mirroring.

The editor completes names from ``crmSegmentFields``, which reads the registry every domain fills in at
start-up: a new domain's fields show up in the editor without a front-end change.
"""

from __future__ import annotations

import graphene

from ...auth import Permission
from ...segments.language.registry import FIELDS, FUNCTIONS
from ...segments.models import SegmentMembershipChange
from ...settings import get_settings
from ..core.permissions import require
from ..profiles.dataloaders import ProfileByIdLoader
from ..profiles.types import CrmCustomer
from ..segments.filters import segment_by_slug_or_id

MAX_CHANGES = 100
MIRROR_KEY = "crm_segments"


class CrmSegmentTermKind(graphene.Enum):
    FIELD = "field"
    FUNCTION = "function"


class CrmSegmentTermParam(graphene.ObjectType):
    name = graphene.String(required=True)
    type = graphene.String(required=True, description="number, amount, date, text or true/false.")
    required = graphene.Boolean(required=True)

    class Meta:
        description = "A parameter of a segment-language function."


class CrmSegmentTerm(graphene.ObjectType):
    name = graphene.String(required=True)
    kind = graphene.Field(CrmSegmentTermKind, required=True)
    type = graphene.String(
        description="What a field holds or a function returns (number, amount, date, text, true/false); "
        "null for a yes/no function used on its own."
    )
    description = graphene.String(required=True)
    choices = graphene.List(graphene.NonNull(graphene.String), required=True, description="Allowed values, if any.")
    params = graphene.List(graphene.NonNull(CrmSegmentTermParam), required=True)

    class Meta:
        description = "A field or function the segment language knows, for completion and help in the editor."


class CrmSegmentChangeKind(graphene.Enum):
    ENTERED = SegmentMembershipChange.ENTERED
    LEFT = SegmentMembershipChange.LEFT


class CrmSegmentChange(graphene.ObjectType):
    change = graphene.Field(CrmSegmentChangeKind, required=True)
    occurred_at = graphene.DateTime(required=True)
    customer = graphene.Field(CrmCustomer)

    class Meta:
        description = "A customer entering or leaving a segment."

    @staticmethod
    def resolve_customer(root: SegmentMembershipChange, info):
        return ProfileByIdLoader(info.context).load(root.profile_id)


class CrmSegmentMirror(graphene.ObjectType):
    enabled = graphene.Boolean(required=True, description="Membership is copied into Saleor users' private metadata.")
    metadata_key = graphene.String(required=True, description="The private metadata key holding the segment slugs.")

    class Meta:
        description = "Whether segment membership is mirrored to Saleor (plugin setting 'segments mirror to metadata')."


def _terms() -> list[CrmSegmentTerm]:
    fields = [
        CrmSegmentTerm(
            name=f.name,
            kind=CrmSegmentTermKind.FIELD,
            type=str(f.type),
            description=f.description,
            choices=list(f.choices),
            params=[],
        )
        for f in FIELDS.values()
    ]
    functions = [
        CrmSegmentTerm(
            name=f.name,
            kind=CrmSegmentTermKind.FUNCTION,
            type=str(f.returns) if f.returns else None,
            description=f.description,
            choices=[],
            params=[CrmSegmentTermParam(name=p.name, type=str(p.type), required=p.required) for p in f.params],
        )
        for f in FUNCTIONS.values()
    ]
    return sorted(fields + functions, key=lambda term: term.name)


class SegmentPageQueries(graphene.ObjectType):
    crm_segment_fields = graphene.List(
        graphene.NonNull(CrmSegmentTerm),
        required=True,
        description="Fields and functions of the segment language, by name. Requires MANAGE_USERS.",
    )
    crm_segment_changes = graphene.List(
        graphene.NonNull(CrmSegmentChange),
        segment=graphene.ID(required=True, description="A CrmSegment ID or slug."),
        change=graphene.Argument(CrmSegmentChangeKind, description="Only entries or only exits."),
        first=graphene.Int(default_value=20, description=f"Newest changes, up to {MAX_CHANGES}."),
        required=True,
        description="Customers who entered or left a segment recently, newest first. Requires MANAGE_USERS.",
    )
    crm_segment_mirror = graphene.Field(
        CrmSegmentMirror,
        required=True,
        description="Membership mirrored to Saleor metadata. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_segment_fields(root, info):
        require(info, Permission.MANAGE_USERS)
        return _terms()

    @staticmethod
    def resolve_crm_segment_changes(root, info, segment, first, change=None):
        require(info, Permission.MANAGE_USERS)
        found = segment_by_slug_or_id(segment)
        changes = SegmentMembershipChange.objects.filter(segment=found)
        if change:
            changes = changes.filter(change=change)
        limit = max(0, min(first, MAX_CHANGES))
        return list(changes.order_by("-occurred_at", "-id")[:limit])

    @staticmethod
    def resolve_crm_segment_mirror(root, info):
        require(info, Permission.MANAGE_USERS)
        return CrmSegmentMirror(enabled=get_settings().segments_mirror_to_metadata, metadata_key=MIRROR_KEY)
