"""What segments add to Saleor's ``User`` entity (composed in ``graphql/entities.py``)."""

from __future__ import annotations

import graphene

from ...auth import Permission
from ..core.permissions import require
from .dataloaders import SegmentsByUserIdLoader
from .types import CrmSegment


class SegmentUserFields:
    crm_segments = graphene.List(
        graphene.NonNull(CrmSegment), description="The CRM segments the customer is in. Requires MANAGE_USERS."
    )

    @staticmethod
    def resolve_crm_segments(root, info):
        require(info, Permission.MANAGE_USERS)
        return SegmentsByUserIdLoader(info.context).load(root.id)
