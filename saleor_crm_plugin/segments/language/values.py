"""Literal values of the language and the checks that keep them inside what the database accepts."""

from __future__ import annotations

import calendar
import dataclasses
import enum
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from .errors import SegmentQueryError

MAX_INT = 2**31 - 1
MAX_DECIMAL_DIGITS = 17  # the money columns: 20 digits, 3 of them decimals
MAX_STRING = 256
MAX_YEARS_BACK = 100
# Absolute dates: far beyond any store's history, yet far inside what Python's datetime and the database
# count, so the arithmetic a comparison does (the day after ``9999-12-31``) can never overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class ValueType(enum.StrEnum):
    INT = "number"
    DECIMAL = "amount"
    DATETIME = "date"
    STRING = "text"
    BOOL = "true/false"


@dataclasses.dataclass(frozen=True)
class Literal:
    """A parsed literal: ``kind`` is the token type (NUMBER, STRING, DATE, RELDATE, TRUE, FALSE, NULL)."""

    kind: str
    text: str
    line: int
    column: int

    def fail(self, message: str) -> SegmentQueryError:
        return SegmentQueryError(message, self.line, self.column)


@dataclasses.dataclass(frozen=True)
class DateValue:
    at: datetime
    whole_day: bool  # an absolute date without a time: `=` means that whole day
    relative: bool


def convert(literal: Literal, value_type: ValueType, now: datetime) -> object:
    """The Python value of ``literal`` as ``value_type``, or an error saying what was expected."""
    if literal.kind == "NULL":
        raise literal.fail("null is only allowed with = and !=")
    converter = _CONVERTERS[value_type]
    return converter(literal, now)


def _int(literal: Literal, now: datetime) -> int:
    if literal.kind != "NUMBER" or "." in literal.text:
        raise literal.fail(f"expected a whole number, got {literal.text}")
    value = int(literal.text)
    if abs(value) > MAX_INT:
        raise literal.fail(f"{literal.text} is too large")
    return value


def _decimal(literal: Literal, now: datetime) -> Decimal:
    if literal.kind != "NUMBER":
        raise literal.fail(f"expected an amount like 99.90, got {literal.text}")
    try:
        value = Decimal(literal.text)
    except InvalidOperation as error:  # pragma: no cover - the grammar only lets numbers through
        raise literal.fail(f"{literal.text} is not a number") from error
    whole, _, fraction = literal.text.lstrip("-").partition(".")
    if len(whole.lstrip("0")) > MAX_DECIMAL_DIGITS or len(fraction) > 3:
        raise literal.fail(f"{literal.text} has too many digits (at most {MAX_DECIMAL_DIGITS} before and 3 after '.')")
    return value


def _string(literal: Literal, now: datetime) -> str:
    if literal.kind != "STRING":
        raise literal.fail(f'expected text in quotes, like "{literal.text}"')
    value = unquote(literal.text)
    if len(value) > MAX_STRING or "\x00" in value:
        raise literal.fail(f"text is at most {MAX_STRING} characters, without NUL characters")
    return value


def _bool(literal: Literal, now: datetime) -> bool:
    if literal.kind not in ("TRUE", "FALSE"):
        raise literal.fail(f"expected true or false, got {literal.text}")
    return literal.kind == "TRUE"


def _date(literal: Literal, now: datetime) -> DateValue:
    if literal.kind == "RELDATE":
        return DateValue(relative_date(literal, now), whole_day=False, relative=True)
    if literal.kind != "DATE":
        raise literal.fail(f"expected a date like 2025-01-31 or -30d, got {literal.text}")
    try:
        value = datetime.fromisoformat(literal.text)
    except ValueError as error:
        raise literal.fail(f"{literal.text} is not a valid date") from error
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise literal.fail(f"{literal.text} is out of range: dates go from year {FIRST_YEAR} to {LAST_YEAR}")
    return DateValue(value.replace(tzinfo=UTC) if value.tzinfo is None else value, "T" not in literal.text, False)


def relative_date(literal: Literal, now: datetime) -> datetime:
    """``-30d`` is thirty days before ``now``; units h, d, w, m (calendar months) and y."""
    sign = -1 if literal.text.startswith("-") else 1
    amount, unit = int(literal.text[1:-1]), literal.text[-1].lower()
    limits = {"h": 24 * 366, "d": 366, "w": 53, "m": 12, "y": 1}
    if amount > limits[unit] * MAX_YEARS_BACK:
        raise literal.fail(f"{literal.text} reaches more than {MAX_YEARS_BACK} years away")
    if unit in ("h", "d", "w"):
        return now + sign * timedelta(**{{"h": "hours", "d": "days", "w": "weeks"}[unit]: amount})
    return add_months(now, sign * amount * (12 if unit == "y" else 1))


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months: one month before 31 March is 28 (or 29) February."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def unquote(text: str) -> str:
    body = text[1:-1]
    out, escaped = [], False
    for char in body:
        if escaped:
            out.append({"n": "\n", "t": "\t"}.get(char, char))
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


_CONVERTERS = {
    ValueType.INT: _int,
    ValueType.DECIMAL: _decimal,
    ValueType.STRING: _string,
    ValueType.BOOL: _bool,
    ValueType.DATETIME: _date,
}
