import graphene

from ...recommendations.models import Reason

CrmRecommendationReason = graphene.Enum(
    "CrmRecommendationReason",
    [(reason.name, reason.value) for reason in Reason],
    description="Why a product is recommended.",
)
