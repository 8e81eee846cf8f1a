"""CORS on the CRM's route inside a real Saleor: the merchant saves "Storefront origins" through Saleor's
``pluginUpdate`` (checked on save), and preflights and answers through Saleor's plugin routing follow it.

Saleor's ASGI app (``saleor.asgi``) wraps every path in its own CORS handler (``ALLOWED_GRAPHQL_ORIGINS``);
these requests go through Django's URL routing as under WSGI, where the plugin answers itself.
"""

from tests.saleor import require_saleor

require_saleor()

import pytest  # noqa: E402
from saleor.graphql.tests.utils import get_graphql_content  # noqa: E402

from saleor_crm_plugin.saleor.ports import PLUGIN_ID  # noqa: E402

from .conftest import _reset_crm_caches  # noqa: E402
from .test_api import crm, saleor_token  # noqa: E402

pytestmark = pytest.mark.django_db

URL = "/plugins/global/saleor.crm/graphql/"
SHOP = "https://shop.example.com"
PLUGIN_UPDATE = """mutation($id: ID!, $value: String!) {
  pluginUpdate(id: $id, input: {configuration: [{name: "storefront_origins", value: $value}]}) {
    plugin { globalConfiguration { configuration { name value } } }
    errors { field code message }
  }
}"""


def save_origins(staff_api_client, value: str) -> list[dict]:
    content = get_graphql_content(staff_api_client.post_graphql(PLUGIN_UPDATE, {"id": PLUGIN_ID, "value": value}))
    _reset_crm_caches()
    return content["data"]["pluginUpdate"]["errors"]


def preflight(client, origin: str):
    headers = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization"}
    return client.options(URL, HTTP_ORIGIN=origin, **headers)


@pytest.fixture
def merchant(crm_plugin, staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


def test_a_wildcard_or_a_path_is_refused_when_saved(merchant):
    for value in ("https://*.example.com", f"{SHOP}/store"):
        errors = save_origins(merchant, value)
        # Saleor camelCases the field name
        assert [(e["field"], e["code"]) for e in errors] == [("storefrontOrigins", "PLUGIN_MISCONFIGURED")]
        assert "is not an origin like 'https://shop.com'" in errors[0]["message"]


def test_the_saved_origins_pass_preflights_through_saleors_routing(
    merchant, client, api_client, shopper_profile, customer_user
):
    assert save_origins(merchant, f"{SHOP}, http://localhost:3000") == []
    allowed = preflight(client, SHOP)
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == SHOP
    assert "Authorization" in allowed["Access-Control-Allow-Headers"]
    assert "POST" in allowed["Access-Control-Allow-Methods"] and allowed["Access-Control-Max-Age"]
    assert "Origin" in allowed["Vary"]

    denied = preflight(client, "https://evil.example.com")
    assert denied.status_code == 204 and "Access-Control-Allow-Origin" not in denied
    assert "Access-Control-Allow-Headers" not in denied

    token = saleor_token(api_client, customer_user.email)
    answer = client.post(
        URL, {"query": "{ crmMe { email } }"}, content_type="application/json",
        HTTP_ORIGIN=SHOP, HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert answer.json() == {"data": {"crmMe": {"email": customer_user.email}}}
    assert answer["Access-Control-Allow-Origin"] == SHOP
    other = client.post(
        URL, {"query": "{ crmMe { email } }"}, content_type="application/json", HTTP_ORIGIN="https://x.io"
    )
    assert "Access-Control-Allow-Origin" not in other
    no_origin = crm(client, "{ crmMe { email } }", token)  # same-origin and server calls: as before
    assert no_origin["data"]["crmMe"]["email"] == customer_user.email
