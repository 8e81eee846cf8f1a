"""Business-time arithmetic for SLA clocks: targets count only the hours support is at work.

``BusinessHours.parse("mon-fri 09:00-17:00, sat 10:00-14:00", "Europe/Berlin")``; windows are wall-clock
times in the store's time zone, measured in real seconds (a DST change inside a window counts as it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A target longer than this many calendar days of searching means the hours are effectively never open.
MAX_SEARCH_DAYS = 3 * 366
_WINDOW = re.compile(r"^\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DURATION = re.compile(r"^\s*(\w+)\s*=\s*(\d+)\s*([mh])\s*$")


class BusinessHoursError(ValueError):
    pass


@dataclass(frozen=True)
class BusinessHours:
    """Open windows per weekday (0 = Monday) as minutes after midnight; no windows = always open."""

    zone: ZoneInfo
    windows: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    @property
    def always_open(self) -> bool:
        return not self.windows

    @classmethod
    def parse(cls, text: str, time_zone: str = "UTC") -> BusinessHours:
        try:
            zone = ZoneInfo(time_zone.strip() or "UTC")
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise BusinessHoursError(f"Unknown time zone {time_zone!r}.") from error
        windows: dict[int, list[tuple[int, int]]] = {}
        for part in filter(str.strip, text.lower().split(",")):
            match = _WINDOW.match(part)
            if not match or match.group(1) not in DAYS or (match.group(2) or match.group(1)) not in DAYS:
                raise BusinessHoursError(
                    f"Can't read business hours {part.strip()!r}; write e.g. 'mon-fri 09:00-17:00'."
                )
            first, last = DAYS.index(match.group(1)), DAYS.index(match.group(2) or match.group(1))
            start = int(match.group(3)) * 60 + int(match.group(4))
            end = int(match.group(5)) * 60 + int(match.group(6))
            if not 0 <= start < end <= 24 * 60:
                raise BusinessHoursError(f"Opening hours must run forward within a day: {part.strip()!r}.")
            for day in range(first, last + 1) if first <= last else (*range(first, 7), *range(0, last + 1)):
                windows.setdefault(day, []).append((start, end))
        return cls(zone, {day: tuple(sorted(spans)) for day, spans in windows.items()})

    def _open_spans(self, day: date):
        """The day's windows as UTC datetimes (an end of 24:00 is the next midnight)."""
        for start, end in self.windows.get(day.weekday(), ()):
            yield self._at(day, start), self._at(day, end)

    def _at(self, day: date, minutes: int) -> datetime:
        """In UTC: Python subtracts two datetimes of one ``ZoneInfo`` as wall clocks, wrong across DST."""
        if minutes == 24 * 60:
            local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        else:
            local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of business time after ``start``."""
        if self.always_open:
            return start + timedelta(seconds=seconds)
        remaining, start = timedelta(seconds=seconds), start.astimezone(UTC)
        day = start.astimezone(self.zone).date() - timedelta(days=1)  # a window may span local midnight
        for _ in range(MAX_SEARCH_DAYS):
            for opens, closes in self._open_spans(day):
                begin = max(opens, start)
                if begin >= closes:
                    continue
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
            day += timedelta(days=1)
        raise BusinessHoursError("The business hours are never open.")

    def between(self, start: datetime, end: datetime) -> float:
        """Seconds of business time from ``start`` to ``end`` (0 when ``end`` isn't after ``start``)."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total, start, end = timedelta(), start.astimezone(UTC), end.astimezone(UTC)
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date()
        while day <= last:
            for opens, closes in self._open_spans(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds()


def parse_targets(text: str) -> dict[str, int]:
    """``"urgent=1h, high=4h, normal=30m"`` as seconds per priority name."""
    targets = {}
    for part in filter(str.strip, text.lower().split(",")):
        match = _DURATION.match(part)
        if not match:
            raise BusinessHoursError(f"Can't read SLA target {part.strip()!r}; write e.g. 'high=4h' or 'urgent=30m'.")
        name, amount, unit = match.groups()
        targets[name] = int(amount) * (60 if unit == "m" else 3600)
    return targets
