"""Automation and helpdesk per day: a few grouped queries over messages and tickets rebuild both tables.

Each figure counts on the day its event happened: a message on the day it was sent, a conversion on
the day of the order it won, a ticket's first response, solution and rating on their own days, and
an SLA target on its due day once it was met or missed. Times are wall-clock seconds.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC

from django.db import transaction
from django.db.models import Count, DurationField, F, Q, Sum
from django.db.models.functions import TruncDate

from ..automation.models import Message, MessageStatus
from ..tickets.models import Ticket
from .store_models import FlowDay, HelpdeskDay


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=UTC)


def rebuild_flow_days(database: str) -> int:
    messages = Message.objects.using(database)
    rows: dict[tuple, FlowDay] = {}
    sent = (
        messages.filter(status=MessageStatus.SENT, sent_at__isnull=False)
        .annotate(day=_day("sent_at"))
        .values("day", "flow_id", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in sent:
        key = (row["day"], row["flow_id"], row["channel"], "")
        rows[key] = FlowDay(day=row["day"], flow_id=row["flow_id"], channel=row["channel"], sent=row["n"])
    converted = (
        messages.filter(converted_at__isnull=False)
        .annotate(day=_day("converted_at"))
        .values("day", "flow_id", "channel", "currency")
        .annotate(n=Count("pk"), revenue=Sum("revenue"))
        .order_by()
    )
    for row in converted:
        key = (row["day"], row["flow_id"], row["channel"], row["currency"])
        rows[key] = FlowDay(
            day=row["day"],
            flow_id=row["flow_id"],
            channel=row["channel"],
            currency=row["currency"],
            conversions=row["n"],
            revenue=row["revenue"],
        )
    with transaction.atomic():
        FlowDay.objects.all().delete()
        FlowDay.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)


def _seconds(value) -> int:
    return int(value.total_seconds()) if value is not None else 0


def rebuild_helpdesk_days(database: str) -> int:
    tickets = Ticket.objects.using(database).filter(merged_into__isnull=True)
    days: dict = defaultdict(dict)

    def group(field: str, condition: Q, **figures) -> None:
        rows = tickets.filter(condition).annotate(day=_day(field)).values("day").annotate(**figures).order_by()
        for row in rows:
            days[row.pop("day")].update(row)

    duration = DurationField()
    group("created_at", Q(), created=Count("pk"))
    group(
        "first_responded_at",
        Q(first_responded_at__isnull=False),
        first_responses=Count("pk"),
        first_response_seconds=Sum(F("first_responded_at") - F("created_at"), output_field=duration),
    )
    group(
        "solved_at",
        Q(solved_at__isnull=False),
        solved=Count("pk"),
        resolution_seconds=Sum(F("solved_at") - F("created_at"), output_field=duration),
    )
    first_known = Q(first_responded_at__isnull=False) | Q(first_response_breached=True)
    group(
        "first_response_due_at",
        Q(first_response_due_at__isnull=False) & first_known,
        first_response_due=Count("pk"),
        first_response_met=Count("pk", filter=Q(first_responded_at__isnull=False, first_response_breached=False)),
    )
    resolution_known = Q(solved_at__isnull=False) | Q(resolution_breached=True)
    group(
        "resolution_due_at",
        Q(resolution_due_at__isnull=False) & resolution_known,
        resolution_due=Count("pk"),
        resolution_met=Count("pk", filter=Q(solved_at__isnull=False, resolution_breached=False)),
    )
    group("rated_at", Q(rated_at__isnull=False, rating__isnull=False), ratings=Count("pk"))
    group("rated_at", Q(rated_at__isnull=False, rating__gte=4), ratings_satisfied=Count("pk"))
    rows = []
    for day, figures in days.items():
        for field in ("first_response_seconds", "resolution_seconds"):
            figures[field] = _seconds(figures.get(field))
        rows.append(HelpdeskDay(day=day, **figures))
    with transaction.atomic():
        HelpdeskDay.objects.all().delete()
        HelpdeskDay.objects.bulk_create(rows)
    return len(rows)
