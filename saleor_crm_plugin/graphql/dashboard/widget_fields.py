"""Fields the dashboard widgets read on ``CrmCustomer`` and ``CrmOrder``, mixed into those types by
``profiles/types.py``. Other domains' types are named lazily so no domain's types import another's.
"""

from __future__ import annotations

import graphene

from ...auth import Permission
from ...segments.models import CustomerRfm
from ...segments.rfm import GROUP_NAMES
from ..core.dataloaders import DataLoader
from ..core.permissions import require
from ..loyalty.dataloaders import OrderPointsByOrderIdLoader

ORDER_POINTS_TYPE = "saleor_crm_plugin.graphql.loyalty.types.LoyaltyOrderPoints"


class RfmByProfileIdLoader(DataLoader[int, CustomerRfm | None]):
    context_key = "crm_rfm_by_profile_id"

    def batch_load(self, keys):
        scores = CustomerRfm.objects.in_bulk(keys)
        return [scores.get(key) for key in keys]


class CrmRfm(graphene.ObjectType):
    group = graphene.String(required=True, description="The RFM group's code, e.g. `champions`, `at_risk`.")
    name = graphene.String(required=True, description="The group as merchants call it, e.g. 'At risk'.")
    recency = graphene.Int(required=True, description="Recency quintile, 1 (longest ago) to 5 (most recent).")
    frequency = graphene.Int(required=True, description="Frequency quintile, 1 to 5.")
    monetary = graphene.Int(required=True, description="Monetary quintile, 1 to 5, on spend in `currency`.")
    currency = graphene.String(required=True, description="The currency monetary scores are computed in.")
    computed_at = graphene.DateTime(required=True)

    class Meta:
        description = "A customer's recency, frequency and monetary scores and their named RFM group."

    @staticmethod
    def resolve_name(root: CustomerRfm, info):
        return GROUP_NAMES.get(root.group, root.group)


class CustomerWidgetFields:
    rfm = graphene.Field(
        CrmRfm, description="RFM scores and group; null before the first scoring or with no orders. MANAGE_USERS."
    )

    @staticmethod
    def resolve_rfm(root, info):
        require(info, Permission.MANAGE_USERS)
        return RfmByProfileIdLoader(info.context).load(root.pk)


class OrderWidgetFields:
    loyalty_points = graphene.Field(
        ORDER_POINTS_TYPE,
        description="The points this order earned and where they stand; null when it earned none.",
    )

    @staticmethod
    def resolve_loyalty_points(root, info):
        # Visible like the rest of the order (CrmOrder's guard): its customer, or support staff.
        return OrderPointsByOrderIdLoader(info.context).load(root.saleor_order_id)
