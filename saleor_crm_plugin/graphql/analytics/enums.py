import graphene

from ...analytics import error_codes
from ...analytics.models import ChurnRiskBand, FitStatus
from ...analytics.predictions_purchases import PurchaseModel

CrmAnalyticsErrorCode = graphene.Enum.from_enum(error_codes.CrmAnalyticsErrorCode)
CrmPredictionModel = graphene.Enum(
    "CrmPredictionModel",
    [(model.name, model.value) for model in PurchaseModel],
    description="The buy-till-you-die model that predicts purchase counts.",
)
CrmAnalyticsFitStatus = graphene.Enum(
    "CrmAnalyticsFitStatus",
    [(status.name, status.value) for status in FitStatus],
    description="FITTED: predictions were computed; REFUSED: too little data (see reason); FAILED: no usable fit.",
)
CrmChurnRiskBand = graphene.Enum(
    "CrmChurnRiskBand", [(band.name, band.value) for band in ChurnRiskBand], description="Churn risk, banded."
)
