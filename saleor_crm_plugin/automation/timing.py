"""When a message goes out: the customer's best hour (send-time optimisation), quiet hours and the
frequency cap, all in the automation time zone."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import ExtractHour

from ..profiles.models import OrderSnapshot, TimelineEntry
from ..settings import CRMSettings, check_setting

# What a customer does when they are at their screen and buying.
ACTIVITY_KINDS = ("order.placed", "checkout.started", "message.opened", "message.clicked")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CAP = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*([hd])\s*$")


@dataclasses.dataclass(frozen=True)
class SendPolicy:
    zone: ZoneInfo
    quiet: tuple[time, time] | None
    cap: tuple[int, timedelta] | None

    @classmethod
    def from_settings(cls, settings: CRMSettings) -> SendPolicy:
        return cls(
            ZoneInfo(settings.automation_time_zone or "UTC"),
            parse_quiet_hours(settings.automation_quiet_hours),
            parse_cap(settings.automation_frequency_cap),
        )

    def is_quiet(self, moment: datetime) -> bool:
        if self.quiet is None:
            return False
        start, end = self.quiet
        now = moment.astimezone(self.zone).time()
        return start <= now < end if start < end else now >= start or now < end

    def after_quiet(self, moment: datetime) -> datetime:
        """``moment``, or the end of the quiet hours it falls in."""
        if not self.is_quiet(moment):
            return moment
        local = moment.astimezone(self.zone)
        end = datetime.combine(local.date(), self.quiet[1], tzinfo=self.zone)
        return end if end > local else end + timedelta(days=1)

    def send_time(self, due: datetime, window_hours: int, best_hour: int | None) -> datetime:
        """The first moment at the customer's best hour within the window (else ``due``), out of quiet hours."""
        if window_hours and best_hour is not None:
            local = due.astimezone(self.zone)
            candidate = local.replace(hour=best_hour, minute=0, second=0, microsecond=0)
            if candidate < local:
                candidate += timedelta(days=1)
            if candidate <= local + timedelta(hours=window_hours):
                due = candidate
        return self.after_quiet(due)


@check_setting("automation_quiet_hours")
def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    if not (text or "").strip():
        return None
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"Quiet hours '{text}' are not like '21:00-08:00'.")
    h1, m1, h2, m2 = map(int, match.groups())
    return time(h1, m1), time(h2 % 24, m2)


@check_setting("automation_frequency_cap")
def parse_cap(text: str) -> tuple[int, timedelta] | None:
    if not (text or "").strip():
        return None
    match = _CAP.match(text.lower())
    if not match:
        raise ValueError(f"Frequency cap '{text}' is not like '3/7d'.")
    count, amount, unit = int(match.group(1)), int(match.group(2)), match.group(3)
    return count, timedelta(hours=amount) if unit == "h" else timedelta(days=amount)


def best_hours(profile_ids: list[int], zone: ZoneInfo) -> dict[int, int]:
    """Each customer's most frequent local hour of activity: one grouped query for the batch."""
    rows = (
        TimelineEntry.objects.filter(profile_id__in=profile_ids, kind__in=ACTIVITY_KINDS)
        .annotate(hour=ExtractHour("occurred_at", tzinfo=zone))
        .values("profile_id", "hour")
        .annotate(n=Count("id"))
        .order_by("profile_id", "-n", "hour")
    )
    best: dict[int, int] = {}
    for row in rows:
        best.setdefault(row["profile_id"], row["hour"])
    return best


def store_best_hour(zone: ZoneInfo, now: datetime, days: int = 90) -> int | None:
    """The hour most orders of the last ``days`` were placed: for customers with no history of their own."""
    hours = Counter(
        dict(
            OrderSnapshot.objects.filter(placed_at__gte=now - timedelta(days=days))
            .annotate(hour=ExtractHour("placed_at", tzinfo=zone))
            .values("hour")
            .annotate(n=Count("id"))
            .values_list("hour", "n")
        )
    )
    return min(hours, key=lambda hour: (-hours[hour], hour)) if hours else None
