"""What segments add to Saleor's ``User`` entity (composed in ``graphql/entities.py``)."""

from __future__ import annotations

import graphene

from ...auth import Permission
from ..core.permissions import caller_of
from .dataloaders import SegmentsByUserIdLoader
from .types import CrmSegment


class SegmentUserFields:
    crm_segments = graphene.List(
        graphene.NonNull(CrmSegment),
        description="The CRM segments the customer is in: staff with MANAGE_USERS; null for anyone else.",
    )

    @staticmethod
    def resolve_crm_segments(root, info):
        if not caller_of(info).has_permission(Permission.MANAGE_USERS):
            return None  # like Saleor's _entities: no error that would say the account is a customer
        return SegmentsByUserIdLoader(info.context).load(root.id)
