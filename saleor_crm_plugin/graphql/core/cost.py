"""What a query may cost, checked on the parsed document before it is validated or run.

Anonymous callers reach this API, so a request is refused up front (HTTP 400) when it is nested
too deep, uses too many aliases, names too many fields or would resolve too many values. The
last is Saleor's query complexity (``GRAPHQL_QUERY_MAX_COMPLEXITY`` with a cost map): every field
costs its complexity (1 unless the map says more) times the page sizes of the connections it
sits in, so ``crmCustomers(first: 100) { edges { node { timeline(first: 100) { … } } } }``
costs 100 x 100 per field of a timeline entry. Limits come from the host's Django settings
(Saleor's names where Saleor has one) with Saleor's defaults.

The check runs before graphql-core's own validation on purpose: that validation is quadratic in
repeated fields (4,000 copies of one field took ~20 s), so the cheap counts must refuse first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from graphql import GraphQLError
from graphql.language import ast
from graphql.type import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema
from graphql.type.definition import get_named_type

from .connection import MAX_PAGE_SIZE

# Saleor's defaults (saleor/settings.py), and ours where Saleor has no such limit. The deepest
# query a client needs is GraphiQL's introspection (its TypeRef fragment nests ``ofType`` 7 deep).
DEFAULT_MAX_COMPLEXITY = 50000
DEFAULT_MAX_ALIASES = 100
DEFAULT_MAX_DEPTH = 16
DEFAULT_MAX_FIELDS = 1000


def _connection(complexity: int = 1) -> dict:
    return {"complexity": complexity, "multipliers": ["first", "last"]}


# Type → field → {"complexity": n, "multipliers": [argument, …]} (Saleor's ``COST_MAP`` format):
# a multiplier argument holding a number (a page size) or a list (its length) multiplies the
# field and everything selected under it. Every connection must be priced here (a test checks).
COST_MAP: dict[str, dict[str, dict[str, Any]]] = {
    "Query": {
        "crmCustomers": _connection(),
        "crmCustomerTimeline": _connection(),
        "crmSegments": _connection(),
        "crmTickets": _connection(),
        "crmMyTickets": _connection(),
        "crmMyOrders": _connection(),
        "crmAnalyticsFits": _connection(),
        "crmMacros": _connection(),
        "crmFlows": _connection(),
        "crmMessages": _connection(),
        "crmRecommendations": {"complexity": 1, "multipliers": ["first"]},
        "crmCustomerTags": {"complexity": 1, "multipliers": ["first"]},
        # A segment preview runs the segment's query over every customer.
        "crmSegmentPreview": {"complexity": 100, "multipliers": ["first"]},
        "crmSegmentChanges": {"complexity": 1, "multipliers": ["first"]},
        "_entities": {"complexity": 1, "multipliers": ["representations"]},
    },
    "CrmCustomer": {"timeline": _connection()},
    "CrmFlow": {"messages": _connection()},
    "CrmSegment": {"members": _connection()},
    "LoyaltyAccount": {"ledger": _connection(), "codes": _connection()},
    "User": {"crmMessages": _connection()},
}


@dataclass(frozen=True)
class Limits:
    complexity: int
    aliases: int
    depth: int
    fields: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            complexity=getattr(settings, "GRAPHQL_QUERY_MAX_COMPLEXITY", DEFAULT_MAX_COMPLEXITY),
            aliases=getattr(settings, "GRAPHQL_ALIAS_COUNT_LIMIT", DEFAULT_MAX_ALIASES),
            depth=getattr(settings, "GRAPHQL_QUERY_MAX_DEPTH", DEFAULT_MAX_DEPTH),
            fields=getattr(settings, "GRAPHQL_QUERY_MAX_FIELDS", DEFAULT_MAX_FIELDS),
        )


class QueryCostError(GraphQLError):
    """A query refused for its size before it ran."""


@dataclass
class _Measure:
    """A selection's totals, per unit multiplier (so a fragment is measured once)."""

    cost: int = 0
    fields: int = 0
    aliases: int = 0
    depth: int = 0

    def add(self, other: _Measure, times: int = 1) -> None:
        self.cost += other.cost * times
        self.fields += other.fields
        self.aliases += other.aliases
        self.depth = max(self.depth, other.depth)


@dataclass
class _Walker:
    schema: GraphQLSchema
    variables: dict
    fragments: dict[str, ast.FragmentDefinition]
    limits: Limits
    _fragment_measures: dict[str, _Measure] = field(default_factory=dict)
    _entered: set[str] = field(default_factory=set)

    def selection_set(self, selection_set: ast.SelectionSet | None, parent_type: Any, depth: int) -> _Measure:
        total = _Measure()
        if selection_set is None:
            return total
        if depth > self.limits.depth:  # stop here: deeper nesting is refused anyway
            total.depth = depth
            return total
        for selection in selection_set.selections:
            if isinstance(selection, ast.Field):
                total.add(self.field(selection, parent_type, depth))
            elif isinstance(selection, ast.InlineFragment):
                fragment_type = self._type(selection.type_condition) or parent_type
                total.add(self.selection_set(selection.selection_set, fragment_type, depth))
            elif isinstance(selection, ast.FragmentSpread):
                total.add(self.fragment(selection.name.value, depth))
        return total

    def field(self, node: ast.Field, parent_type: Any, depth: int) -> _Measure:
        name = node.name.value
        definition = getattr(parent_type, "fields", {}).get(name) if parent_type is not None else None
        child_type = get_named_type(definition.type) if definition is not None else None
        price = COST_MAP.get(getattr(parent_type, "name", ""), {}).get(name, {})
        times = self._multiplier(node, definition, price.get("multipliers", ()))
        children = self.selection_set(node.selection_set, child_type, depth + 1)
        return _Measure(
            cost=(price.get("complexity", 1) + children.cost) * times,
            fields=1 + children.fields,
            aliases=(node.alias is not None) + children.aliases,
            depth=max(depth, children.depth),
        )

    def fragment(self, name: str, depth: int) -> _Measure:
        """A named fragment measured once (spreads may repeat it), with its depth re-based."""
        definition = self.fragments.get(name)
        if definition is None or name in self._entered:  # unknown or cyclic: validation reports it
            return _Measure()
        if name not in self._fragment_measures:
            self._entered.add(name)
            self._fragment_measures[name] = self.selection_set(
                definition.selection_set, self._type(definition.type_condition), 1
            )
            self._entered.discard(name)
        measure = self._fragment_measures[name]
        return _Measure(measure.cost, measure.fields, measure.aliases, measure.depth + depth - 1)

    def _type(self, named_type: ast.NamedType | None) -> Any:
        if named_type is None:
            return None
        found = self.schema.get_type(named_type.name.value)
        return found if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) else None

    def _multiplier(self, node: ast.Field, definition: Any, names) -> int:
        """The page size (or list length) a field asks for; the largest page when it can't be told."""
        if not names:
            return 1
        given = {argument.name.value: self._value(argument.value) for argument in node.arguments or ()}
        defaults = {name: argument.default_value for name, argument in getattr(definition, "args", {}).items()}
        factors = []
        for name in names:
            value = given.get(name, defaults.get(name))
            size = len(value) if isinstance(value, list) else value
            if isinstance(size, int) and size > 0:
                factors.append(size)
        return max(factors, default=MAX_PAGE_SIZE)

    def _value(self, node: ast.Value) -> Any:
        if isinstance(node, ast.Variable):
            return self.variables.get(node.name.value)
        if isinstance(node, ast.IntValue):
            return int(node.value)
        if isinstance(node, ast.ListValue):
            return list(node.values)
        return None


def check_query_cost(schema: GraphQLSchema, document: ast.Document, variables: dict | None) -> list[GraphQLError]:
    """The reasons to refuse ``document`` before running it (empty when it may run)."""
    limits = Limits.from_settings()
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)}
    walker = _Walker(schema, variables or {}, fragments, limits)
    roots = {"query": schema.get_query_type(), "mutation": schema.get_mutation_type()}
    total = _Measure()
    for definition in document.definitions:
        if isinstance(definition, ast.OperationDefinition):
            total.add(walker.selection_set(definition.selection_set, roots.get(definition.operation), 1))
    errors = []
    if total.depth > limits.depth:
        errors.append(f"The query is nested deeper than the limit of {limits.depth} levels.")
    if total.aliases > limits.aliases:
        errors.append(f"Number of aliases exceed the limit of {limits.aliases}.")
    if total.fields > limits.fields:
        errors.append(f"The query selects {total.fields} fields, more than the limit of {limits.fields}.")
    if limits.complexity and total.cost > limits.complexity:
        errors.append(f"The query exceeds the maximum cost of {limits.complexity}. Actual cost is {total.cost}.")
    extensions = {"cost": {"requestedQueryCost": total.cost, "maximumAvailable": limits.complexity}}
    return [QueryCostError(message, extensions=extensions) for message in errors]
