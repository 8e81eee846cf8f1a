"""A storefront on its own origin calls the CRM API from the browser: CORS for its configured origins only."""

from __future__ import annotations

import pytest

from saleor_crm_plugin.settings import validate_settings

from .conftest import URL

SHOP = "https://shop.example.com"
ME = "{ crmMe { email } }"
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
)


@pytest.fixture
def storefront(crm_settings):
    crm_settings(storefront_origins=f"{SHOP}, http://localhost:3000/")


def preflight(client, origin: str):
    return client.options(
        URL,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


@pytest.mark.parametrize("origin", [SHOP, "http://localhost:3000", "HTTPS://SHOP.EXAMPLE.COM"])
def test_a_storefront_origin_passes_the_preflight(client, storefront, origin):
    response = preflight(client, origin)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == origin  # that exact origin, never "*"
    assert {"Authorization", "Content-Type"} <= {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"POST", "GET", "OPTIONS"} == {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("origin", ["https://evil.example.com", "http://shop.example.com", f"{SHOP}:8443", "null"])
def test_any_other_origin_gets_no_cors_headers(client, storefront, origin):
    response = preflight(client, origin)
    assert response.status_code == 204
    assert not [header for header in CORS_HEADERS if header in response]
    assert "Origin" in response["Vary"]
    answer = client.post(URL, {"query": ME}, content_type="application/json", HTTP_ORIGIN=origin)
    assert answer.status_code == 200 and "Access-Control-Allow-Origin" not in answer


def test_without_storefront_origins_no_origin_is_allowed(client, db):
    response = preflight(client, SHOP)
    assert not [header for header in CORS_HEADERS if header in response]


def test_the_answer_to_an_allowed_origin_carries_the_header(client, storefront, ada, ada_token):
    response = client.post(
        URL, {"query": ME}, content_type="application/json", HTTP_ORIGIN=SHOP, HTTP_AUTHORIZATION=f"Bearer {ada_token}"
    )
    assert response.json() == {"data": {"crmMe": {"email": "ada@example.com"}}}
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in response["Vary"]
    errors = client.post(URL, "{", content_type="application/graphql", HTTP_ORIGIN=SHOP)
    assert errors.status_code == 400 and errors["Access-Control-Allow-Origin"] == SHOP  # the page may read errors


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("https://shop.com, http://localhost:3000, https://shop.com/", True),
        ("", True),
        ("*", False),
        ("https://*.shop.com", False),
        ("https://shop.com/store", False),
        ("shop.com", False),
        ("ftp://shop.com", False),
    ],
)
def test_storefront_origins_are_checked_when_saved(value, valid):
    errors = validate_settings({"storefront_origins": value})
    if valid:
        assert errors == {}
    else:
        assert list(errors) == ["storefront_origins"]
        assert "is not an origin like 'https://shop.com'" in errors["storefront_origins"]


# What a storefront page does: a cross-origin POST with a bearer token (so Chromium sends a preflight first).
FETCH = """async ([url, token]) => {
  try {
    const response = await fetch(url, {method: "POST", body: JSON.stringify({query: "{ crmMe { email } }"}),
      headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token}});
    return await response.json();
  } catch (error) {
    return String(error);
  }
}"""


@pytest.mark.django_db(transaction=True)
def test_a_browser_on_the_storefront_origin_reads_the_api_and_others_are_blocked(
    live_server, browser, crm_settings, ada, ada_token
):
    page = browser.new_page()
    page.goto(f"{live_server.url}/store/")  # http://localhost:PORT: the storefront
    api = live_server.url.replace("localhost", "127.0.0.1") + URL  # another origin, as a separate API host
    assert page.evaluate(FETCH, [api, ada_token]) == "TypeError: Failed to fetch"  # no origin configured

    crm_settings(storefront_origins=live_server.url)
    assert page.evaluate(FETCH, [api, ada_token]) == {"data": {"crmMe": {"email": "ada@example.com"}}}

    crm_settings(storefront_origins="https://shop.example.com")
    # blocked even while Chromium still holds the allowed preflight: the answer carries no allowed origin
    assert page.evaluate(FETCH, [api, ada_token]) == "TypeError: Failed to fetch"
