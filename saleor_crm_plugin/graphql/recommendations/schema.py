"""Recommendation queries, gathered into the CRM schema by ``graphql/schema.py``."""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ...ids import global_id
from ...profiles.models import CustomerProfile
from ...recommendations import bought_together, for_profiles
from ...recommendations.lookup import MAX_LIMIT
from ..core.errors import from_global_id_or_error, int_pk_or_error
from ..core.permissions import caller_of
from ..core.visibility import SHOPPER_OR_MANAGER, sees_any
from .types import CrmRecommendation


class RecommendationQueries(graphene.ObjectType):
    crm_recommendations = graphene.List(
        graphene.NonNull(CrmRecommendation),
        customer_id=graphene.ID(description="A CrmCustomer: their top picks. Staff with MANAGE_USERS, or themself."),
        product_id=graphene.ID(description="A Saleor Product: what is bought together with it. Open to anyone."),
        first=graphene.Int(default_value=10, description=f"How many, 1 to {MAX_LIMIT}."),
        description="Recommended products: for a customer, for a product, or (with neither) for the signed-in "
        "shopper; null for an anonymous caller without arguments.",
    )

    @staticmethod
    def resolve_crm_recommendations(root, info, customer_id=None, product_id=None, first=10):
        if customer_id is not None and product_id is not None:
            raise GraphQLError("Argument 'customerId' cannot be combined with 'productId'")
        if not 1 <= first <= MAX_LIMIT:
            raise GraphQLError(f"Argument `first` must be between 1 and {MAX_LIMIT}.")
        if product_id is not None:
            return bought_together(global_id("Product", from_global_id_or_error(product_id, "Product")), first)
        if customer_id is not None:
            profile = CustomerProfile.objects.filter(pk=int_pk_or_error(customer_id, "CrmCustomer")).first()
            if not sees_any(info, profile, SHOPPER_OR_MANAGER):
                return None  # another customer's ID answers like a missing one
        else:
            own = caller_of(info).user_global_id
            if not own:
                return None
            profile = CustomerProfile.objects.filter(saleor_user_id=own, anonymised_at__isnull=True).first()
        profile_id = profile.pk if profile is not None else 0  # no profile yet: the store's best sellers
        return for_profiles([profile_id], first)[profile_id]
