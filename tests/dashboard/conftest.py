"""What the dashboard tests share: a store with Ada in it, staff, and the shell signed in to in Chromium.

The shell frames the App as Saleor Dashboard 3.23 does, so tests through it cover the real integration.
They need the built front end (``scripts/build-frontend``): without it they fail under CI and skip
elsewhere. ``CRM_SCREENSHOTS=docs/screenshots`` saves the README's screenshots on the way.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.dashboard.manifest import manifest
from saleor_crm_plugin.dashboard.views import BUILD_DIR
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.actions import update_tags
from saleor_crm_plugin.profiles.models import CustomerProfile

from ..factories import customer_event
from ..loyalty.helpers import configure_program, paid_order, release_all

GRAPHQL = "/plugins/global/saleor.crm/graphql/"
PASSWORD = "s3cret-staff"
ADA = 501
W1, W2 = "7d1c5b2e-0000-4000-8000-000000001001", "7d1c5b2e-0000-4000-8000-000000001002"  # Saleor order UUIDs
WIDGET = '[data-test-id="app-widget-frame"]'
POPUP = '[data-test-id="app-popup-frame"]'
APP_PAGE = '[data-test-id="app-page-frame"]'


@pytest.fixture
def built_front_end():
    if not (BUILD_DIR / "shell.html").is_file() or not (BUILD_DIR / "index.html").is_file():
        message = "The dashboard front end is not built: run scripts/build-frontend"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def posted(identifier: str) -> bool:
    """Whether the manifest mounts this widget with a form POST (else GET + App Bridge handshake)."""
    (extension,) = [e for e in manifest(RequestFactory().get("/"))["extensions"] if e["identifier"] == identifier]
    return extension.get("options", {}).get("widgetTarget", {}).get("method") == "POST"


def staff(username: str, *permissions: Permission):
    user = get_user_model().objects.create_user(username, f"{username}@store.test", PASSWORD, is_staff=True)
    for permission in permissions:
        user.groups.add(Group.objects.get_or_create(name=permission.value)[0])
    return user


@pytest.fixture
def store(crm_settings):
    """Ada with a dollar and a euro order, both paid and their points released, tagged "vip"."""
    configure_program(crm_settings)
    get_user_model().objects.create_user("ada", "ada@example.com", "pw", pk=ADA, first_name="Ada", last_name="Lovelace")
    ingest(customer_event(pk=ADA, email="ada@example.com"))
    paid_order(W1, total="120.00", user=ADA, number="1001")
    paid_order(W2, total="80.00", user=ADA, currency="EUR", number="1002")
    release_all()
    profile = CustomerProfile.objects.get(email="ada@example.com")
    update_tags(profile, add=["vip"])
    return profile


@pytest.fixture
def shell(browser, live_server, built_front_end):
    """Sign a staff user in to the shell; returns ``open(user, path, theme)`` → the page."""
    pages = []

    def open_page(user, path: str, theme: str = "light"):
        page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
        page.set_default_timeout(60_000)  # two shared cores under a full test run
        pages.append(page)
        page.goto(f"{live_server.url}/dashboard/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/dashboard/**")
        page.goto(f"{live_server.url}{path}?theme={theme}")
        return page

    yield open_page
    for page in pages:
        page.close()


def screenshot(page, name: str, locator=None):
    folder = os.environ.get("CRM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (locator or page).screenshot(path=str(Path(folder) / f"{name}.png"))


def ada_page() -> str:
    return f"/dashboard/customers/{global_id('User', ADA)}/"


def order_page(order: str) -> str:
    return f"/dashboard/orders/{global_id('Order', order)}/"


def api_calls(app) -> int:
    """Requests the app's frame has made to the CRM API so far (its resource timing entries)."""
    return app.locator("body").evaluate(
        f"() => performance.getEntriesByType('resource').filter(e => e.name.includes('{GRAPHQL}')).length"
    )


def choose(app, select_test_id: str, option: str):
    """Pick an option of a macaw Select (a combobox with a listbox of options)."""
    app.locator(f'[data-test-id="{select_test_id}"]').click()
    app.get_by_role("option", name=option).click()
