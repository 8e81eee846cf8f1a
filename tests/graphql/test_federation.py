"""The CRM as a federation subgraph of Saleor: SDL, entity resolution, composition."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from saleor_crm_plugin.graphql.schema import SDL_PATH, print_sdl
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile

from ..factories import order_event
from .composition import composition_problems

SCHEMA_NAME = "schema-3.23.28.graphql"
# Saleor's printed schema lives beside the project (../shared/saleor/), never in it.
SALEOR_SCHEMA = next(
    (
        path
        for path in (
            Path(os.environ.get("CRM_SALEOR_SCHEMA", "/nonexistent")),
            Path(__file__).resolve().parents[3] / "shared" / "saleor" / SCHEMA_NAME,
            Path("/work/shared/saleor") / SCHEMA_NAME,
        )
        if path.is_file()
    ),
    None,
)
ENTITIES = """query($representations: [_Any!]!) { _entities(representations: $representations) {
  __typename
  ... on User { id crmProfile { email ordersCount } }
  ... on Order { id crmOrder { number total { amount currency } countsTowardsSpend customer { email } } }
} }"""


def test_the_committed_sdl_is_what_the_code_serves(api):
    served = api.data("{ _service { sdl } }")["_service"]["sdl"]
    assert served == print_sdl()
    assert SDL_PATH.read_text() == served, "run: django-admin crm_graphql_schema --write"


@pytest.fixture(scope="module")
def saleor_sdl() -> str:
    if SALEOR_SCHEMA is None:
        pytest.skip(f"Saleor's {SCHEMA_NAME} not found; set CRM_SALEOR_SCHEMA to its path")
    return SALEOR_SCHEMA.read_text()


def test_our_subgraph_composes_with_saleor(saleor_sdl):
    assert composition_problems(print_sdl(), saleor_sdl) == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("  amount: Float!\n", "  amount: Decimal!\n", "type Money differs from Saleor's Money"),
        (
            "  crmProfile: CrmCustomer\n",
            "  crmProfile: CrmCustomer\n  email: String!\n",
            "User.email is already a field of Saleor's User",
        ),
        (
            'extend type Order @key(fields: "id") {\n  id: ID! @external',
            'extend type Order @key(fields: "id") {\n  id: ID!',
            "Order.id is a key field and must be @external",
        ),
        ("extend type Order @key", "extend type Checkout @key", "Checkout is not a federated entity in Saleor"),
        ("  crmMe: CrmCustomer\n", "  crmMe: CrmCustomer\n  me: CrmCustomer\n", "Query.me exists in Saleor too"),
    ],
)
def test_the_composition_check_catches_clashes(saleor_sdl, old, new, problem):
    sdl = print_sdl()
    assert old in sdl
    assert problem in composition_problems(sdl.replace(old, new), saleor_sdl)


def test_entities_resolve_saleor_users_and_orders(api, ada, staff_token):
    ingest(order_event(order_id="Order:7", user=1, total="42.00"))
    representations = [
        {"__typename": "User", "id": global_id("User", 1)},
        {"__typename": "Order", "id": global_id("Order", "Order:7")},
        {"__typename": "User", "id": global_id("User", 555)},
    ]
    entities = api.data(ENTITIES, {"representations": representations}, token=staff_token)["_entities"]
    assert entities == [
        {
            "__typename": "User",
            "id": global_id("User", 1),
            "crmProfile": {"email": "ada@example.com", "ordersCount": 1},
        },
        {
            "__typename": "Order",
            "id": global_id("Order", "Order:7"),
            "crmOrder": {
                "number": "7",
                "total": {"amount": 42.0, "currency": "USD"},
                "countsTowardsSpend": True,
                "customer": {"email": "ada@example.com"},
            },
        },
        {"__typename": "User", "id": global_id("User", 555), "crmProfile": None},
    ]


def test_a_shopper_reaches_only_their_own_entities(api, ada, grace, ada_token):
    ingest(order_event(order_id="Order:8", email="grace@example.com", user=2))
    mine = api.data(
        ENTITIES, {"representations": [{"__typename": "User", "id": global_id("User", 1)}]}, token=ada_token
    )
    assert mine["_entities"][0]["crmProfile"]["email"] == "ada@example.com"
    body = api.raw(
        ENTITIES,
        {"representations": [{"__typename": "Order", "id": global_id("Order", "Order:8")}]},
        token=ada_token,
        status=200,
    )
    assert "errors" not in body and body["data"]["_entities"][0]["crmOrder"] is None  # as for an unknown order


@pytest.mark.parametrize(
    ("representation", "message"),
    [
        ({"__typename": "Product", "id": "UHJvZHVjdDox"}, "Invalid value or unsupported model for __typename"),
        ({"__typename": "User"}, "Missing required field: id"),
        ({"__typename": "User", "id": global_id("Order", 1)}, "Must receive a User id."),
        ("User:1", "Invalid type for 'representation' field: must be an object"),
    ],
)
def test_bad_representations_get_errors(api, ada, staff_token, representation, message):
    assert api.error(ENTITIES, {"representations": [representation]}, token=staff_token)["message"] == message


def test_the_profile_links_back_to_saleors_user(api, ada, staff_token):
    query = "query($id: ID!) { crmCustomer(id: $id) { user { id crmProfile { email } } } }"
    data = api.data(query, {"id": global_id("CrmCustomer", ada.pk)}, token=staff_token)
    assert data == {"crmCustomer": {"user": {"id": global_id("User", 1), "crmProfile": {"email": "ada@example.com"}}}}
    assert json.dumps(data)  # plain JSON all the way
    assert CustomerProfile.objects.count() == 1
