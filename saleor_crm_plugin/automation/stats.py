"""What each flow achieved: who entered it, what was sent, skipped or failed, opened, clicked and
converted, and the revenue it brought per currency.

Two grouped queries serve any number of flows (enrollments by flow and status; messages by flow,
status, skip reason and revenue currency), so a dashboard's flow list costs the same for 5 flows or
500. Counts are ints, money and rates exact Decimals.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When

from .models import Enrollment, EnrollmentStatus, Message, MessageStatus

RATE_PLACES = Decimal("0.0001")
PENDING = (MessageStatus.SCHEDULED, MessageStatus.SENDING)


@dataclasses.dataclass(frozen=True)
class FlowStats:
    enrolled: int = 0
    active: int = 0
    goal_reached: int = 0
    pending: int = 0  # scheduled, or claimed by a worker right now
    sent: int = 0
    skipped: int = 0
    skipped_by_reason: dict[str, int] = dataclasses.field(default_factory=dict)
    failed: int = 0
    opened: int = 0
    clicked: int = 0
    converted: int = 0
    revenue: dict[str, Decimal] = dataclasses.field(default_factory=dict)

    @property
    def open_rate(self) -> Decimal | None:
        return rate(self.opened, self.sent)

    @property
    def click_rate(self) -> Decimal | None:
        return rate(self.clicked, self.sent)

    @property
    def conversion_rate(self) -> Decimal | None:
        return rate(self.converted, self.sent)


def rate(count: int, sent: int) -> Decimal | None:
    """``count / sent`` to 4 places (0.1234 is 12.34 %); None when nothing was sent."""
    if not sent:
        return None
    return (Decimal(count) / Decimal(sent)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def flow_stats(flow_ids: list[int]) -> dict[int, FlowStats]:
    """Every flow's figures (zeros for a flow with no history)."""
    enrollments = _enrollment_counts(flow_ids)
    messages = _message_counts(flow_ids)
    return {pk: FlowStats(**enrollments.get(pk, {}), **messages.get(pk, {})) for pk in flow_ids}


def _enrollment_counts(flow_ids: list[int]) -> dict[int, dict]:
    rows = (
        Enrollment.objects.filter(flow_id__in=flow_ids)
        .values("flow_id")
        .annotate(
            enrolled=Count("pk"),
            active=Count("pk", filter=Q(status=EnrollmentStatus.ACTIVE)),
            goal_reached=Count("pk", filter=Q(status=EnrollmentStatus.GOAL_REACHED)),
        )
        .order_by()
    )
    return {row.pop("flow_id"): row for row in rows}


def _message_counts(flow_ids: list[int]) -> dict[int, dict]:
    converted = Q(converted_at__isnull=False)
    rows = (
        Message.objects.filter(flow_id__in=flow_ids)
        .annotate(
            _reason=Case(
                When(status=MessageStatus.SKIPPED, then=F("reason")), default=Value(""), output_field=CharField()
            ),
            _currency=Case(When(converted, then=F("currency")), default=Value(""), output_field=CharField()),
        )
        .values("flow_id", "status", "_reason", "_currency")
        .annotate(
            n=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            converted=Count("pk", filter=converted),
            revenue=Sum("revenue", filter=converted),
        )
        .order_by()
    )
    totals: dict[int, Counter] = defaultdict(Counter)
    reasons: dict[int, Counter] = defaultdict(Counter)
    revenue: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        flow, status, n = row["flow_id"], row["status"], row["n"]
        if status in PENDING:
            totals[flow]["pending"] += n
        elif status in (MessageStatus.SENT, MessageStatus.SKIPPED, MessageStatus.FAILED):
            totals[flow][status] += n
        if status == MessageStatus.SKIPPED:
            reasons[flow][row["_reason"] or "unknown"] += n
        for name in ("opened", "clicked", "converted"):
            totals[flow][name] += row[name]
        if row["converted"] and row["_currency"]:
            currency = row["_currency"]
            revenue[flow][currency] = revenue[flow].get(currency, Decimal(0)) + Decimal(row["revenue"])
    return {
        flow: {
            **dict(counts),
            "skipped_by_reason": dict(sorted(reasons[flow].items())),
            "revenue": dict(sorted(revenue[flow].items())),
        }
        for flow, counts in totals.items()
    }
