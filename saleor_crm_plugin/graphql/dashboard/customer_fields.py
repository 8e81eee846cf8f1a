"""Fields the customer pages need on ``CrmCustomer``, mixed into the type by ``profiles/types.py``.

Kept apart from the root queries (``customer_pages.py``) because ``CrmCustomer`` imports this module:
it names other domains' types lazily, so no domain's types import another's at load time.
"""

from __future__ import annotations

import graphene

from ...auth import Permission
from ..core.permissions import require
from .dataloaders import SegmentsByProfileIdLoader

SEGMENT_TYPE = "saleor_crm_plugin.graphql.segments.types.CrmSegment"


class CustomerPageFields:
    segments = graphene.List(
        graphene.NonNull(SEGMENT_TYPE),
        description="The CRM segments the customer is in (guests too), by name. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_segments(root, info):
        require(info, Permission.MANAGE_USERS)
        return SegmentsByProfileIdLoader(info.context).load(root.pk)
