"""The CRM API inside a real Saleor: its URL, its JWTs from tokenCreate, its app tokens, its permissions.

Tokens come from Saleor's own ``tokenCreate`` mutation and ``AppToken`` model; the requests go
through Saleor's URL routing to ``CRMPlugin.webhook``.
"""

from tests.saleor import require_saleor

require_saleor()

from datetime import timedelta  # noqa: E402

import pytest  # noqa: E402
from saleor.core.jwt import JWT_ACCESS_TYPE, jwt_encode, jwt_user_payload  # noqa: E402
from saleor.graphql.tests.utils import get_graphql_content  # noqa: E402

from saleor_crm_plugin.ids import global_id  # noqa: E402

pytestmark = pytest.mark.django_db

URL = "/plugins/global/saleor.crm/graphql/"
TOKEN_CREATE = """mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { token errors { field code message } }
}"""
ME = "{ crmMe { email firstName user { id } timeline(first: 5) { edges { node { kind } } } } }"
CUSTOMERS = "{ crmCustomers(first: 10) { totalCount edges { node { email } } } }"
DENIED = "To access this path, you need one of the following permissions: MANAGE_USERS"


def saleor_token(api_client, email: str, password: str = "password") -> str:
    """A JWT from Saleor's own login mutation."""
    data = get_graphql_content(api_client.post_graphql(TOKEN_CREATE, {"email": email, "password": password}))
    assert data["data"]["tokenCreate"]["errors"] == []
    return data["data"]["tokenCreate"]["token"]


def crm(client, query: str, token: str | None = None, status: int = 200, variables: dict | None = None) -> dict:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables or {}}
    response = client.post(URL, body, content_type="application/json", **headers)
    assert response.status_code == status, response.content
    return response.json()


def test_a_shoppers_saleor_jwt_reads_crm_me(client, api_client, shopper_profile, customer_user):
    token = saleor_token(api_client, customer_user.email)
    me = crm(client, ME, token)["data"]["crmMe"]
    assert me["email"] == customer_user.email
    assert me["firstName"] == "Ada"
    assert me["user"] == {"id": global_id("User", customer_user.pk)}
    assert me["timeline"]["edges"] == []  # known from an update, not a registration
    # and not the customer list
    assert crm(client, CUSTOMERS, token)["errors"][0]["message"] == DENIED


def test_a_staff_token_with_manage_users_lists_customers(
    client, api_client, shopper_profile, staff_user, permission_manage_users
):
    staff_user.user_permissions.add(permission_manage_users)
    token = saleor_token(api_client, staff_user.email)
    data = crm(client, CUSTOMERS, token)["data"]["crmCustomers"]
    assert data == {"totalCount": 1, "edges": [{"node": {"email": shopper_profile.email}}]}


def test_a_staff_token_without_manage_users_is_refused(client, api_client, shopper_profile, staff_user):
    token = saleor_token(api_client, staff_user.email)
    body = crm(client, CUSTOMERS, token)
    assert body["data"] == {"crmCustomers": None}
    assert body["errors"][0]["message"] == DENIED
    assert body["errors"][0]["extensions"] == {"exception": {"code": "PermissionDenied"}}


def test_an_app_token_with_manage_users_lists_customers(client, shopper_profile, app, permission_manage_users):
    _, token = app.tokens.create(app=app, name="CRM dashboard")
    assert crm(client, CUSTOMERS, token)["errors"][0]["message"] == DENIED
    app.permissions.add(permission_manage_users)
    assert crm(client, CUSTOMERS, token)["data"]["crmCustomers"]["totalCount"] == 1


def test_expired_tampered_and_refresh_tokens_are_refused(client, api_client, shopper_profile, customer_user):
    expired = jwt_encode(jwt_user_payload(customer_user, JWT_ACCESS_TYPE, timedelta(seconds=-1)))
    body = crm(client, ME, expired, status=401)
    assert body["errors"][0]["extensions"] == {"exception": {"code": "ExpiredSignatureError"}}

    token = saleor_token(api_client, customer_user.email)
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert crm(client, ME, tampered, status=401)["errors"][0]["extensions"]["exception"]["code"] in (
        "InvalidSignatureError",
        "DecodeError",
    )
    assert "data" not in crm(client, ME, tampered, status=401)

    unknown = "x" * 30  # the shape of an app token, but no app has it
    assert crm(client, ME, unknown, status=401)["errors"][0]["extensions"] == {
        "exception": {"code": "InvalidTokenError"}
    }


def test_anonymous_callers_get_no_profile(client, shopper_profile):
    assert crm(client, ME) == {"data": {"crmMe": None}}
    refused = crm(client, CUSTOMERS)["errors"][0]
    assert refused["message"] == "You need to sign in to perform this action."  # the remedy for nobody
    assert refused["extensions"] == {"exception": {"code": "PermissionDenied"}}


def test_the_subgraph_sdl_is_served_through_saleor(client, crm_plugin):
    sdl = crm(client, "{ _service { sdl } }")["data"]["_service"]["sdl"]
    assert 'extend type User @key(fields: "id")' in sdl


def test_the_endpoint_is_off_while_the_plugin_is_inactive(client, db):
    assert client.post(URL, {"query": ME}, content_type="application/json").status_code == 404
