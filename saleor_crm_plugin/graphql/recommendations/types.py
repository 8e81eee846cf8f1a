from __future__ import annotations

import graphene

from ...recommendations import Recommended
from ..core import scalars
from .enums import CrmRecommendationReason


class CrmRecommendation(graphene.ObjectType):
    product_id = graphene.ID(required=True, description="Saleor's ID of the recommended Product.")
    product_name = graphene.String(required=True, description="The product's name in its latest order.")
    category_id = graphene.ID(description="Saleor's ID of the product's Category.")
    category_name = graphene.String()
    score = scalars.Decimal(
        required=True,
        description="Higher is stronger: summed co-purchase cosines for a customer, the pair's cosine for a "
        "product; 0 for best-seller fallbacks.",
    )
    reason = graphene.Field(CrmRecommendationReason, required=True)

    class Meta:
        description = "A product recommended from order history."

    @staticmethod
    def resolve_product_name(root: Recommended, info):
        return root.name

    @staticmethod
    def resolve_category_id(root: Recommended, info):
        return root.category_id or None

    @staticmethod
    def resolve_category_name(root: Recommended, info):
        return root.category_name or None
