"""The App's widgets and popups in headless Chromium, through the sandbox's dashboard shell.

The shell frames them exactly as Saleor Dashboard 3.23 does (widget form POST or GET + App Bridge
handshake, per the manifest), so these tests cover the real integration: token, theme, actions.
Fixtures and helpers: tests/dashboard/conftest.py.
"""

from __future__ import annotations

import json
import time

import pytest

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, PointsLedgerEntry
from saleor_crm_plugin.tickets.models import Ticket, TicketPriority

from .conftest import APP_PAGE, GRAPHQL, POPUP, W1, W2, WIDGET, ada_page, order_page, posted, screenshot, staff

pytestmark = pytest.mark.django_db(transaction=True)

# What the shell does before a token expires: a new one from the sandbox, with the page's CSRF token.
RENEW_TOKEN = """async () => {
  const { csrfToken } = JSON.parse(document.getElementById("shell-data").textContent);
  const response = await fetch("/dashboard/token", { method: "POST", headers: { "X-CSRFToken": csrfToken } });
  return (await response.json()).token;
}"""


def test_the_customer_widget_shows_the_customers_figures_in_two_requests(store, shell):
    manager = staff("manager", Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
    page = shell(manager, "/dashboard/customers/")
    calls = []
    page.on("request", lambda request: calls.append(request) if GRAPHQL in request.url else None)
    page.goto(page.url.split("/dashboard/")[0] + ada_page())
    widget = page.frame_locator(WIDGET)
    spend = widget.locator('[data-test-id="crm-spend"]')
    spend.wait_for()

    assert spend.inner_text().split("\n")[1:] == ["€80.00", "$120.00"]
    assert widget.locator('[data-test-id="crm-aov"]').inner_text().split("\n")[1:] == ["€80.00", "$120.00"]
    assert widget.locator('[data-test-id="crm-orders"]').inner_text() == "Orders\n2"
    assert widget.locator('[data-test-id="crm-points"]').inner_text() == "Points\n200"  # 1 point per unit
    assert widget.locator('[data-test-id="crm-pending"]').inner_text() == "Pending\n0"
    assert "Bronze tier" in widget.locator('[data-test-id="crm-badges"]').inner_text()
    assert "#vip" in widget.locator('[data-test-id="crm-segments"]').inner_text()
    timeline = widget.locator('[data-test-id="crm-timeline"]')
    assert "Paid order #1002" in timeline.inner_text()
    widget.get_by_text("No open tickets.").wait_for()
    frame_height = page.locator(WIDGET).evaluate("frame => frame.getBoundingClientRect().height")
    assert frame_height > 400  # widgetResize: the frame grew to its content (default 200 px)

    assert len(calls) == 2, [call.post_data for call in calls]
    # Time to data inside the widget's frame: from its navigation (the form POST) to the figures shown.
    shown = page.locator(WIDGET).evaluate(
        "frame => frame.contentWindow.performance.getEntriesByName('crm:data-shown')[0]?.startTime"
    )
    api = page.locator(WIDGET).evaluate(
        "frame => frame.contentWindow.performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/graphql/')).map(e => Math.round(e.duration))"
    )
    print(f"\ncustomer widget: {len(calls)} API calls ({api} ms), data shown {shown:.0f} ms into the frame's load")
    assert shown is not None
    screenshot(page, "customer-page")
    screenshot(page, "customer-widget", page.locator('[data-test-id="shell-widget-customer-widget"]'))


def test_the_order_widget_shows_the_orders_points_and_opens_a_ticket(store, shell):
    manager = staff("manager", Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
    page = shell(manager, order_page(W1))
    widget = page.frame_locator(WIDGET)
    widget.locator('[data-test-id="crm-order-earned"]').wait_for()
    assert widget.locator('[data-test-id="crm-order-earned"]').inner_text() == "Earned\n120"
    assert widget.locator('[data-test-id="crm-order-pending"]').inner_text() == "Pending\n0"
    assert widget.locator('[data-test-id="crm-order-reversed"]').inner_text() == "Reversed\n0"
    assert "€80.00" in widget.locator('[data-test-id="crm-order-customer-spend"]').inner_text()
    assert "No tickets about this order." in widget.locator('[data-test-id="crm-order-tickets"]').inner_text()
    screenshot(page, "order-page")

    widget.locator('[data-test-id="crm-order-open-ticket"]').click()
    # A POST widget opens the form inline (the dashboard won't open popups for it); a GET one, the popup.
    form = widget if posted("order-widget") else page.frame_locator(POPUP)
    form.locator("input[name=subject]").fill("Parcel arrived damaged")
    form.locator("textarea[name=message]").fill("Customer sent photos of a crushed box.")
    form.get_by_role("button", name="High").click()
    form.locator('[data-test-id="crm-popup-submit"]').click()

    widget.locator('[data-test-id="crm-ticket-row"]').wait_for()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.priority, ticket.order.saleor_order_id) == (
        "Parcel arrived damaged",
        TicketPriority.HIGH,
        global_id("Order", W1),
    )
    assert ticket.reference in widget.locator('[data-test-id="crm-order-tickets"]').inner_text()


def test_a_ticket_opened_from_the_orders_more_actions_popup(store, shell):
    support = staff("support", Permission.MANAGE_ORDERS)
    page = shell(support, order_page(W2))
    page.locator('[data-test-id="shell-more-actions"]').click()
    page.locator('[data-test-id="shell-action-order-open-ticket"]').click()
    popup = page.frame_locator(POPUP)
    popup.get_by_text("Order #1002").wait_for()
    popup.locator("input[name=subject]").fill("Wrong size")
    popup.locator("textarea[name=message]").fill("Needs an exchange to M.")
    popup.locator('[data-test-id="crm-popup-submit"]').click()

    toast = page.locator('[data-test-id="shell-toast"]')
    toast.wait_for()
    ticket = Ticket.objects.get()
    assert f"Ticket {ticket.reference} opened" in toast.inner_text()
    # The popup notifies, then asks to close: the close may land just after the toast.
    page.locator('[data-test-id="shell-popup"]').wait_for(state="detached", timeout=5000)
    assert ticket.order.saleor_order_id == global_id("Order", W2) and ticket.profile_id == store.pk


def test_points_adjusted_from_the_customers_more_actions_popup(store, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, ada_page())
    page.locator('[data-test-id="shell-more-actions"]').click()
    page.locator('[data-test-id="shell-action-adjust-points"]').click()
    popup = page.frame_locator(POPUP)
    assert popup.locator('[data-test-id="crm-popup-balance"]').inner_text() == "Available now\n200"
    screenshot(page, "adjust-points-popup")

    popup.locator("input[name=points]").fill("0")
    popup.locator("input[name=reason]").fill("Goodwill")
    popup.locator('[data-test-id="crm-popup-submit"]').click()
    assert "whole number" in popup.locator('[data-test-id="crm-form-error"]').inner_text()

    # The dashboard renews the 5-minute token while the popup is open: the next request carries the new one.
    time.sleep(1.1)  # a token minted in another second differs
    fresh = page.evaluate(RENEW_TOKEN)
    page.locator(POPUP).evaluate(
        "(frame, token) => frame.contentWindow.postMessage({type: 'tokenRefresh', payload: {token}}, location.origin)",
        fresh,
    )
    popup.locator("input[name=points]").fill("250")
    with page.expect_request(lambda request: GRAPHQL in request.url) as sent:
        popup.locator('[data-test-id="crm-popup-submit"]').click()
    assert sent.value.headers["authorization"] == f"Bearer {fresh}"
    toast = page.locator('[data-test-id="shell-toast"]')
    toast.wait_for()
    assert "Ada Lovelace now has 450 points." in toast.inner_text()
    assert LoyaltyAccount.objects.get(profile=store).available == 450
    entry = PointsLedgerEntry.objects.filter(account__profile=store).latest("pk")
    assert (entry.available_change, entry.reason) == (250, "Goodwill")


def test_crm_data_exported_from_the_customers_more_actions_popup(store, shell, tmp_path):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, ada_page())
    page.locator('[data-test-id="shell-more-actions"]').click()
    page.locator('[data-test-id="shell-action-export"]').click()
    popup = page.frame_locator(POPUP)
    popup.get_by_text("Download JSON").wait_for()
    with page.expect_download() as download:
        popup.locator('[data-test-id="crm-popup-submit"]').click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert download.value.suggested_filename == "crm-ada@example.com.json"
    exported = json.loads(saved.read_text())
    assert "ada@example.com" in json.dumps(exported) and "vip" in json.dumps(exported)


def _background(frame_locator) -> str:
    return frame_locator.locator("body").evaluate("body => getComputedStyle(body).backgroundColor")


def test_app_frames_follow_the_dashboard_theme(store, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, "/dashboard/crm/customers", theme="dark")
    app = page.frame_locator(APP_PAGE)
    app.locator("body *").first.wait_for()
    page.wait_for_function(
        "sel => { const d = document.querySelector(sel).contentDocument;"
        " return d && d.documentElement.dataset.theme === 'dark'; }",
        arg=APP_PAGE,
    )
    dark = _background(app)
    screenshot(page, "crm-pages-dark")

    page.locator('[data-test-id="shell-theme-toggle"]').click()  # the shell posts a `theme` event
    page.wait_for_function(
        "sel => document.querySelector(sel).contentDocument.documentElement.dataset.theme === 'light'", arg=APP_PAGE
    )
    assert _background(app) != dark


def test_a_staff_member_without_manage_customers_is_told_why(store, shell):
    support = staff("support", Permission.MANAGE_ORDERS)
    page = shell(support, ada_page())
    notice = page.frame_locator(WIDGET).locator('[data-test-id="crm-no-permission"]')
    notice.wait_for()
    assert "You need the Manage customers permission in Saleor" in notice.inner_text()
    screenshot(page, "no-permission", page.locator('[data-test-id="shell-widget-customer-widget"]'))

    # On an order, support staff see the order's points and tickets; only the customer's figures are withheld.
    page.goto(page.url.split("/dashboard/")[0] + order_page(W1))
    widget = page.frame_locator(WIDGET)
    widget.locator('[data-test-id="crm-order-earned"]').wait_for()
    withheld = widget.locator('[data-test-id="crm-order-customer"] [data-test-id="crm-no-permission"]')
    assert "You need the Manage customers permission in Saleor" in withheld.inner_text()


@pytest.fixture
def get_widgets(monkeypatch):
    """The manifest with its widgets mounted by GET (App Bridge handshake) instead of a form POST."""
    from saleor_crm_plugin.dashboard import manifest as manifest_module

    original = manifest_module._extension

    def without_post(extension, app_url):
        entry = original(extension, app_url)
        entry.pop("options", None)
        return entry

    monkeypatch.setattr(manifest_module, "_extension", without_post)


def test_get_mounted_widgets_follow_the_theme_link_into_the_crm_and_open_popups(store, shell, get_widgets):
    manager = staff("manager", Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
    page = shell(manager, ada_page(), theme="dark")
    widget = page.frame_locator(WIDGET)
    assert widget.locator('[data-test-id="crm-points"]').inner_text() == "Points\n200"
    assert widget.locator("html").get_attribute("data-theme") == "dark"  # handshake frame: theme from the dashboard
    widget.get_by_text("No open tickets.").wait_for()
    screenshot(page, "customer-page-dark")
    page.locator('[data-test-id="shell-theme-toggle"]').click()
    page.wait_for_function(
        "sel => document.querySelector(sel).contentDocument.documentElement.dataset.theme === 'light'", arg=WIDGET
    )

    widget.locator('[data-test-id="crm-open-customer"]').click()  # `redirect` to the app's page
    page.wait_for_url(f"**/dashboard/crm/customers/{global_id('CrmCustomer', store.pk)}")
    page.frame_locator(APP_PAGE).get_by_text("ada@example.com").first.wait_for()

    page.goto(page.url.split("/dashboard/")[0] + order_page(W1))
    page.frame_locator(WIDGET).locator('[data-test-id="crm-order-open-ticket"]').click()  # `openPopup`
    page.frame_locator(POPUP).get_by_text("Order #1001").wait_for()
