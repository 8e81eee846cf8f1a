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
from collections.abc import Callable, Iterable

from django.db.models import Expression, Q

from .values import ValueType

# (lookup, value) -> Q: for fields that are not one column, e.g. a profile's many tags. ``lookup`` is a
# Django lookup (exact, lt, lte, gt, gte, isnull, in, range); ``in`` comes with a tuple of values and
# ``range`` with (low, high), so a list is one comparison.
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
    # An ingested event can change it (profile columns, orders, checkouts, points). False for what only
    # a scheduled job or staff set (RFM scores, tickets): the live re-check after events skips segments
    # made only of such.
    event_driven: bool = True


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The names a text parameter is matched against in the store (categories, products, channels).

    A name the store has never seen matches nobody, silently; previews and saves warn about it, like an
    unknown field, with the nearest known name. Looked up only then, never while evaluating.
    """

    what: str  # "category", in "no order has the category ..."
    seen: Callable[[str], bool]  # whether any order has it
    names: Callable[[], Iterable[str]]  # known names, for "did you mean"


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    type: ValueType
    required: bool = True
    vocabulary: Vocabulary | None = None


@dataclasses.dataclass(frozen=True)
class Function:
    name: str
    build: Callable[..., Q | Expression]
    params: tuple[Param, ...]
    description: str
    returns: ValueType | None = None  # None: a yes/no condition used on its own
    # (lookup, value, *args) -> Q: a faster equivalent of comparing ``build(*args)`` (e.g. an EXISTS); lookups
    # as for ``Condition``.
    compare: Callable[..., Q] | None = None
    volatile: bool = False
    event_driven: bool = True  # as for ``Field``


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
    event_driven: bool = True,
) -> Field:
    field = Field(name, type, path, description, tuple(choices), nullable, condition, volatile, event_driven)
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
    event_driven: bool = True,
) -> Function:
    function = Function(name, build, tuple(params), description, returns, compare, volatile, event_driven)
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
