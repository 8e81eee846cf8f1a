"""The endpoint behaves like Saleor's /graphql/: methods, batches, bad bodies, no stack traces."""

from __future__ import annotations

import json

import pytest

from saleor_crm_plugin.graphql.profiles import types

from .conftest import URL

ME = "{ crmMe { email } }"


def test_get_runs_queries(client, ada_token, ada):
    response = client.get(URL, {"query": ME}, HTTP_AUTHORIZATION=f"Bearer {ada_token}")
    assert response.status_code == 200
    assert response.json() == {"data": {"crmMe": {"email": "ada@example.com"}}}


def test_get_refuses_mutations(client, db):
    mutation = "mutation { crmCustomerConsentUpdate(marketingConsent: true) { errors { code } } }"
    response = client.get(URL, {"query": mutation})
    assert response.status_code == 405
    assert response.json()["errors"][0]["message"] == "Can only perform a mutation operation from a POST request."


def test_a_browser_gets_the_playground(client, db):
    response = client.get(URL, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 200
    assert b"CRM API playground" in response.content and json.dumps(URL).encode() in response.content


def test_application_graphql_bodies_work(client, db):
    response = client.post(URL, "{ crmMe { email } }", content_type="application/graphql")
    assert response.json() == {"data": {"crmMe": None}}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("{not json", 400, "Unable to parse query."),
        ('"a string"', 400, "Unable to parse query."),
        ("{}", 400, "Must provide a query string."),
        (
            '{"query": "{ crmMe { "}',
            400,
            "Syntax Error GraphQL (1:11) Expected Name, found EOF\n\n1: { crmMe { \n             ^\n",
        ),
        ('{"query": "{ crmMe { password } }"}', 400, 'Cannot query field "password" on type "CrmCustomer".'),
        (
            '[{"query": "{ crmMe { email } }"}, {"query": "{ crmMe { email } }"}]',
            400,
            "Number of batch queries exceeded.",
        ),
    ],
)
def test_bad_requests_get_graphql_errors(client, db, body, status, message):
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["errors"][0]["message"] == message


def test_batches_run_up_to_the_stores_limit(client, db, settings):
    settings.GRAPHQL_BATCH_MAX_COUNT = 2
    body = json.dumps([{"query": ME}, {"query": "{ crmMe { id } }"}])
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == [{"data": {"crmMe": None}}, {"data": {"crmMe": None}}]


def test_other_methods_are_not_allowed(client, db):
    assert client.put(URL, "{}", content_type="application/json").status_code == 405


def test_an_unexpected_failure_is_hidden_and_logged(api, ada_token, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setattr(types.CrmTouch, "from_dict", staticmethod(broken))
    body = api.raw("{ crmMe { email attribution { firstTouch { source } } } }", token=ada_token, status=200)
    assert body["errors"] == [
        {
            "message": "Internal Server Error",
            "locations": [{"line": 1, "column": 17}],
            "path": ["crmMe", "attribution"],
            "extensions": {"exception": {"code": "RuntimeError"}},
        }
    ]
    assert "secret" not in json.dumps(body)
    assert "connection string postgres://secret@db" in caplog.text
