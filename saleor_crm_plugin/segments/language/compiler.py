"""The condition tree → one ``Q`` over ``CustomerProfile``, checked against the registry on the way.

Nothing reaches the database before every name, operator and value has been checked here, so a
query either compiles to a filter the database accepts or fails with ``SegmentQueryError``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from functools import lru_cache

from django.db.models import Q, QuerySet
from django.db.models import lookups as django_lookups
from django.utils import timezone

from .errors import SegmentQueryError, did_you_mean
from .parser import Between, BoolOp, Call, Compare, FieldRef, InList, Node, Not, Operand, Predicate, parse
from .registry import FIELDS, FUNCTIONS, Field, Function, Param, Vocabulary
from .values import DateValue, Literal, ValueType, convert

MAX_IN_VALUES = 1000
LOOKUPS = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
EXPRESSION_LOOKUPS = {
    "exact": django_lookups.Exact,
    "in": django_lookups.In,
    "range": django_lookups.Range,
    "lt": django_lookups.LessThan,
    "lte": django_lookups.LessThanOrEqual,
    "gt": django_lookups.GreaterThan,
    "gte": django_lookups.GreaterThanOrEqual,
}
ORDERED_TYPES = (ValueType.INT, ValueType.DECIMAL, ValueType.DATETIME)


@dataclasses.dataclass(frozen=True)
class NameReference:
    vocabulary: Vocabulary
    name: str
    line: int
    column: int


@dataclasses.dataclass(frozen=True)
class CompiledQuery:
    text: str
    condition: Q
    # Uses relative dates or nightly scores: membership changes with time, not only with events.
    time_relative: bool
    # Uses something an ingested event can change: the live re-check after events looks at it.
    event_driven: bool
    # Names the query looks up in the store (a category, a product): previews and saves check them.
    names: tuple[NameReference, ...] = ()

    def profiles(self, queryset: QuerySet | None = None) -> QuerySet:
        """The matching live (not anonymised) profiles, as one query."""
        from ...profiles.models import CustomerProfile

        base = CustomerProfile.objects.all() if queryset is None else queryset
        return base.filter(anonymised_at__isnull=True).filter(self.condition)


def compile_query(text: str, now: datetime | None = None) -> CompiledQuery:
    """``text`` as one filter over profiles, relative dates counted from ``now``."""
    compiler = _Compiler(now or timezone.now())
    condition = compiler.node(_parsed(text))
    return CompiledQuery(text, condition, compiler.time_relative, compiler.event_driven, tuple(compiler.names))


@lru_cache(maxsize=1024)
def _parsed(text: str) -> Node:
    """Parsing is pure and the tree immutable: the live re-check compiles every segment per run."""
    return parse(text)


class _Compiler:
    def __init__(self, now: datetime):
        self.now = now
        self.time_relative = False
        self.event_driven = False
        self.names: list[NameReference] = []

    def node(self, node: Node) -> Q:
        if isinstance(node, BoolOp):
            items = _equalities_as_lists(node.items) if node.op == "or" else node.items
            parts = [self.node(item) for item in items]
            combined = parts[0]
            for part in parts[1:]:
                combined = (combined & part) if node.op == "and" else (combined | part)
            return combined
        if isinstance(node, Not):
            return ~self.node(node.item)
        if isinstance(node, Predicate):
            return self.predicate(node.call)
        if isinstance(node, Compare):
            return self.compare(node.operand, node.op, node.value)
        if isinstance(node, InList):
            if len(node.values) > MAX_IN_VALUES:
                raise node.values[0].fail(f"IN takes at most {MAX_IN_VALUES} values")
            either = self.compare_any(node.operand, node.values)
            return ~either if node.negated else either
        if isinstance(node, Between):
            return self.between(node.operand, node.low, node.high)
        raise SegmentQueryError("the query could not be read")  # pragma: no cover - parser makes only these

    # -- operands --------------------------------------------------------------------------------

    def predicate(self, call: Call) -> Q:
        function = self.function(call)
        if function.returns is not None:
            raise SegmentQueryError(
                f"{call.name}(...) needs a comparison, like {call.name}(...) > 0",
                call.line,
                call.column,
            )
        result = function.build(*self.arguments(function, call))
        return result if isinstance(result, Q) else Q(result)

    def function(self, call: Call) -> Function:
        function = FUNCTIONS.get(call.name.lower())
        if function is None:
            hint = did_you_mean(call.name, FUNCTIONS)
            if not hint and call.name.lower() in FIELDS:
                hint = f"; {call.name.lower()} is a field: write {call.name.lower()} = ..."
            raise SegmentQueryError(f"unknown function '{call.name}'{hint}", call.line, call.column, "UNKNOWN_NAME")
        self.time_relative |= function.volatile
        self.event_driven |= function.event_driven
        return function

    def arguments(self, function: Function, call: Call) -> list:
        required = sum(1 for p in function.params if p.required)
        if not required <= len(call.args) <= len(function.params):
            expected = ", ".join(p.name if p.required else f"[{p.name}]" for p in function.params)
            raise SegmentQueryError(
                f"{function.name} takes ({expected}), got {len(call.args)} value(s)", call.line, call.column
            )
        return [self.value(arg, param) for arg, param in zip(call.args, function.params, strict=False)]

    def value(self, literal: Literal, param: Param):
        value = convert(literal, param.type, self.now)
        if param.vocabulary is not None:
            self.names.append(NameReference(param.vocabulary, value, literal.line, literal.column))
        if isinstance(value, DateValue):
            self.time_relative |= value.relative
            return value.at
        return value

    def field(self, ref: FieldRef) -> Field:
        field = FIELDS.get(ref.name.lower())
        if field is None:
            known = list(FIELDS) + [name for name, f in FUNCTIONS.items() if f.returns is not None]
            hint = did_you_mean(ref.name, known)
            if ref.name.lower() in FUNCTIONS:
                hint = f"; {ref.name.lower()} is a function: write {ref.name.lower()}(...)"
            raise SegmentQueryError(f"unknown field '{ref.name}'{hint}", ref.line, ref.column, "UNKNOWN_NAME")
        self.time_relative |= field.volatile
        self.event_driven |= field.event_driven
        return field

    # -- comparisons -----------------------------------------------------------------------------

    def operand(self, operand: Operand) -> tuple[ValueType, str, bool, tuple[str, ...]]:
        """Type, name, whether it can be empty, and allowed values of what a comparison compares."""
        if isinstance(operand, FieldRef):
            field = self.field(operand)
            return field.type, field.name, field.nullable, field.choices
        function = self.function(operand)
        if function.returns is None:
            raise SegmentQueryError(
                f"{operand.name}(...) is a condition on its own; drop the comparison", operand.line, operand.column
            )
        return function.returns, function.name, False, ()

    def compare(self, operand: Operand, op: str, literal: Literal) -> Q:
        value_type, name, nullable, choices = self.operand(operand)
        if op not in ("=", "!=") and value_type not in ORDERED_TYPES:
            raise SegmentQueryError(f"{name} is {value_type}: compare it with = or !=", literal.line, literal.column)
        if literal.kind == "NULL":
            if op not in ("=", "!=") or not nullable:
                raise literal.fail(f"{name} is never empty" if not nullable else "null is only allowed with = and !=")
            empty = self.lookup(operand, "isnull", True)
            return empty if op == "=" else ~empty
        value = self.checked(literal, value_type, name, choices)
        if isinstance(value, DateValue):
            return self.compare_date(operand, op, value)
        if op == "!=":
            return ~self.lookup(operand, "exact", value)
        return self.lookup(operand, LOOKUPS[op], value)

    def checked(self, literal: Literal, value_type: ValueType, name: str, choices: tuple[str, ...]):
        value = convert(literal, value_type, self.now)
        if choices and value not in choices:
            raise literal.fail(f"unknown value '{value}' for {name}{did_you_mean(str(value), choices)}")
        if isinstance(value, DateValue):
            self.time_relative |= value.relative
        return value

    def compare_any(self, operand: Operand, literals: tuple[Literal, ...]) -> Q:
        """``IN``: one comparison with the whole list, so a function's value is computed once, not per value.

        Dates are days (ranges), not points: they stay one comparison each, cheap on the date columns.
        """
        value_type, name, _, choices = self.operand(operand)
        if value_type == ValueType.DATETIME or any(literal.kind == "NULL" for literal in literals):
            either = Q()
            for literal in literals:
                either |= self.compare(operand, "=", literal)
            return either
        values = tuple(dict.fromkeys(self.checked(literal, value_type, name, choices) for literal in literals))
        return self.lookup(operand, "in", values)

    def between(self, operand: Operand, low: Literal, high: Literal) -> Q:
        value_type, name, _, choices = self.operand(operand)
        if value_type not in ORDERED_TYPES or value_type == ValueType.DATETIME or "NULL" in (low.kind, high.kind):
            return self.compare(operand, ">=", low) & self.compare(operand, "<=", high)
        bounds = (self.checked(low, value_type, name, choices), self.checked(high, value_type, name, choices))
        return self.lookup(operand, "range", bounds)  # one comparison: the operand's value computed once

    def compare_date(self, operand: Operand, op: str, value: DateValue) -> Q:
        """A date without a time is the whole day: ``= 2025-01-31`` is that day, ``<= 2025-01-31`` includes it."""
        if not value.whole_day:
            return (
                ~self.lookup(operand, "exact", value.at) if op == "!=" else self.lookup(operand, LOOKUPS[op], value.at)
            )
        start, end = value.at, value.at + timedelta(days=1)
        same_day = self.lookup(operand, "gte", start) & self.lookup(operand, "lt", end)
        return {
            "=": lambda: same_day,
            "!=": lambda: ~same_day,
            "<": lambda: self.lookup(operand, "lt", start),
            "<=": lambda: self.lookup(operand, "lt", end),
            ">": lambda: self.lookup(operand, "gte", end),
            ">=": lambda: self.lookup(operand, "gte", start),
        }[op]()

    def lookup(self, operand: Operand, lookup: str, value) -> Q:
        if isinstance(operand, FieldRef):
            field = FIELDS[operand.name.lower()]
            if field.condition is not None:
                return field.condition(lookup, value)
            return Q(**{f"{field.path}__{lookup}": value})
        function = FUNCTIONS[operand.name.lower()]
        args = self.arguments(function, operand)
        if function.compare is not None:
            return function.compare(lookup, value, *args)
        expression = function.build(*args)
        if lookup == "isnull":
            return Q(django_lookups.IsNull(expression, value))
        return Q(EXPRESSION_LOOKUPS[lookup](expression, value))


def _operand_key(operand: Operand) -> tuple:
    if isinstance(operand, FieldRef):
        return ("field", operand.name.lower())
    return ("call", operand.name.lower(), *((arg.kind, arg.text) for arg in operand.args))


def _equalities_as_lists(items: tuple[Node, ...]) -> tuple[Node, ...]:
    """``a = 1 OR a = 2 OR …`` read as ``a IN (1, 2, …)``: the operand is compared once, not once per value."""
    equalities: dict[tuple, list[Compare]] = {}
    for item in items:
        if isinstance(item, Compare) and item.op == "=" and item.value.kind != "NULL":
            equalities.setdefault(_operand_key(item.operand), []).append(item)
    merged: dict[tuple, Node | None] = {
        key: InList(group[0].operand, tuple(c.value for c in group), negated=False)
        for key, group in equalities.items()
        if len(group) > 1
    }
    result: list[Node] = []
    for item in items:
        key = _operand_key(item.operand) if isinstance(item, Compare) else None
        if key in merged and item.op == "=" and item.value.kind != "NULL":
            if merged[key] is not None:
                result.append(merged[key])
                merged[key] = None  # the list stands where its first equality stood
            continue
        result.append(item)
    return tuple(result)
