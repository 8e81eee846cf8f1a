"""Store analytics for a date range and channel, read from the precomputed tables.

A handful of indexed range reads, whatever the store's size: the daily rows carry the sums, and
the buyers packed in them give exact distinct customers, new and repeat buyers over any range.
Money stays Decimal per currency; shares have 4 places, days 2.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Subquery, Sum
from django.db.models.functions import Coalesce

from ..automation.models import Flow
from ..errors import ActionError
from ..graphql.core.types import fraction_digits
from ..segments.rfm import GROUP_NAMES, GROUPS
from .error_codes import CrmAnalyticsErrorCode
from .replica import analytics_database
from .sales import unpack
from .store_models import (
    ALL_CHANNELS,
    CohortCell,
    FlowDay,
    HelpdeskDay,
    LiabilitySnapshot,
    PointsDay,
    RefreshState,
    RfmGroupDay,
    StoreDay,
)

# The longest range one query may ask for: a year, leap day included.
MAX_PERIOD_DAYS = 366
SHARE = Decimal("0.0001")
DAYS = Decimal("0.01")


class AnalyticsError(ActionError):
    codes = CrmAnalyticsErrorCode


def check_period(first: date, last: date) -> None:
    """A range the API accepts: ``last`` not before ``first``, at most ``MAX_PERIOD_DAYS`` days."""
    if last < first:
        raise AnalyticsError("period", CrmAnalyticsErrorCode.INVALID_PERIOD, "The period's 'to' is before its 'from'.")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise AnalyticsError(
            "period", CrmAnalyticsErrorCode.INVALID_PERIOD, f"A period is at most {MAX_PERIOD_DAYS} days long."
        )


def money(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(Decimal(1).scaleb(-fraction_digits(currency)), rounding=ROUND_HALF_UP)


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(SHARE, rounding=ROUND_HALF_UP) if whole else None


@dataclasses.dataclass
class Kpis:
    currency: str
    revenue: Decimal
    refunds: Decimal
    orders: int
    refunded_orders: int
    customers: int
    new_customers: int
    repeat_customers: int
    repeat_orders: int
    repeat_gap_seconds: int

    @property
    def net_revenue(self) -> Decimal:
        return self.revenue - self.refunds

    @property
    def returning_customers(self) -> int:
        return self.customers - self.new_customers

    @property
    def average_order_value(self) -> Decimal | None:
        return money(self.revenue / self.orders, self.currency) if self.orders else None

    @property
    def repeat_purchase_rate(self) -> Decimal | None:
        return share(self.repeat_customers, self.customers)

    @property
    def average_days_between_orders(self) -> Decimal | None:
        if not self.repeat_orders:
            return None
        return (Decimal(self.repeat_gap_seconds) / self.repeat_orders / 86400).quantize(DAYS, rounding=ROUND_HALF_UP)


@dataclasses.dataclass
class SalesDay:
    date: date
    currency: str
    revenue: Decimal
    refunds: Decimal
    orders: int
    customers: int
    new_customers: int


@dataclasses.dataclass
class CohortMonth:
    currency: str
    months_since: int
    customers: int
    retention: Decimal
    revenue: Decimal


@dataclasses.dataclass
class Cohort:
    currency: str
    month: date
    customers: int
    revenue: Decimal
    months: list[CohortMonth]


@dataclasses.dataclass
class Liability:
    currency: str
    as_of: datetime
    members: int
    outstanding_points: int
    pending_points: int
    value: Decimal
    breakage_rate: Decimal | None

    @property
    def expected_breakage(self) -> Decimal:
        return money(self.value * (self.breakage_rate or 0), self.currency)

    @property
    def net_liability(self) -> Decimal:
        return self.value - self.expected_breakage


@dataclasses.dataclass
class FlowRevenue:
    flow_id: int
    slug: str
    name: str
    sent: int = 0
    conversions: int = 0
    revenue: dict[str, Decimal] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Helpdesk:
    tickets_created: int
    tickets_solved: int
    ratings: int
    csat: Decimal | None
    average_first_response_seconds: int | None
    average_resolution_seconds: int | None
    first_response_sla_attainment: Decimal | None
    resolution_sla_attainment: Decimal | None


@dataclasses.dataclass
class StoreAnalytics:
    first: date
    last: date
    channel: str | None
    refreshed_at: datetime | None
    kpis: list[Kpis]
    sales_rows: list[StoreDay]
    rfm_groups: list[tuple[date, str, str, int]]
    cohorts: list[Cohort]
    loyalty: list[Liability]
    loyalty_points: list[PointsDay]
    flows: list[FlowRevenue]
    helpdesk: Helpdesk


def store_analytics(first: date, last: date, channel: str | None = None) -> StoreAnalytics:
    """Everything the analytics page shows for ``first``..``last`` (inclusive UTC days)."""
    check_period(first, last)
    database = analytics_database()
    scope = channel or ALL_CHANNELS
    rows = sales_rows(database, first, last, scope)
    refreshed = RefreshState.objects.using(database).values_list("refreshed_at", flat=True).first()
    return StoreAnalytics(
        first=first,
        last=last,
        channel=channel,
        refreshed_at=refreshed,
        kpis=kpis_per_currency(rows),
        sales_rows=rows,
        rfm_groups=rfm_groups(database, first, last),
        cohorts=cohorts(database, first, last, scope),
        loyalty=liabilities(database, last),
        loyalty_points=list(
            PointsDay.objects.using(database).filter(day__range=(first, last)).order_by("day", "currency")
        ),
        flows=flows(database, first, last, channel),
        helpdesk=helpdesk(database, first, last),
    )


def sales_rows(database: str, first: date, last: date, scope: str) -> list[StoreDay]:
    return list(
        StoreDay.objects.using(database).filter(channel=scope, day__range=(first, last)).order_by("day", "currency")
    )


def kpis_per_currency(rows: list[StoreDay]) -> list[Kpis]:
    by_currency: dict[str, list[StoreDay]] = defaultdict(list)
    for row in rows:
        by_currency[row.currency].append(row)
    return [_kpis(currency, rows) for currency, rows in sorted(by_currency.items())]


def bucket_start(day: date, interval: str) -> date:
    """The first day of the day, ISO week (Monday) or month ``day`` falls in."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if interval == "month" else day


def series(rows: list[StoreDay], interval: str = "day") -> list[SalesDay]:
    """The period per day, week or month and currency; customers are distinct within each bucket."""
    buckets: dict[tuple[date, str], list[StoreDay]] = defaultdict(list)
    for row in rows:
        buckets[bucket_start(row.day, interval), row.currency].append(row)
    result = []
    for (start, currency), bucket in buckets.items():
        buyers: set[int] = set()
        new: set[int] = set()
        for row in bucket:
            buyers.update(unpack(row.buyers))
            new.update(unpack(row.first_buyers))
        result.append(
            SalesDay(
                date=start,
                currency=currency,
                revenue=money(sum((row.revenue for row in bucket), Decimal(0)), currency),
                refunds=money(sum((row.refunds for row in bucket), Decimal(0)), currency),
                orders=sum(row.orders for row in bucket),
                customers=len(buyers),
                new_customers=len(new),
            )
        )
    return result


def _kpis(currency: str, rows: list[StoreDay]) -> Kpis:
    orders: Counter[int] = Counter()
    new: set[int] = set()
    for row in rows:
        orders.update(unpack(row.buyers))
        new.update(unpack(row.first_buyers))
    # Repeat buyers by the period's end: everyone except the new customers with one order.
    one_time = sum(1 for profile_id in new if orders[profile_id] == 1)
    return Kpis(
        currency=currency,
        revenue=money(sum((row.revenue for row in rows), Decimal(0)), currency),
        refunds=money(sum((row.refunds for row in rows), Decimal(0)), currency),
        orders=sum(row.orders for row in rows),
        refunded_orders=sum(row.refunded_orders for row in rows),
        customers=len(orders),
        new_customers=len(new),
        repeat_customers=len(orders) - one_time,
        repeat_orders=sum(row.repeat_orders for row in rows),
        repeat_gap_seconds=sum(row.repeat_gap_seconds for row in rows),
    )


def rfm_groups(database: str, first: date, last: date) -> list[tuple[date, str, str, int]]:
    rows = RfmGroupDay.objects.using(database).filter(day__range=(first, last)).values_list("day", "group", "customers")
    rank = {group: i for i, group in enumerate(GROUPS)}
    return [
        (day, group, GROUP_NAMES.get(group, group), customers)
        for day, group, customers in sorted(rows, key=lambda r: (r[0], rank.get(r[1], len(rank)), r[1]))
    ]


def cohorts(database: str, first: date, last: date, scope: str) -> list[Cohort]:
    cells = CohortCell.objects.using(database).filter(
        channel=scope, cohort__range=(first.replace(day=1), last.replace(day=1))
    )
    grouped: dict[tuple[str, date], list[CohortCell]] = defaultdict(list)
    for cell in cells.order_by("currency", "cohort", "months_since"):
        grouped[cell.currency, cell.cohort].append(cell)
    result = []
    for (currency, month), cells_ in grouped.items():
        size = next((c.customers for c in cells_ if c.months_since == 0), 0)
        result.append(
            Cohort(
                currency=currency,
                month=month,
                customers=size,
                revenue=money(sum((c.revenue for c in cells_), Decimal(0)), currency),
                months=[
                    CohortMonth(
                        currency, c.months_since, c.customers, share(c.customers, size), money(c.revenue, currency)
                    )
                    for c in cells_
                ],
            )
        )
    return result


def liabilities(database: str, last: date) -> list[Liability]:
    """The newest snapshot taken by the period's end, else (a period before the first one) the first one."""
    snapshots = LiabilitySnapshot.objects.using(database)
    by_end = snapshots.filter(day__lte=last).order_by("-day").values("day")[:1]
    first = snapshots.order_by("day").values("day")[:1]
    rows = snapshots.filter(day=Coalesce(Subquery(by_end), Subquery(first)))
    return [
        Liability(
            currency=row.currency,
            as_of=row.taken_at,
            members=row.members,
            outstanding_points=row.outstanding_points,
            pending_points=row.pending_points,
            value=money(row.value, row.currency),
            breakage_rate=row.breakage_rate,
        )
        for row in rows.order_by("currency")
    ]


def flows(database: str, first: date, last: date, channel: str | None) -> list[FlowRevenue]:
    rows = FlowDay.objects.using(database).filter(day__range=(first, last))
    if channel:
        rows = rows.filter(channel=channel)
    totals = rows.values("flow_id", "currency").annotate(sent=Sum("sent"), conversions=Sum("conversions"))
    totals = list(totals.annotate(revenue=Sum("revenue")).order_by())
    known = {
        flow.pk: flow
        for flow in Flow.objects.using(database).filter(pk__in={row["flow_id"] for row in totals}).only("slug", "name")
    }
    result: dict[int, FlowRevenue] = {}
    for row in totals:
        flow = known.get(row["flow_id"])
        if flow is None:  # deleted since the refresh
            continue
        figures = result.setdefault(flow.pk, FlowRevenue(flow.pk, flow.slug, flow.name))
        figures.sent += row["sent"]
        figures.conversions += row["conversions"]
        if row["currency"]:
            figures.revenue[row["currency"]] = money(row["revenue"], row["currency"])
    return sorted(result.values(), key=lambda f: (-f.conversions, f.slug))


def helpdesk(database: str, first: date, last: date) -> Helpdesk:
    fields = [f.name for f in HelpdeskDay._meta.fields if f.name not in ("id", "day")]
    sums = HelpdeskDay.objects.using(database).filter(day__range=(first, last)).aggregate(**{f: Sum(f) for f in fields})
    n = {field: value or 0 for field, value in sums.items()}

    def average(total: str, count: str) -> int | None:
        return round(n[total] / n[count]) if n[count] else None

    return Helpdesk(
        tickets_created=n["created"],
        tickets_solved=n["solved"],
        ratings=n["ratings"],
        csat=share(n["ratings_satisfied"], n["ratings"]),
        average_first_response_seconds=average("first_response_seconds", "first_responses"),
        average_resolution_seconds=average("resolution_seconds", "solved"),
        first_response_sla_attainment=share(n["first_response_met"], n["first_response_due"]),
        resolution_sla_attainment=share(n["resolution_met"], n["resolution_due"]),
    )
