"""The CRM customer pages (Customers → CRM) in headless Chromium, through the sandbox's dashboard shell.

What a merchant does there: search the list, page through it, open the 360 page, tag, note, adjust
points, export; in the light and the dark theme; and what a staff member without "Manage customers"
sees instead. ``CRM_SCREENSHOTS=docs/screenshots`` saves the README's screenshots on the way.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, PointsLedgerEntry
from saleor_crm_plugin.profiles.models import CustomerNote, CustomerProfile, CustomerTag

from ..factories import customer_event
from .conftest import ADA, APP_PAGE, api_calls, screenshot, staff

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/dashboard/crm/customers"


def crm_page(profile: CustomerProfile) -> str:
    return f"{LIST}/{global_id('CrmCustomer', profile.pk)}"


def rows(app) -> list[str]:
    """The email of each customer row on the list page."""
    return [
        text.split("\n")[-1]
        for text in app.locator('[data-test-id="crm-customer-row"] td:first-child').all_inner_texts()
    ]


def test_search_then_open_the_360_page_and_change_it(store, shell, tmp_path):
    for pk, name in ((601, "Adam"), (602, "Bea")):
        ingest(customer_event(pk=pk, email=f"{name.lower()}@example.com", first_name=name, last_name="Other"))
    manager = staff("manager", Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
    page = shell(manager, LIST)
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-customer-row"]').first.wait_for()
    list_time_to_data = app.locator("body").evaluate("() => performance.now()") / 1000  # since the frame loaded
    assert api_calls(app) == 1  # the list and its filter choices in one request
    assert app.locator('[data-test-id="crm-customer-count"]').inner_text() == "3 customers"

    app.locator('[data-test-id="crm-customer-search"]').fill("lovelace")
    app.locator('[data-test-id="crm-customer-row"]').nth(1).wait_for(state="detached")
    page.wait_for_function("() => location.search.includes('q=lovelace')")  # updateRouting: the URL follows
    assert rows(app) == ["ada@example.com"]
    screenshot(page, "crm-customer-list")

    before = api_calls(app)
    started = time.monotonic()
    app.get_by_text("Ada Lovelace").click()
    app.locator('[data-test-id="crm-headline"]').wait_for()
    page_time_to_data = time.monotonic() - started
    assert api_calls(app) - before == 1  # the whole 360 page in one request
    page.wait_for_function(f"() => decodeURIComponent(location.pathname) === '{crm_page(store)}'")
    assert app.locator('[data-test-id="crm-page-title"]').inner_text() == "Ada Lovelace"
    assert app.locator('[data-test-id="crm-kpi-spend"]').inner_text().split("\n")[1] == "€80.00 · $120.00"
    assert app.locator('[data-test-id="crm-kpi-points"]').inner_text() == "Points\n200"
    assert "Paid order #1002" in app.locator('[data-test-id="crm-timeline"]').inner_text()

    app.locator('[data-test-id="crm-tag-input"]').fill("wholesale")
    app.locator('[data-test-id="crm-tag-add"]').click()
    app.locator('[data-test-id="crm-tag"]', has_text="wholesale").wait_for()
    assert set(CustomerTag.objects.filter(profile=store).values_list("name", flat=True)) == {"vip", "wholesale"}

    app.locator('[data-test-id="crm-note-input"]').fill("Prefers calls after 5pm")
    app.locator('[data-test-id="crm-note-add"]').click()
    app.locator('[data-test-id="crm-note"]', has_text="Prefers calls after 5pm").wait_for()
    assert CustomerNote.objects.get(profile=store).body == "Prefers calls after 5pm"
    app.locator('[data-test-id="crm-timeline-entry"]', has_text="Note: Prefers calls after 5pm").wait_for()

    app.locator('[data-test-id="crm-adjust-points-amount"]').fill("50")
    app.locator('[data-test-id="crm-adjust-points-reason"]').fill("Goodwill for a late parcel")
    app.locator('[data-test-id="crm-adjust-points-submit"]').click()
    app.locator('[data-test-id="crm-points-available"]', has_text="250").wait_for()
    assert LoyaltyAccount.objects.get(profile=store).available == 250
    entry = PointsLedgerEntry.objects.filter(account__profile=store).latest("pk")
    assert (entry.available_change, entry.reason) == (50, "Goodwill for a late parcel")
    assert "Goodwill for a late parcel" in app.locator('[data-test-id="crm-ledger"]').inner_text()

    with page.expect_download() as download:
        app.locator('[data-test-id="crm-export"]').click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    exported = json.dumps(json.loads(saved.read_text()))
    assert "ada@example.com" in exported and "Prefers calls after 5pm" in exported and "wholesale" in exported
    screenshot(page, "crm-customer-360-after-changes")
    print(
        f"\nlist: data {list_time_to_data:.2f}s after the frame loaded; "
        f"360 page: {page_time_to_data:.2f}s after the click"
    )


def test_the_360_page_opens_by_the_saleor_user_id_too(store, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, f"{LIST}/{global_id('User', ADA)}")
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-headline"]').wait_for()
    assert app.locator('[data-test-id="crm-page-title"]').inner_text() == "Ada Lovelace"
    app.get_by_text("No tickets from this customer.").wait_for()  # the support card asked by the CRM ID


def test_paging_forward_and_back_over_keyset_cursors(shell):
    for pk in range(1, 46):
        ingest(customer_event(pk=pk, email=f"shopper{pk:02}@example.com", first_name="Shopper", last_name=f"{pk:02}"))
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, LIST)
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-sort-name"]').click()  # by last name ("01" … "45"), descending first
    app.get_by_text("shopper45@example.com").wait_for()
    app.locator('[data-test-id="crm-sort-name"]').click()
    app.get_by_text("shopper01@example.com").wait_for()
    first = rows(app)
    assert first == [f"shopper{pk:02}@example.com" for pk in range(1, 21)]

    app.locator('[data-test-id="crm-page-next"]').click()
    app.get_by_text("shopper21@example.com").wait_for()
    second = rows(app)
    assert second == [f"shopper{pk:02}@example.com" for pk in range(21, 41)]
    assert "after" in parse_qs(urlsplit(page.url).query)  # the cursor is in the dashboard's URL

    app.locator('[data-test-id="crm-page-next"]').click()
    app.get_by_text("shopper41@example.com").wait_for()
    assert rows(app) == [f"shopper{pk:02}@example.com" for pk in range(41, 46)]
    assert app.locator('[data-test-id="crm-page-next"]').is_disabled()

    app.locator('[data-test-id="crm-page-previous"]').click()
    app.get_by_text("shopper21@example.com").wait_for()
    assert rows(app) == second
    app.locator('[data-test-id="crm-page-previous"]').click()
    app.get_by_text("shopper01@example.com").wait_for()
    assert rows(app) == first
    assert app.locator('[data-test-id="crm-page-previous"]').is_disabled()


def test_paging_back_on_the_default_last_order_sort_returns_the_same_page(shell):
    """Saleor's timestamps have microseconds; a cursor that dropped them made "previous" shift by a row."""
    start = datetime(2026, 11, 1, 12, 0, 0, 123_456, tzinfo=UTC)
    for pk in range(1, 46):
        ingest(customer_event(pk=pk, email=f"shopper{pk:02}@example.com", first_name="Shopper", last_name=f"{pk:02}"))
        last_order = start + timedelta(minutes=pk, microseconds=pk * 7)
        CustomerProfile.objects.filter(email=f"shopper{pk:02}@example.com").update(last_order_at=last_order)
    page = shell(staff("manager", Permission.MANAGE_USERS), LIST)
    app = page.frame_locator(APP_PAGE)
    app.get_by_text("shopper45@example.com").wait_for()  # newest last order first
    first = rows(app)
    assert first == [f"shopper{pk:02}@example.com" for pk in range(45, 25, -1)]
    app.locator('[data-test-id="crm-page-next"]').click()
    app.get_by_text("shopper25@example.com").wait_for()
    assert rows(app) == [f"shopper{pk:02}@example.com" for pk in range(25, 5, -1)]
    app.locator('[data-test-id="crm-page-previous"]').click()
    app.get_by_text("shopper45@example.com").wait_for()
    assert rows(app) == first


def _background(app) -> str:
    return app.locator("body").evaluate("body => getComputedStyle(body).backgroundColor")


def test_light_and_dark_theme(store, shell):
    manager = staff("manager", Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
    backgrounds = {}
    for theme in ("light", "dark"):
        page = shell(manager, crm_page(store), theme=theme)
        app = page.frame_locator(APP_PAGE)
        app.locator('[data-test-id="crm-headline"]').wait_for()
        page.wait_for_function(
            "([sel, theme]) => document.querySelector(sel).contentDocument.documentElement.dataset.theme === theme",
            arg=[APP_PAGE, theme],
        )
        backgrounds[theme] = _background(app)
        screenshot(page, f"crm-customer-360-{theme}")
    assert backgrounds["light"] != backgrounds["dark"]


def test_a_staff_member_without_manage_customers_is_told_why(store, shell):
    packer = staff("packer", Permission.MANAGE_ORDERS)
    page = shell(packer, LIST)
    app = page.frame_locator(APP_PAGE)
    explanation = app.locator('[data-test-id="crm-no-permission"]')
    explanation.wait_for()
    assert "Manage customers" in explanation.inner_text()

    page = shell(packer, crm_page(store))
    app = page.frame_locator(APP_PAGE)
    explanation = app.locator('[data-test-id="crm-no-permission"]')
    explanation.wait_for()
    assert "Manage customers" in explanation.inner_text()
    assert app.locator('[data-test-id="crm-headline"]').count() == 0
