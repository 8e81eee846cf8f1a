"""Customer predictions in the API: ``CrmCustomer.predictions``, ``crmAnalyticsFits`` and ``crmAnalyticsRefit``.

``CustomerPredictionFields`` is mixed into ``CrmCustomer`` (which guards it like spend: the shopper
themself or MANAGE_USERS). A customer gets one entry per currency they bought in; where that currency
has no usable fit the entry says why instead of giving numbers.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import graphene
from graphene import relay

from ...analytics.error_codes import CrmAnalyticsErrorCode
from ...analytics.errors import AnalyticsError
from ...analytics.models import CustomerPrediction, FitStatus, PredictionFit
from ...analytics.predictions import RefitBusy, RefitUnavailable, refit_predictions
from ...auth import Permission
from ...profiles.models import CustomerSpend
from ..core import scalars
from ..core.connection import CountableConnection, paginate
from ..core.dataloaders import DataLoader
from ..core.errors import error_type
from ..core.mutations import CRMMutation
from ..core.permissions import require
from ..core.types import Money, MoneyAmount
from .enums import CrmAnalyticsErrorCode as CrmAnalyticsErrorCodeEnum
from .enums import CrmAnalyticsFitStatus, CrmChurnRiskBand, CrmPredictionModel

FIT_ORDERING = ("-fitted_at", "-id")


class CrmAnalyticsFit(graphene.ObjectType):
    currency = graphene.String(required=True)
    fitted_at = graphene.DateTime(required=True, description="When the refit ran.")
    as_of = graphene.DateTime(required=True, description="End of the order history used.")
    status = graphene.Field(CrmAnalyticsFitStatus, required=True)
    reason_code = graphene.Field(CrmAnalyticsErrorCodeEnum, description="Why REFUSED or FAILED.")
    reason = graphene.String(description="Why REFUSED or FAILED, in words a merchant can act on.")
    model = graphene.Field(CrmPredictionModel, required=True)
    spend_model = graphene.String(required=True, description="The spend-per-order model: GAMMA_GAMMA.")
    parameters = scalars.JSONString(required=True, description="Fitted parameters: r, alpha, a, b, p, q, v.")
    customers = graphene.Int(required=True, description="Customers who ordered in the currency.")
    repeat_buyers = graphene.Int(required=True, description="Customers who ordered on more than one day.")
    orders = graphene.Int(required=True, description="Order days: same-day orders count once.")
    history_days = graphene.Int(required=True, description="From the first order to asOf.")
    log_likelihood = graphene.Float()
    converged = graphene.Boolean(required=True)
    calibration_error = graphene.Float(
        description="Mean relative error of expected vs actual repeat orders over customer-age deciles (in-sample)."
    )
    horizon_months = graphene.Int(required=True)
    scored_customers = graphene.Int(required=True)

    class Meta:
        interfaces = (relay.Node,)
        description = "One refit of the customer predictions of a currency. Requires MANAGE_USERS."

    @staticmethod
    def resolve_reason_code(root: PredictionFit, info):
        return root.reason_code or None

    @staticmethod
    def resolve_reason(root: PredictionFit, info):
        return root.reason or None

    @staticmethod
    def resolve_spend_model(root: PredictionFit, info):
        return "GAMMA_GAMMA"


class CrmAnalyticsFitCountableConnection(CountableConnection):
    class Meta:
        node = CrmAnalyticsFit


@dataclasses.dataclass(frozen=True)
class Outlook:
    """A customer's prediction in one currency, or the fit (or its absence) that explains why there is none."""

    currency: str
    prediction: CustomerPrediction | None
    latest_fit: PredictionFit | None


def _money(field: str):
    def resolve(root: Outlook, info):
        row = root.prediction
        return MoneyAmount(getattr(row, field), row.currency) if row is not None else None

    return staticmethod(resolve)


def _number(field: str, kind=float):
    def resolve(root: Outlook, info):
        value = getattr(root.prediction, field) if root.prediction is not None else None
        return kind(value) if value is not None else None

    return staticmethod(resolve)


class CrmCustomerPrediction(graphene.ObjectType):
    currency = graphene.String(required=True)
    available = graphene.Boolean(required=True, description="False: no numbers, see reasonCode and reason.")
    reason_code = graphene.Field(CrmAnalyticsErrorCodeEnum)
    reason = graphene.String()
    historic_clv = graphene.Field(Money, description="Net spend so far in the currency.")
    predicted_orders = scalars.Decimal(description="Expected orders over the horizon.")
    predicted_spend = graphene.Field(Money, description="Expected spend over the horizon.")
    predicted_clv = graphene.Field(Money, description="historicClv + predictedSpend.")
    p_active = graphene.Float(description="Probability the customer is still active, 0 to 1.")
    churn_risk = graphene.Float(description="1 - pActive.")
    churn_risk_band = graphene.Field(CrmChurnRiskBand)
    expected_next_order_at = graphene.DateTime(description="When the next order is due if still active.")
    average_days_between_orders = graphene.Float(description="Null with orders on a single day.")
    horizon_months = graphene.Int()
    fitted_at = graphene.DateTime()

    class Meta:
        description = "A customer's predicted lifetime value and churn risk in one currency."

    resolve_historic_clv = _money("historic_clv")
    resolve_predicted_spend = _money("predicted_spend")
    resolve_predicted_clv = _money("predicted_clv")
    resolve_predicted_orders = _number("predicted_orders", kind=lambda value: value)
    resolve_p_active = _number("p_active")
    resolve_churn_risk = _number("churn_risk")
    resolve_churn_risk_band = _number("churn_risk_band", kind=str)
    resolve_expected_next_order_at = _number("expected_next_order_at", kind=lambda value: value)
    resolve_average_days_between_orders = _number("average_days_between_orders")

    @staticmethod
    def resolve_available(root: Outlook, info):
        return root.prediction is not None

    @staticmethod
    def resolve_reason_code(root: Outlook, info):
        return _why_none(root)[0] if root.prediction is None else None

    @staticmethod
    def resolve_reason(root: Outlook, info):
        return _why_none(root)[1] if root.prediction is None else None

    @staticmethod
    def resolve_horizon_months(root: Outlook, info):
        return root.prediction.fit.horizon_months if root.prediction is not None else None

    @staticmethod
    def resolve_fitted_at(root: Outlook, info):
        return root.prediction.fit.fitted_at if root.prediction is not None else None


def _why_none(outlook: Outlook) -> tuple[str, str]:
    fit = outlook.latest_fit
    if fit is None:
        return CrmAnalyticsErrorCode.NOT_FITTED, f"Predictions in {outlook.currency} have not been fitted yet."
    if fit.status != FitStatus.FITTED:
        return fit.reason_code, fit.reason
    return CrmAnalyticsErrorCode.NOT_FITTED, f"The customer first ordered in {outlook.currency} after the latest fit."


class OutlooksByProfileIdLoader(DataLoader[int, list[Outlook]]):
    """Three queries per page of customers: their currencies, their predictions, the latest fit per currency."""

    context_key = "crm_outlooks_by_profile_id"

    def batch_load(self, keys):
        currencies = defaultdict(list)
        spend = CustomerSpend.objects.filter(profile_id__in=keys, orders_count__gt=0).order_by("currency")
        for profile_id, currency in spend.values_list("profile_id", "currency"):
            currencies[profile_id].append(currency)
        predictions = {
            (row.profile_id, row.currency): row
            for row in CustomerPrediction.objects.filter(profile_id__in=keys).select_related("fit")
        }
        wanted = {currency for codes in currencies.values() for currency in codes}
        latest = PredictionFit.objects.filter(currency__in=wanted).order_by("currency", "-fitted_at", "-id")
        fits = {fit.currency: fit for fit in latest.distinct("currency")} if wanted else {}
        return [
            [Outlook(code, predictions.get((key, code)), fits.get(code)) for code in currencies[key]] for key in keys
        ]


class CustomerPredictionFields:
    predictions = graphene.List(
        graphene.NonNull(CrmCustomerPrediction),
        description="Predicted lifetime value and churn risk, one per currency the customer bought in. The "
        "shopper themself or MANAGE_USERS (null, with an error, for helpdesk staff).",
    )

    @staticmethod
    def resolve_predictions(root, info):
        return OutlooksByProfileIdLoader(info.context).load(root.pk)


class PredictionQueries(graphene.ObjectType):
    crm_analytics_fits = graphene.Field(
        CrmAnalyticsFitCountableConnection,
        currency=graphene.String(description="Only this currency's fits."),
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        description="Refits of the customer predictions, newest first. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_analytics_fits(root, info, currency=None, **page):
        require(info, Permission.MANAGE_USERS)
        fits = PredictionFit.objects.all()
        if currency is not None:
            fits = fits.filter(currency=currency.strip().upper())
        return paginate(fits, FIT_ORDERING, page, "crmAnalyticsFits")


CrmAnalyticsError = error_type("CrmAnalyticsError", CrmAnalyticsErrorCodeEnum, "An error on an analytics mutation.")


class CrmAnalyticsRefit(CRMMutation):
    fits = graphene.List(graphene.NonNull(CrmAnalyticsFit), description="One per currency refitted.")
    errors = graphene.List(graphene.NonNull(CrmAnalyticsError), required=True)

    class Arguments:
        currency = graphene.String(description="ISO 4217 code; every currency with orders when omitted.")

    class Meta:
        description = (
            "Refits the customer predictions now, in the request (a large store's refit takes a while: the "
            "nightly task and `manage.py crm_analytics_refit` do the same). Requires MANAGE_USERS."
        )

    @classmethod
    def perform_mutation(cls, info, currency=None):
        require(info, Permission.MANAGE_USERS)
        if currency is not None:
            currency = currency.strip().upper()
            if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
                raise AnalyticsError("currency", CrmAnalyticsErrorCode.INVALID, "Give an ISO 4217 code like USD.")
        try:
            fits = refit_predictions(currency)
        except RefitBusy as busy:
            raise AnalyticsError(None, CrmAnalyticsErrorCode.REFIT_RUNNING, str(busy)) from busy
        except RefitUnavailable as why:
            raise AnalyticsError(None, CrmAnalyticsErrorCode.INVALID, str(why)) from why
        return cls(fits=fits, errors=[])


class PredictionMutations(graphene.ObjectType):
    crm_analytics_refit = CrmAnalyticsRefit.Field()
