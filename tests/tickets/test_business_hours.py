"""SLA due times in business hours: nights, weekends, time zones and DST, and the inverse 'between'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_crm_plugin.tickets.business_hours import BusinessHours, BusinessHoursError, parse_targets

OFFICE = BusinessHours.parse("mon-fri 09:00-17:00", "UTC")
HOUR = 3600


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# 2025-03-07 is a Friday.
@pytest.mark.parametrize(
    ("start", "seconds", "due"),
    [
        (utc(2025, 3, 5, 10), 2 * HOUR, utc(2025, 3, 5, 12)),  # inside one day
        (utc(2025, 3, 5, 16), 2 * HOUR, utc(2025, 3, 6, 10)),  # across a night
        (utc(2025, 3, 5, 20), 1 * HOUR, utc(2025, 3, 6, 10)),  # opened at night: the clock starts at 9
        (utc(2025, 3, 7, 16), 2 * HOUR, utc(2025, 3, 10, 10)),  # Friday afternoon -> Monday
        (utc(2025, 3, 8, 12), 1 * HOUR, utc(2025, 3, 10, 10)),  # opened on Saturday
        (utc(2025, 3, 5, 9), 8 * HOUR, utc(2025, 3, 5, 17)),  # exactly one business day
        (utc(2025, 3, 5, 10), 24 * HOUR, utc(2025, 3, 10, 10)),  # three business days, over a weekend
        (utc(2025, 3, 5, 17), 0, utc(2025, 3, 6, 9)),  # a zero target outside hours: next opening
    ],
)
def test_due_times_skip_nights_and_weekends(start, seconds, due):
    assert OFFICE.add(start, seconds) == due
    assert OFFICE.between(start, due) == seconds


def test_hours_are_the_stores_wall_clock_across_a_dst_change():
    berlin = BusinessHours.parse("mon-fri 09:00-17:00", "Europe/Berlin")
    # Friday 2025-03-28 16:00 Berlin (CET, UTC+1) + 2h: 1h on Friday, 1h on Monday 31st (CEST, UTC+2).
    due = berlin.add(utc(2025, 3, 28, 15), 2 * HOUR)
    assert due == utc(2025, 3, 31, 8)  # 10:00 in Berlin
    assert berlin.between(utc(2025, 3, 28, 15), due) == 2 * HOUR


def test_several_windows_a_day_and_saturday():
    hours = BusinessHours.parse("mon-fri 09:00-12:00, mon-fri 13:00-17:00, sat 10:00-14:00")
    assert hours.add(utc(2025, 3, 5, 11), 2 * HOUR) == utc(2025, 3, 5, 14)  # lunch doesn't count
    assert hours.add(utc(2025, 3, 7, 16), 2 * HOUR) == utc(2025, 3, 8, 11)  # Friday -> Saturday


def test_empty_hours_are_round_the_clock():
    always = BusinessHours.parse("", "UTC")
    assert always.add(utc(2025, 3, 8, 23), HOUR) == utc(2025, 3, 9, 0)


@pytest.mark.parametrize(
    ("text", "zone"),
    [("mon-fri 9-17", "UTC"), ("xyz 09:00-17:00", "UTC"), ("mon 17:00-09:00", "UTC"), ("", "Mars/Base")],
)
def test_bad_hours_are_refused_with_a_message(text, zone):
    with pytest.raises(BusinessHoursError):
        BusinessHours.parse(text, zone)


def test_targets_per_priority():
    assert parse_targets("urgent=30m, high=4h") == {"urgent": 1800, "high": 4 * HOUR}
    with pytest.raises(BusinessHoursError):
        parse_targets("high=4 days")


@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)),
    seconds=st.integers(min_value=0, max_value=200 * HOUR),
)
def test_between_is_the_inverse_of_add(start, seconds):
    hours = BusinessHours.parse("mon-fri 08:30-18:00, sat 10:00-13:00", "America/New_York")
    due = hours.add(start, seconds)
    assert due >= start
    assert hours.between(start, due) == pytest.approx(seconds)
    assert hours.between(start, due - timedelta(seconds=1)) < seconds or seconds == 0
