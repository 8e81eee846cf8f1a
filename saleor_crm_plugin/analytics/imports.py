"""Import order history from another platform (a CSV file) through the same ingest path as live orders.

Each row becomes the final state of a paid, fulfilled order, as the backfill sends it; its event key
comes from the file's order ID and date, so a rerun (or a run resumed after an interruption) applies
nothing twice: the receipts skip what landed. Rows are applied in batches, one transaction each; a
bad row is reported with its line number and the others still land.

Columns (header names): ``email`` and/or ``customer_id`` (the Saleor user the history belongs to:
a User global ID or primary key), ``order_id``, ``date`` (ISO 8601 date or date-time; a date is
midnight UTC), ``total``, ``currency``; optional ``channel`` (else the command's default) and
``lines`` (``sku:quantity:unit_price`` items separated by ``;``).
"""

from __future__ import annotations

import base64
import binascii
import csv
import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TextIO

from ..events import Event, EventKind, Line, Order, normalise_email
from ..ids import global_id
from ..ingest import ingest_many

REQUIRED = ("order_id", "date", "total", "currency")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_TEXT = 128
MONEY_LIMIT = Decimal(10) ** 15


class BadRow(ValueError):
    pass


@dataclasses.dataclass
class ImportSummary:
    rows: int = 0
    applied: int = 0
    already_there: int = 0
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.rows} rows: {self.applied} orders imported, {self.already_there} already there, "
            f"{len(self.errors)} refused."
        )


def read_rows(file: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for every data row; the header must name the required columns."""
    reader = csv.DictReader(file)
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing or not {"email", "customer_id"} & set(reader.fieldnames or []):
        needed = missing or ["email or customer_id"]
        raise BadRow(f"The header lacks the column(s): {', '.join(needed)}.")
    for row in reader:
        yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}


def order_from_row(row: dict[str, str], channel: str) -> Order:
    """The order a row describes, or ``BadRow`` saying what is wrong with it."""
    email = normalise_email(row.get("email"))
    user_id = _user_id(row.get("customer_id", ""))
    if not email and not user_id:
        raise BadRow("neither email nor customer_id is given")
    if email and ("@" not in email or len(email) > 254):
        raise BadRow(f"email {email!r} is not an email address")
    order_id = row["order_id"]
    if not order_id or len(order_id) > MAX_TEXT:
        raise BadRow("order_id is empty or too long")
    placed_at = _moment(row["date"])
    total = _amount(row["total"], "total")
    currency = row["currency"].upper()
    if not CURRENCY.match(currency):
        raise BadRow(f"currency {row['currency']!r} is not a 3-letter code like USD")
    return Order(
        order_id=global_id("Order", f"imported-{order_id}"),
        number=order_id,
        status="fulfilled",
        channel=row.get("channel") or channel,
        currency=currency,
        total=total,
        shipping=Decimal(0),
        created_at=placed_at,
        updated_at=placed_at,
        email=email,
        user_id=user_id,
        charge_status="full",
        total_charged=total,
        lines=_lines(row.get("lines", "")),
    )


def _user_id(value: str) -> str | None:
    if not value:
        return None
    if value.isdigit():
        return global_id("User", int(value))
    try:
        kind, _, pk = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        kind, pk = "", ""
    if kind != "User" or not pk:
        raise BadRow(f"customer_id {value!r} is neither a user's primary key nor a User ID")
    return value


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRow(f"date {value!r} is not an ISO 8601 date like 2024-05-31") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _amount(value: str, name: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise BadRow(f"{name} {value!r} is not an amount like 49.90") from None
    if not amount.is_finite() or amount < 0 or amount >= MONEY_LIMIT or amount.as_tuple().exponent < -3:
        raise BadRow(f"{name} {value!r} is not an amount of zero or more with at most 3 decimals")
    return amount


def _lines(value: str) -> tuple[Line, ...]:
    lines = []
    for item in filter(None, (part.strip() for part in value.split(";"))):
        parts = item.split(":")
        if len(parts) != 3 or not parts[0] or not parts[1].isdigit() or int(parts[1]) == 0:
            raise BadRow(f"line {item!r} is not like 'SKU:quantity:unit_price'")
        sku, quantity, price = parts[0][:MAX_TEXT], int(parts[1]), _amount(parts[2], "unit price")
        lines.append(Line(quantity=quantity, unit_price=price, product_name=sku, sku=sku))
    return tuple(lines)


Progress = Callable[[int], None]


def import_orders(
    rows: Iterable[tuple[int, dict[str, str]]], channel: str, batch_size: int = 500, progress: Progress | None = None
) -> ImportSummary:
    """Ingest every good row in batches of ``batch_size``; bad rows end up in ``summary.errors``.

    ``progress`` is told how many more rows were read (good or bad) after each batch."""
    progress = progress or (lambda rows: None)
    reported = 0
    summary = ImportSummary()
    batch: list[tuple[int, Event]] = []
    first_line: dict[str, int] = {}  # order ID -> the line it was first seen on
    for line_number, row in rows:
        summary.rows += 1
        try:
            order = order_from_row(row, channel)
            seen = first_line.setdefault(order.order_id, line_number)
            if seen != line_number:
                raise BadRow(f"order_id {order.number!r} repeats line {seen}")
            batch.append((line_number, Event(EventKind.ORDER_UPDATED, order)))
        except BadRow as error:
            summary.errors.append((line_number, str(error)))
        if len(batch) >= batch_size:
            _apply(batch, summary)
            batch = []
            progress(summary.rows - reported)
            reported = summary.rows
    _apply(batch, summary)
    progress(summary.rows - reported)
    summary.errors.sort()
    return summary


def _apply(batch: list[tuple[int, Event]], summary: ImportSummary) -> None:
    if not batch:
        return
    result = ingest_many(event for _, event in batch)
    summary.applied += result.applied
    summary.already_there += result.skipped
    line_of = {id(event): line_number for line_number, event in batch}
    summary.errors += [(line_of[id(event)], f"not imported: {error}") for event, error in result.failed]
