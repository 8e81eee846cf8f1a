"""Saleor-style countable connections over keyset (seek) pagination.

A cursor is the row's sort key, so a page costs one indexed ``WHERE (key) > (cursor) LIMIT n+1``
however deep it is, and rows inserted meanwhile don't shift pages. ``totalCount`` is a separate
``COUNT(*)`` run only when asked for.
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import BooleanField, F, Func, QuerySet, Value
from graphql.error import GraphQLError

MAX_PAGE_SIZE = 100


class CountableConnection(graphene.relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(description="A total count of items in the collection.")

    @staticmethod
    def resolve_total_count(root: Page, info) -> int | None:
        return root.count()


@dataclass
class Page:
    """What a connection field returns: the rows, their cursors and how to count the whole set."""

    rows: list
    cursors: list[str]
    has_next: bool
    has_previous: bool
    count: Callable[[], Any]

    @property
    def edges(self) -> list:
        return [{"node": row, "cursor": cursor} for row, cursor in zip(self.rows, self.cursors, strict=True)]

    @property
    def page_info(self) -> graphene.relay.PageInfo:
        return graphene.relay.PageInfo(
            has_next_page=self.has_next,
            has_previous_page=self.has_previous,
            start_cursor=self.cursors[0] if self.cursors else None,
            end_cursor=self.cursors[-1] if self.cursors else None,
        )


def page_size(args: dict, connection_name: str) -> tuple[int, bool]:
    """``(limit, backwards)`` from first/last, with Saleor's messages for bad combinations."""
    first, last = args.get("first"), args.get("last")
    if first is not None and last is not None:
        raise GraphQLError(f"Argument `last` cannot be combined with `first` on the `{connection_name}` connection.")
    if first is None and last is None:
        raise GraphQLError(
            f"You must provide a `first` or `last` value to properly paginate the `{connection_name}` connection."
        )
    size, name = (first, "first") if first is not None else (last, "last")
    if size < 0:
        raise GraphQLError(f"Argument `{name}` on the `{connection_name}` connection cannot be less than zero.")
    if size > MAX_PAGE_SIZE:
        raise GraphQLError(
            f"Requesting {size} records on the `{connection_name}` connection exceeds the "
            f"`{name}` limit of {MAX_PAGE_SIZE} records."
        )
    if (args.get("after") and last is not None) or (args.get("before") and first is not None):
        raise GraphQLError(f"Use `after` with `first` and `before` with `last` on the `{connection_name}` connection.")
    return size, last is not None


class _CursorEncoder(DjangoJSONEncoder):
    """Django's encoder, but a datetime keeps its microseconds: Django cuts them to milliseconds (as
    JavaScript dates have them), and a cursor that falls between two rows makes a page repeat or skip one."""

    def default(self, o):
        return o.isoformat() if isinstance(o, datetime) else super().default(o)


def encode_cursor(values: Sequence[Any]) -> str:
    return b64encode(json.dumps(list(values), cls=_CursorEncoder).encode()).decode()


def cursor_for(row: Any, ordering: Sequence[str]) -> str:
    return encode_cursor([getattr(row, field.lstrip("-")) for field in ordering])


def decode_cursor(cursor: str, length: int) -> list:
    try:
        values = json.loads(b64decode(cursor, validate=True))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != length:
        raise GraphQLError(f"Received cursor ({cursor}) is invalid.")
    return values


class _Row(Func):
    template = "(%(expressions)s)"
    output_field = BooleanField()  # never read: a row only stands inside a comparison


class _RowAfter(Func):
    """``(a, b) > (x, y)``: one predicate an index on ``(a, b)`` serves (an OR chain defeats it)."""

    template = "%(expressions)s"
    output_field = BooleanField()
    conditional = True

    def __init__(self, columns: list, values: list, descending: bool):
        super().__init__(_Row(*columns), _Row(*values))
        self.arg_joiner = " < " if descending else " > "


def seek(queryset: QuerySet, ordering: Sequence[str], cursor: str) -> QuerySet:
    """Rows strictly after ``cursor`` in ``ordering`` (all ascending or all ``-descending``)."""
    directions = {field.startswith("-") for field in ordering}
    if len(directions) != 1:
        raise ValueError(f"A keyset ordering runs one way: {ordering}")
    names = [field.lstrip("-") for field in ordering]
    typed = []
    for name, value in zip(names, decode_cursor(cursor, len(ordering)), strict=True):
        field = _output_field(queryset, name)
        try:
            typed.append(Value(field.to_python(value), output_field=field))
        except (ValidationError, TypeError) as error:
            raise GraphQLError(f"Received cursor ({cursor}) is invalid.") from error
    return queryset.filter(_RowAfter([F(name) for name in names], typed, descending=directions.pop()))


def _output_field(queryset: QuerySet, name: str):
    annotation = queryset.query.annotations.get(name)
    return annotation.output_field if annotation is not None else queryset.model._meta.get_field(name)


def reverse_ordering(ordering: Sequence[str]) -> list[str]:
    return [field[1:] if field.startswith("-") else f"-{field}" for field in ordering]


def paginate(queryset: QuerySet, ordering: Sequence[str], args: dict, connection_name: str) -> Page:
    """One page of ``queryset`` by keyset on ``ordering`` (whose last field must be unique)."""
    size, backwards = page_size(args, connection_name)
    cursor = args.get("before") if backwards else args.get("after")
    walk = reverse_ordering(ordering) if backwards else list(ordering)
    rows_qs = queryset.order_by(*walk)
    if cursor:
        rows_qs = seek(rows_qs, walk, cursor)
    rows = list(rows_qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    return Page(
        rows=rows,
        cursors=[cursor_for(row, ordering) for row in rows],
        has_next=more if not backwards else bool(cursor),
        has_previous=more if backwards else bool(cursor),
        count=queryset.count,
    )
