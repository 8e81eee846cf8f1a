"""The playground page a browser gets on GET, driven in headless Chromium against a live sandbox."""

from __future__ import annotations

import json

import pytest

from saleor_crm_plugin.sandbox.auth import user_token

from .conftest import URL, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_playground_runs_a_query_with_the_token_from_the_link(live_server, browser, ada):
    token = user_token(make_user(1, "ada@example.com"))
    page = browser.new_page()
    page.goto(f"{live_server.url}{URL}#token={token}")
    assert page.title() == "CRM API playground"
    page.get_by_role("button", name="Run").click()
    page.get_by_text('"crmMe"').wait_for()
    result = page.locator("#result").inner_text()
    assert result.startswith("HTTP 200\n")
    assert json.loads(result.split("\n", 1)[1])["data"]["crmMe"]["email"] == "ada@example.com"
    page.screenshot(path="/tmp/crm-playground.png")


def test_the_playground_reports_bad_variables_without_calling_the_api(live_server, browser, db):
    page = browser.new_page()
    page.goto(f"{live_server.url}{URL}")
    page.locator("#variables").fill("{not json")
    page.get_by_role("button", name="Run").click()
    assert page.locator("#result").inner_text().startswith("Variables are not valid JSON")
