"""Anonymous requests can't crash the endpoint or hold it: nesting, size and cost are refused
with a 400 and a GraphQL error before anything runs."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, parse
from graphql.utils.introspection_query import introspection_query

from saleor_crm_plugin.graphql.core.cost import COST_MAP, DEFAULT_MAX_DEPTH, check_query_cost
from saleor_crm_plugin.graphql.schema import schema

from .conftest import URL


def post(client, body: str):
    started = time.monotonic()
    response = client.post(URL, body, content_type="application/json")
    return response, time.monotonic() - started


def only_error(response) -> str:
    assert response.status_code == 400, response.content[:500]
    errors = response.json()["errors"]
    assert "Internal Server Error" not in json.dumps(errors)
    return errors[0]["message"]


def test_a_selection_nested_250_deep_is_refused(client, db):
    query = "{ crmMe " + "{ attribution " * 250 + "{ source }" + "}" * 251
    response, _ = post(client, json.dumps({"query": query}))
    assert only_error(response) == "The request is nested too deeply."


def test_json_nested_100k_deep_is_refused(client, db):
    response, _ = post(client, "[" * 100_000 + "]" * 100_000)
    assert only_error(response) == "The request is nested too deeply."


def test_a_query_deeper_than_the_limit_is_refused_before_it_runs(client, db):
    query = "{ crmMe " + "{ attribution " * 20 + "{ source }" + "}" * 21
    response, _ = post(client, json.dumps({"query": query}))
    assert only_error(response) == f"The query is nested deeper than the limit of {DEFAULT_MAX_DEPTH} levels."


def test_4000_repeated_fields_are_refused_quickly(client, db):
    query = "{ crmMe { " + "email " * 4000 + "} }"
    assert len(query) > 24_000
    response, seconds = post(client, json.dumps({"query": query}))
    assert only_error(response) == "The query selects 4001 fields, more than the limit of 1000."
    assert seconds < 2


def test_10000_aliases_are_refused_quickly(client, db):
    query = "{ crmMe { " + " ".join(f"a{i}: email" for i in range(10_000)) + " } }"
    response, seconds = post(client, json.dumps({"query": query}))
    assert only_error(response) == "Number of aliases exceed the limit of 100."
    assert seconds < 2


def test_fragments_spread_exponentially_are_counted_expanded(client, db):
    fragments = "".join(f"fragment F{i} on CrmCustomer {{ ...F{i + 1} ...F{i + 1} }} " for i in range(20))
    query = "{ crmMe { ...F0 } } " + fragments + "fragment F20 on CrmCustomer { email }"
    response, seconds = post(client, json.dumps({"query": query}))
    assert only_error(response) == f"The query selects {2**20 + 1} fields, more than the limit of 1000."
    assert seconds < 2


def test_nested_connections_multiply_their_page_sizes(client, db):
    query = """{ crmCustomers(first: 100) { edges { node { email
        timeline(first: 100) { edges { node { kind summary occurredAt } } } } } } }"""
    response, _ = post(client, json.dumps({"query": query}))
    message = only_error(response)
    assert message.startswith("The query exceeds the maximum cost of 50000. Actual cost is ")
    assert response.json()["errors"][0]["extensions"]["cost"]["requestedQueryCost"] > 50000


def test_page_sizes_from_variables_count_too(client, db, settings):
    settings.GRAPHQL_QUERY_MAX_COMPLEXITY = 400  # 4 fields a segment, 1 for the connection
    query = "query($n: Int) { crmSegments(first: $n) { edges { node { name slug } } } }"
    small, _ = post(client, json.dumps({"query": query, "variables": {"n": 10}}))
    assert small.status_code == 200
    large, _ = post(client, json.dumps({"query": query, "variables": {"n": 100}}))
    assert only_error(large) == "The query exceeds the maximum cost of 400. Actual cost is 500."


def test_entities_cost_one_per_representation(client, db, settings):
    settings.GRAPHQL_QUERY_MAX_COMPLEXITY = 1000
    representations = [{"__typename": "User", "id": f"VXNlcjo{i}"} for i in range(600)]
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { crmProfile { email } } } }"
    response, _ = post(client, json.dumps({"query": query, "variables": {"r": representations}}))
    assert "Actual cost is 1800" in only_error(response)


def test_introspection_fits_the_limits(client, db):
    response, _ = post(client, json.dumps({"query": introspection_query}))
    assert response.status_code == 200 and "errors" not in response.json()


@pytest.mark.parametrize("name", ["GRAPHQL_QUERY_MAX_COMPLEXITY", "GRAPHQL_ALIAS_COUNT_LIMIT"])
def test_limits_follow_the_stores_saleor_settings(client, db, settings, name):
    setattr(settings, name, 1)
    response, _ = post(client, json.dumps({"query": "{ a: crmMe { email } b: crmMe { email } }"}))
    assert response.status_code == 400


def connection_fields():
    for type_name, graphql_type in schema.get_type_map().items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            returned = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if getattr(returned, "name", "").endswith("Connection") or (
                isinstance(returned, GraphQLList) and {"first", "last"} & set(field.args)
            ):
                yield type_name, field_name


def test_every_connection_of_the_schema_has_a_price():
    """A new connection (or paged list) can't slip in unpriced: the cost map must name it."""
    found = set(connection_fields())
    assert len(found) >= 10
    unpriced = {(t, f) for t, f in found if "multipliers" not in COST_MAP.get(t, {}).get(f, {})}
    assert not unpriced, f"add these to graphql/core/cost.py COST_MAP: {sorted(unpriced)}"


def test_the_cost_map_names_only_fields_that_exist():
    for type_name, fields in COST_MAP.items():
        graphql_type = schema.get_type(type_name)
        assert graphql_type is not None, type_name
        for field_name, price in fields.items():
            field = graphql_type.fields[field_name]
            multipliers = price.get("multipliers")
            assert multipliers is None or set(multipliers) & set(field.args), (type_name, field_name)


def dashboard_documents() -> list[str]:
    """The dashboard pages' operations, as graphql-codegen collected them (``frontend/src/gql/gql.ts``)."""
    generated = Path(__file__).parents[2] / "frontend" / "src" / "gql" / "gql.ts"
    if not generated.exists():
        return []
    block = generated.read_text().split("type Documents = {", 1)[1].split("};", 1)[0]
    return [json.loads(key) for key in re.findall(r'^    ("(?:[^"\\]|\\.)*"):', block, re.M)]


def test_every_dashboard_query_fits_the_limits_at_the_largest_page():
    documents = dashboard_documents()
    if not documents:
        pytest.skip("frontend/src/gql/gql.ts is not generated in this checkout")
    fragments = "\n".join(d for d in documents if d.lstrip().startswith("fragment"))
    operations = [d for d in documents if not d.lstrip().startswith("fragment")]
    assert operations
    for operation in operations:  # no variables: every page size is priced at the largest page
        assert check_query_cost(schema, parse(operation + fragments), {}) == [], operation
