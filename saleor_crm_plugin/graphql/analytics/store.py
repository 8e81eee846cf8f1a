"""``crmAnalytics``: the store in figures over a date range, for staff with MANAGE_USERS.

Resolved from the precomputed analytics tables (``analytics.kpis``) in a constant handful of
queries; money is an exact Decimal per currency, not Saleor's Float ``Money``.
"""

from __future__ import annotations

import graphene

from ...analytics.error_codes import CrmAnalyticsErrorCode
from ...analytics.kpis import AnalyticsError, series, store_analytics
from ...auth import Permission
from ..core import scalars
from ..core.permissions import require

CHANNEL_SLUG_LENGTH = 255


class CrmAnalyticsMoney(graphene.ObjectType):
    currency = graphene.String(required=True)
    amount = scalars.Decimal(required=True, description="Exact, in the currency's minor unit.")

    class Meta:
        description = "An exact amount of money in one currency."


def _money(amount, currency: str) -> CrmAnalyticsMoney:
    return CrmAnalyticsMoney(currency=currency, amount=amount)


def money(attribute: str, required: bool = True, description: str | None = None) -> graphene.Field:
    """A field reading ``root.<attribute>`` as an amount in ``root.currency``; null stays null."""

    def resolve(root, info):
        amount = getattr(root, attribute)
        return None if amount is None else _money(amount, root.currency)

    return graphene.Field(CrmAnalyticsMoney, required=required, description=description, resolver=resolve)


class CrmAnalyticsPeriodInput(graphene.InputObjectType):
    from_ = graphene.Date(required=True, name="from", description="First day, inclusive (UTC).")
    to = graphene.Date(required=True, description="Last day, inclusive; at most 366 days after `from`.")


class CrmStoreKpis(graphene.ObjectType):
    currency = graphene.String(required=True)
    revenue = money("revenue", description="Gross total of the orders placed (not cancelled).")
    refunds = money("refunds", description="Refunded on orders first refunded then.")
    net_revenue = money("net_revenue")
    orders = graphene.Int(required=True)
    refunded_orders = graphene.Int(required=True)
    average_order_value = money("average_order_value", required=False, description="Null without orders.")
    customers = graphene.Int(required=True, description="Distinct customers who ordered.")
    new_customers = graphene.Int(required=True, description="Their first order (in this currency/channel) is here.")
    returning_customers = graphene.Int(required=True)
    repeat_purchase_rate = scalars.Decimal(
        description="Share (0..1) of the customers who have ordered twice or more by the period's end."
    )
    average_days_between_orders = scalars.Decimal(
        description="Mean days from a customer's previous order, over the period's repeat orders."
    )

    class Meta:
        description = "Sales figures of one currency over the period."


class CrmStoreDay(graphene.ObjectType):
    date = graphene.Date(required=True, description="The day, or the first day of the week or month.")
    currency = graphene.String(required=True)
    revenue = money("revenue")
    refunds = money("refunds")
    orders = graphene.Int(required=True)
    customers = graphene.Int(required=True)
    new_customers = graphene.Int(required=True)


class CrmRfmGroupCount(graphene.ObjectType):
    date = graphene.Date(required=True)
    group = graphene.String(required=True, description="The group's slug, e.g. 'champions'.")
    name = graphene.String(required=True)
    customers = graphene.Int(required=True)

    class Meta:
        description = "Customers in an RFM group as scored on a day."


class CrmCohortMonth(graphene.ObjectType):
    months_since = graphene.Int(required=True)
    customers = graphene.Int(required=True)
    retention = scalars.Decimal(required=True, description="Share of the cohort buying that month.")
    revenue = money("revenue")


class CrmCohort(graphene.ObjectType):
    currency = graphene.String(required=True)
    month = graphene.Date(required=True, description="First day of the month of the customers' first order.")
    customers = graphene.Int(required=True)
    revenue = money("revenue")
    months = graphene.List(graphene.NonNull(CrmCohortMonth), required=True)


class CrmLoyaltyLiability(graphene.ObjectType):
    currency = graphene.String(required=True, description="Members count in the currency they buy in.")
    as_of = graphene.DateTime(required=True)
    members = graphene.Int(required=True)
    outstanding_points = graphene.Int(required=True)
    pending_points = graphene.Int(required=True)
    value = money("value", description="Outstanding points at the redemption rate.")
    breakage_rate = scalars.Decimal(description="Expired / (expired + redeemed) points so far; null before any.")
    expected_breakage = money("expected_breakage")
    net_liability = money("net_liability")


class CrmPointsDay(graphene.ObjectType):
    date = graphene.Date(required=True)
    currency = graphene.String(required=True)
    issued = graphene.Int(required=True)
    redeemed = graphene.Int(required=True)
    expired = graphene.Int(required=True)
    reversed = graphene.Int(required=True)

    @staticmethod
    def resolve_date(root, info):
        return root.day


class CrmFlowRevenue(graphene.ObjectType):
    flow_id = graphene.ID(required=True, description="The CrmFlow's ID.")
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    sent = graphene.Int(required=True)
    conversions = graphene.Int(required=True)
    revenue = graphene.List(graphene.NonNull(CrmAnalyticsMoney), required=True)

    @staticmethod
    def resolve_flow_id(root, info):
        return graphene.Node.to_global_id("CrmFlow", root.flow_id)

    @staticmethod
    def resolve_revenue(root, info):
        return [_money(amount, currency) for currency, amount in sorted(root.revenue.items())]


class CrmHelpdeskFigures(graphene.ObjectType):
    tickets_created = graphene.Int(required=True)
    tickets_solved = graphene.Int(required=True)
    ratings = graphene.Int(required=True)
    csat = scalars.Decimal(description="Share of ratings of 4 or 5; null without ratings.")
    average_first_response_seconds = graphene.Int(description="Wall clock, tickets first answered in the period.")
    average_resolution_seconds = graphene.Int(description="Wall clock, tickets solved in the period.")
    first_response_sla_attainment = scalars.Decimal(description="Share first answered by their due time.")
    resolution_sla_attainment = scalars.Decimal(description="Share solved by their due time.")


class CrmAnalyticsInterval(graphene.Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    class Meta:
        description = "How a series groups days: by day, ISO week (from Monday) or calendar month."


class CrmStoreAnalytics(graphene.ObjectType):
    from_ = graphene.Date(required=True, name="from")
    to = graphene.Date(required=True)
    channel = graphene.String()
    refreshed_at = graphene.DateTime(description="When the figures were last refreshed; null: never.")
    kpis = graphene.List(graphene.NonNull(CrmStoreKpis), required=True, description="One per currency.")
    days = graphene.List(
        graphene.NonNull(CrmStoreDay),
        required=True,
        interval=CrmAnalyticsInterval(description="Default: DAY."),
        description="The period per day, week or month, per currency.",
    )
    rfm_groups = graphene.List(graphene.NonNull(CrmRfmGroupCount), required=True, description="Store-wide.")
    cohorts = graphene.List(graphene.NonNull(CrmCohort), required=True, description="First-order months in range.")
    loyalty = graphene.List(
        graphene.NonNull(CrmLoyaltyLiability), required=True, description="Newest snapshot; store-wide."
    )
    loyalty_points = graphene.List(graphene.NonNull(CrmPointsDay), required=True, description="Store-wide.")
    flows = graphene.List(graphene.NonNull(CrmFlowRevenue), required=True)
    helpdesk = graphene.Field(CrmHelpdeskFigures, required=True, description="Store-wide.")

    class Meta:
        description = "The store in figures over a period. Requires MANAGE_USERS."

    @staticmethod
    def resolve_from_(root, info):
        return root.first

    @staticmethod
    def resolve_to(root, info):
        return root.last

    @staticmethod
    def resolve_days(root, info, interval=None):
        # Defaulted here: an enum default prints as its value, which SDL composition refuses.
        return series(root.sales_rows, interval or CrmAnalyticsInterval.DAY.value)

    @staticmethod
    def resolve_rfm_groups(root, info):
        return [
            CrmRfmGroupCount(date=day, group=group, name=name, customers=n) for day, group, name, n in root.rfm_groups
        ]


class StoreAnalyticsQueries(graphene.ObjectType):
    crm_analytics = graphene.Field(
        CrmStoreAnalytics,
        required=True,
        period=graphene.Argument(CrmAnalyticsPeriodInput, required=True),
        channel=graphene.String(description="A channel's slug; all channels when omitted."),
        description="Sales KPIs, cohorts, loyalty liability, automation and helpdesk figures. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_analytics(root, info, period, channel=None):
        require(info, Permission.MANAGE_USERS)
        if channel and len(channel) > CHANNEL_SLUG_LENGTH:
            raise AnalyticsError("channel", CrmAnalyticsErrorCode.INVALID, "No channel has a slug that long.")
        return store_analytics(period["from_"], period["to"], channel or None)
