"""Fields and functions the language knows; every domain registers its own, the parser never changes.

A domain adds, from a module its ``apps.ready()`` imports::

    register_field("loyalty_tier", ValueType.STRING, "loyalty_account__tier", "Loyalty tier", choices=(...))
    register_function("opened_ticket", build=lambda since=None: Exists(...), params=(Param("since",
                      ValueType.DATETIME, required=False),), description="Opened a ticket since a date")

``path`` is an ORM lookup path from ``CustomerProfile``; ``build`` returns a ``Q``/``Exists`` over the
outer profile (``OuterRef("pk")``) for a yes/no function, or an expression for a function that
returns a value (``returns=``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.db.models import Expression, Q

from .values import ValueType

# (lookup, value) -> Q: for fields that are not one column, e.g. a profile's many tags.
Condition = Callable[[str, object], Q]


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    type: ValueType
    path: str | None
    description: str
    choices: tuple[str, ...] = ()
    nullable: bool = False
    condition: Condition | None = None
    # Changes without an event (scores recomputed nightly): segments using it are re-evaluated on schedule.
    volatile: bool = False


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    type: ValueType
    required: bool = True


@dataclasses.dataclass(frozen=True)
class Function:
    name: str
    build: Callable[..., Q | Expression]
    params: tuple[Param, ...]
    description: str
    returns: ValueType | None = None  # None: a yes/no condition used on its own
    # (lookup, value, *args) -> Q: a faster equivalent of comparing ``build(*args)`` (e.g. an EXISTS).
    compare: Callable[..., Q] | None = None
    volatile: bool = False


FIELDS: dict[str, Field] = {}
FUNCTIONS: dict[str, Function] = {}


def register_field(
    name: str,
    type: ValueType,
    path: str | None,
    description: str,
    *,
    choices: tuple[str, ...] = (),
    nullable: bool = False,
    condition: Condition | None = None,
    volatile: bool = False,
) -> Field:
    field = Field(name, type, path, description, tuple(choices), nullable, condition, volatile)
    _register(FIELDS, name, field)
    return field


def register_function(
    name: str,
    build: Callable[..., Q | Expression],
    params: tuple[Param, ...] = (),
    description: str = "",
    *,
    returns: ValueType | None = None,
    compare: Callable[..., Q] | None = None,
    volatile: bool = False,
) -> Function:
    function = Function(name, build, tuple(params), description, returns, compare, volatile)
    _register(FUNCTIONS, name, function)
    return function


def _register(table: dict, name: str, item) -> None:
    if not name.isidentifier() or name != name.lower():
        raise ValueError(f"segment names are lower_case identifiers: {name!r}")
    if name in FIELDS or name in FUNCTIONS:
        existing = FIELDS.get(name) or FUNCTIONS.get(name)
        if existing == item:
            return
        raise ValueError(f"{name!r} is already registered")
    table[name] = item
