"""SLA policy from the settings, due times, and the scheduled breach flagging (set-based)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Q

from ..settings import CRMSettings, check_setting, get_settings
from .business_hours import BusinessHours, BusinessHoursError, parse_targets
from .models import AuthorKind, Ticket, TicketEvent, TicketPriority, TicketStatus

logger = logging.getLogger(__name__)

# While pending on the customer the resolution clock stops; the first-response clock never does.
RESOLUTION_CLOCK_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.ON_HOLD)
FIRST_RESPONSE_CLOCK_STATUSES = (*RESOLUTION_CLOCK_STATUSES, TicketStatus.PENDING)


@dataclass(frozen=True)
class SLAPolicy:
    hours: BusinessHours
    first_response: dict[str, int]
    resolution: dict[str, int]

    def first_response_due(self, priority: int, opened_at: datetime) -> datetime | None:
        seconds = self.first_response.get(TicketPriority(priority).label)
        return None if seconds is None else self.hours.add(opened_at, seconds)

    def resolution_due(self, priority: int, opened_at: datetime, paused_seconds: int = 0) -> datetime | None:
        seconds = self.resolution.get(TicketPriority(priority).label)
        return None if seconds is None else self.hours.add(opened_at, seconds + paused_seconds)


check_setting("ticket_business_hours")(BusinessHours.parse)
check_setting("ticket_sla_first_response", "ticket_sla_resolution")(parse_targets)


def policy() -> SLAPolicy:
    return _policy(get_settings())


@lru_cache(maxsize=4)
def _policy(settings: CRMSettings) -> SLAPolicy:
    """The merchant's policy; a typo in the dashboard falls back to the defaults (logged), never blocks a ticket."""
    try:
        return _parse(settings)
    except BusinessHoursError:
        logger.exception("CRM ticket SLA settings are invalid; using the defaults until they are fixed")
        return _parse(CRMSettings())


def _parse(settings: CRMSettings) -> SLAPolicy:
    return SLAPolicy(
        hours=BusinessHours.parse(settings.ticket_business_hours, settings.ticket_time_zone),
        first_response=parse_targets(settings.ticket_sla_first_response),
        resolution=parse_targets(settings.ticket_sla_resolution),
    )


def set_due_times(ticket: Ticket) -> None:
    """(Re)compute both due times from the opening moment, the priority and the time paused."""
    sla = policy()
    ticket.first_response_due_at = sla.first_response_due(ticket.priority, ticket.created_at)
    ticket.resolution_due_at = sla.resolution_due(ticket.priority, ticket.created_at, ticket.sla_paused_seconds)


def pause(ticket: Ticket, now: datetime) -> None:
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = now


def resume(ticket: Ticket, now: datetime) -> None:
    """Leaving 'pending': the business time spent waiting pushes the resolution due time out."""
    if ticket.sla_paused_at is not None:
        ticket.sla_paused_seconds += int(policy().hours.between(ticket.sla_paused_at, now))
        ticket.sla_paused_at = None
        set_due_times(ticket)


@transaction.atomic
def flag_breaches(now: datetime) -> tuple[int, int]:
    """Mark tickets past a due time as breached and those close to one as at risk.

    A few statements over all tickets whatever their number (partial indexes on the due times);
    returns (newly breached, at risk now). Each breach is also an event on the ticket's history.
    """
    first = Ticket.objects.filter(
        first_responded_at__isnull=True,
        first_response_breached=False,
        first_response_due_at__lt=now,
        status__in=FIRST_RESPONSE_CLOCK_STATUSES,
    )
    resolution = Ticket.objects.filter(
        solved_at__isnull=True,
        resolution_breached=False,
        resolution_due_at__lt=now,
        status__in=RESOLUTION_CLOCK_STATUSES,
    )
    breached = []
    for target, queryset, flag in (
        ("first_response", first, "first_response_breached"),
        ("resolution", resolution, "resolution_breached"),
    ):
        ids = list(queryset.select_for_update(skip_locked=True).values_list("id", flat=True))
        Ticket.objects.filter(id__in=ids).update(**{flag: True, "sla_at_risk": False})
        breached += [
            TicketEvent(
                ticket_id=pk,
                kind="sla_breached",
                actor_kind=AuthorKind.SYSTEM,
                data={"target": target},
                occurred_at=now,
            )
            for pk in ids
        ]
    TicketEvent.objects.bulk_create(breached)
    soon = now + timedelta(minutes=get_settings().ticket_sla_warning_minutes)
    at_risk = Q(
        first_responded_at__isnull=True,
        first_response_breached=False,
        first_response_due_at__range=(now, soon),
        status__in=FIRST_RESPONSE_CLOCK_STATUSES,
    ) | Q(
        solved_at__isnull=True,
        resolution_breached=False,
        resolution_due_at__range=(now, soon),
        status__in=RESOLUTION_CLOCK_STATUSES,
    )
    Ticket.objects.filter(sla_at_risk=True).exclude(at_risk).update(sla_at_risk=False)
    Ticket.objects.filter(at_risk, sla_at_risk=False).update(sla_at_risk=True)
    return len(breached), Ticket.objects.filter(sla_at_risk=True).count()
