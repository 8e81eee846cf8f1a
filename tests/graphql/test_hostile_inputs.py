"""Every argument of every root field, generated from the schema, receives each hostile value of its
scalar type: the answer is a clear error, never a 500 or "Internal Server Error".

Values the cleaning layer (``graphql/core/inputs.py``) must refuse are asserted refused, naming the
argument: in the mutation's ``errors { field code message }`` (code INVALID), or a GraphQL error.
The caller is a superuser, so permission checks don't stop a value before it reaches the code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)

from saleor_crm_plugin.graphql.schema import schema
from saleor_crm_plugin.sandbox.auth import user_token

from .conftest import make_user


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Values the cleaning layer refuses, per scalar, and values that are legal GraphQL but hostile
# further down (an integer at the int4 edge, ids that don't decode): these must not crash.
REFUSED = {
    "String": ["nul\x00byte", "lone \ud800 surrogate"],
    "ID": ["nul\x00byte", "lone \ud800 surrogate"],
    "Decimal": ["NaN", "Infinity", "-Infinity", "1e30", "0.0001"],
    "DateTime": ["9999-12-31T23:59:59-05:00", "1000-01-01T00:00:00+00:00"],
    "Date": ["9999-12-31"],
    "JSONString": ['{"pl": {"subject": "nul\\u0000"}}', '{"pl": "\\ud800"}', '{"pl": NaN}'],
}
SURVIVED = {
    "ID": ["!!!", b64("CrmCustomer:١٢"), b64("CrmCustomer:²"), b64("CrmCustomer:99999999999999999999"), b64("User:")],
    "Int": [2**31 - 1, -(2**31), 2**31],
    "Decimal": ["abc", True],
    "DateTime": ["not a date", "2024-13-45T99:99:99"],
    "JSONString": ["{", "[" * 50_000 + "]" * 50_000, 5],
}
PLAUSIBLE = {
    "String": "x",
    "ID": b64("CrmCustomer:1"),
    "Int": 1,
    "Boolean": True,
    "Decimal": "1",
    "DateTime": "2024-01-01T00:00:00+00:00",
    "Date": "2000-01-01",
    "JSONString": "{}",
}


def unwrap(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def type_string(graphql_type) -> str:
    if isinstance(graphql_type, GraphQLNonNull):
        return type_string(graphql_type.of_type) + "!"
    if isinstance(graphql_type, GraphQLList):
        return f"[{type_string(graphql_type.of_type)}]"
    return graphql_type.name


def plausible(graphql_type, required_only: bool = True):
    """A value of ``graphql_type`` that is fine on its own (an input object with its required fields)."""
    named = unwrap(graphql_type)
    if isinstance(named, GraphQLEnumType):
        value = next(iter(named.values)).name
    elif isinstance(named, GraphQLInputObjectType):
        value = {
            name: plausible(field.type)
            for name, field in named.fields.items()
            if isinstance(field.type, GraphQLNonNull) or not required_only
        }
    else:
        value = PLAUSIBLE[named.name]
    return [value] if isinstance(_strip_non_null(graphql_type), GraphQLList) else value


def _strip_non_null(graphql_type):
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type


def leaves(graphql_type, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path inside the argument, scalar name) of every scalar the argument can hold."""
    named = unwrap(graphql_type)
    if isinstance(named, GraphQLInputObjectType):
        for name, field in named.fields.items():
            yield from leaves(field.type, (*path, name))
    elif isinstance(named, GraphQLScalarType):
        yield path, named.name


def place(argument_type, path: tuple, value):
    """A value for the argument: plausible everywhere, ``value`` at ``path``."""
    if not path:
        return [value] if isinstance(_strip_non_null(argument_type), GraphQLList) else value
    named = unwrap(argument_type)
    built = plausible(named)
    field_type = named.fields[path[0]].type
    built[path[0]] = place(field_type, path[1:], value)
    return [built] if isinstance(_strip_non_null(argument_type), GraphQLList) else built


def cases() -> Iterator[tuple[str, str]]:
    for operation, root in (("query", schema.get_query_type()), ("mutation", schema.get_mutation_type())):
        for name, field in root.fields.items():
            if field.args and not name.startswith("_"):
                yield operation, name


def selection(field) -> str:
    named = unwrap(field.type)
    if not isinstance(named, GraphQLObjectType):
        return ""
    if "errors" in named.fields:
        return "{ __typename errors { field code message } }"
    return "{ __typename }"


@pytest.fixture
def superuser_token(db, ada):
    return user_token(make_user(950, "root@store.test", is_staff=True, is_superuser=True))


@pytest.mark.parametrize(("operation", "field_name"), list(cases()))
def test_hostile_values_in_every_argument(client, superuser_token, operation, field_name):
    root = schema.get_query_type() if operation == "query" else schema.get_mutation_type()
    field = root.fields[field_name]
    tried = 0
    for argument_name, argument in field.args.items():
        for path, scalar in leaves(argument.type):
            for value in REFUSED.get(scalar, []) + SURVIVED.get(scalar, []):
                others = {
                    name: plausible(other.type)
                    for name, other in field.args.items()
                    if name != argument_name and isinstance(other.type, GraphQLNonNull)
                }
                variables = {**others, argument_name: place(argument.type, path, value)}
                declared = ", ".join(f"${name}: {type_string(field.args[name].type)}" for name in variables)
                passed = ", ".join(f"{name}: ${name}" for name in variables)
                query = f"{operation}({declared}) {{ {field_name}({passed}) {selection(field)} }}"
                body = json.dumps({"query": query, "variables": variables})
                response = client.post(
                    "/plugins/global/saleor.crm/graphql/",
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {superuser_token}",
                )
                where = f"{field_name}({argument_name}{''.join(f'.{p}' for p in path)}={value!r:.40})"
                assert response.status_code != 500, where
                assert "Internal Server Error" not in response.content.decode(), (where, response.content[:400])
                if value in REFUSED.get(scalar, []):
                    assert_refused(response.json(), field_name, argument_name, path, where)
                tried += 1
    assert tried, f"{field_name} has arguments but none was tried"


def assert_refused(body: dict, field_name: str, argument_name: str, path: tuple, where: str) -> None:
    camel = [argument_name, *path]
    payload = (body.get("data") or {}).get(field_name)
    if payload and payload.get("errors"):
        errors = payload["errors"]
        assert any(e["code"] == "INVALID" for e in errors), (where, errors)
        named = camel[1:] if camel[0] == "input" else camel
        fields = [[p for p in (e["field"] or "").split(".") if not p.isdigit()] for e in errors]
        assert any(found[: len(named)] == named for found in fields), (where, errors)
    else:
        assert body.get("errors"), (where, body)
