"""Root queries of the dashboard widgets: the order widget names an order by Saleor's ``Order`` ID."""

from __future__ import annotations

import graphene

from ..core.errors import from_global_id_or_error
from ..core.visibility import sees_any
from ..profiles.dataloaders import OrderByOrderIdLoader, ProfileByIdLoader
from ..profiles.types import CrmOrder


class WidgetQueries(graphene.ObjectType):
    crm_order = graphene.Field(
        CrmOrder,
        id=graphene.ID(required=True, description="Saleor's Order ID."),
        description=(
            "What the CRM knows of a Saleor order; null when it has no record of it or the caller may not see "
            "it (its customer, or staff with MANAGE_ORDERS or MANAGE_USERS)."
        ),
    )

    @staticmethod
    def resolve_crm_order(root, info, id):
        from_global_id_or_error(id, "Order")

        def visible(order):
            if order is None:
                return None
            profile = ProfileByIdLoader(info.context).load(order.profile_id)
            return profile.then(lambda found: order if sees_any(info, found) else None)

        return OrderByOrderIdLoader(info.context).load(id).then(visible)
