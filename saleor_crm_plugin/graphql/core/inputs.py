"""One cleaning pass over the arguments of every field, before its resolver runs.

Values the GraphQL scalars let through can still break a resolver or the database: a NUL byte
(PostgreSQL refuses it in text), a lone surrogate (not encodable as UTF-8), NaN or 1e30 where
money is meant, a year-9999 date that overflows the first time a day is added, an integer
outside PostgreSQL's 4-byte ``integer``. ``InputCleaning`` (a graphene middleware the view
installs) refuses them for every field and argument of the schema, so a new mutation or filter is
covered without doing anything: a mutation answers ``errors { field code message }`` with code
``INVALID`` (every domain's error enum has it), a query field a GraphQL error naming the argument.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Iterator
from typing import Any

from graphene.utils.str_converters import to_camel_case
from graphql.error import GraphQLError

INT4 = range(-(2**31), 2**31)
MONEY_LIMIT = decimal.Decimal(10) ** 15  # money columns hold 20 digits, 3 after the point
MONEY_PLACES = 3
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


class InputError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def problem(value: Any) -> str | None:
    """Why ``value`` can't be used, in words for the caller; None when it can."""
    if isinstance(value, str):
        if "\x00" in value:
            return "Text can't contain NUL characters."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Text must be valid Unicode (no lone surrogates)."
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if value not in INT4:
            return f"Whole numbers must be between {INT4.start} and {INT4.stop - 1}."
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "Numbers must be finite."
    elif isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return "Amounts must be finite numbers."
        if abs(value) >= MONEY_LIMIT:
            return f"Amounts must be smaller than {MONEY_LIMIT:,}."
        if value.as_tuple().exponent < -MONEY_PLACES:
            return f"Amounts can't have more than {MONEY_PLACES} decimal places."
    elif isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not EARLIEST <= day <= LATEST:
            return f"Dates must be between {EARLIEST.year} and {LATEST.year}."
    return None


def _walk(value: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(key, path)  # JSON keys are text too
            yield from _walk(item, (*path, to_camel_case(key) if isinstance(key, str) else key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value, start=1):  # positions as the API counts steps: from 1
            yield from _walk(item, (*path, index))
    else:
        yield path, value


def clean_arguments(arguments: dict) -> None:
    """Raises ``InputError`` for the first unusable value, naming it the way Saleor names fields:
    the input field inside ``input`` (``steps.0.html``), else the argument (``filter.search``)."""
    for path, value in _walk(arguments, ()):
        message = problem(value)
        if message is not None:
            parts = path[1:] if path[:1] == ("input",) and len(path) > 1 else path
            raise InputError(".".join(str(part) for part in parts), message)


class InputCleaning:
    """Graphene middleware: cleans each field's arguments before its resolver runs."""

    def resolve(self, next_resolver, root, info, **arguments):
        if arguments:
            try:
                clean_arguments(arguments)
            except InputError as error:
                return _refusal(info, error)
        return next_resolver(root, info, **arguments)


def _refusal(info, error: InputError):
    payload = getattr(info.return_type, "graphene_type", None)
    is_mutation = info.parent_type is info.schema.get_mutation_type()
    if is_mutation and payload is not None and "errors" in info.return_type.fields:
        return payload(errors=[{"field": error.field, "code": "INVALID", "message": error.message}])
    raise GraphQLError(f"Invalid value for `{error.field}`: {error.message}")
