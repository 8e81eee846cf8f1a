"""The Segments and Helpdesk pages in headless Chromium, through the sandbox's dashboard shell.

A merchant writes a segment with a typo, sees it underlined with the API's suggestion, fixes it,
watches the live preview, saves and lands on the members; an agent answers a ticket with a macro
(previewed for that ticket) and solves it; staff without the permission see why, not a blank frame.
``CRM_SCREENSHOTS=docs/screenshots`` saves the screenshots on the way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.segments.builtin import ensure_builtin_segments
from saleor_crm_plugin.segments.models import Segment
from saleor_crm_plugin.tickets import actions
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Ticket, TicketMessage

from .conftest import APP_PAGE, api_calls, choose, screenshot, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_write_a_segment_with_a_typo_fix_it_preview_save_and_see_the_members(store, shell):
    ensure_builtin_segments()  # a transactional test before this one may have flushed the migrated built-ins
    manager = staff("maria", Permission.MANAGE_USERS)
    page = shell(manager, "/dashboard/crm/segments/new")
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-segment-name"]').fill("Buyers")
    query = app.locator('[data-test-id="crm-segment-query"]')
    query.click()
    query.press_sequentially("order_count >= 1", delay=40)

    error = app.locator('[data-test-id="crm-query-error"]')
    error.wait_for()
    assert "orders_count" in error.inner_text()  # the API's "did you mean"
    assert error.inner_text().startswith("Line 1, column 1:")
    assert app.locator('[data-test-id="crm-query-underline"]').inner_text() == "order_count"
    screenshot(page, "crm-segment-editor-error")

    query.fill("")
    query.press_sequentially("orders", delay=40)
    completions = app.locator('[data-test-id="crm-query-completions"]')
    completions.get_by_text("orders_count", exact=True).wait_for()  # from crmSegmentFields
    query.press("Tab")
    query.press_sequentially(" >= 1", delay=40)
    assert query.input_value() == "orders_count >= 1"
    app.locator('[data-test-id="crm-query-error"]').wait_for(state="detached")
    app.locator('[data-test-id="crm-preview-count"]', has_text="1").wait_for()
    assert "ada@example.com" in app.locator('[data-test-id="crm-preview-members"]').inner_text()
    timings = app.locator("body").evaluate("() => performance.getEntriesByName('crm:preview').length")
    assert timings >= 1
    screenshot(page, "crm-segment-editor")

    app.locator('[data-test-id="crm-segment-save"]').click()
    members = app.locator('[data-test-id="crm-segment-members"]')
    members.get_by_text("Ada Lovelace").wait_for()
    segment = Segment.objects.get(slug="buyers")
    assert segment.query == "orders_count >= 1" and segment.evaluated_at is not None
    page.wait_for_function("() => location.pathname.startsWith('/dashboard/crm/segments/')")
    assert app.locator('[data-test-id="crm-segment-mirror"]').inner_text() == "Not mirrored"

    with page.expect_download() as download:
        app.locator('[data-test-id="crm-segment-export"]').click()
    assert download.value.suggested_filename == "segment-buyers.csv"
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("email,") and lines[1].startswith("ada@example.com,")
    screenshot(page, "crm-segment-page")

    page.goto(page.url.split("/dashboard/")[0] + "/dashboard/crm/segments?theme=dark")
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-segment-list"]').get_by_text("Buyers", exact=True).wait_for()
    assert api_calls(app) == 1
    assert app.get_by_text("Built-in").first.is_visible()  # RFM groups and the other built-ins
    screenshot(page, "crm-segment-list-dark")


@pytest.fixture
def ticket(store):
    actions.save_macro("Shipping delay", "Hi {{ customer_first_name }}, {{ ticket_reference }} is on its way again.")
    return actions.open_ticket(store, "Where is my parcel?", "It has been two weeks.", actor=Actor.shopper())


def test_answer_a_ticket_with_a_macro_and_solve_it(ticket, shell):
    agent = staff("jo", Permission.MANAGE_ORDERS)
    page = shell(agent, "/dashboard/crm/helpdesk")
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-inbox-row"]', has_text="Where is my parcel?").wait_for()
    assert api_calls(app) == 1  # tickets, counts per view and assignees in one request
    assert app.locator('[data-test-id="crm-view-unassigned"]').inner_text().split("\n")[-1] == "1"
    screenshot(page, "crm-helpdesk-inbox")

    app.get_by_text("Where is my parcel?").click()
    app.locator('[data-test-id="crm-ticket-thread"]').get_by_text("It has been two weeks.").wait_for()
    customer = app.locator('[data-test-id="crm-ticket-customer"]')
    customer.get_by_text("ada@example.com").wait_for()
    assert "Manage customers permission" in customer.inner_text()  # MANAGE_ORDERS only: the contact card

    app.locator('[data-test-id="crm-note-mode"]').click()
    app.locator('[data-test-id="crm-reply-text"]').fill("Carrier says it was lost.")
    app.locator('[data-test-id="crm-note-add"]').click()
    app.locator('[data-test-id="crm-message-note"]', has_text="Carrier says it was lost.").wait_for()

    app.get_by_role("tab", name="Reply").click()
    choose(app, "crm-macro-picker", "Shipping delay")
    preview = app.locator('[data-test-id="crm-macro-preview"]')
    preview.get_by_text(f"Hi Ada, {ticket.reference} is on its way again.").wait_for()
    app.locator('[data-test-id="crm-macro-use"]').click()
    assert (
        app.locator('[data-test-id="crm-reply-text"]').input_value()
        == f"Hi Ada, {ticket.reference} is on its way again."
    )
    screenshot(page, "crm-helpdesk-ticket")
    app.locator('[data-test-id="crm-reply-solve"]').click()
    app.locator('[data-test-id="crm-message-reply"]', has_text="is on its way again").wait_for()
    app.get_by_text("Solved").first.wait_for()

    ticket.refresh_from_db()
    assert ticket.status == "solved"
    sent = TicketMessage.objects.filter(ticket=ticket, kind=TicketMessage.PUBLIC).latest("pk")
    assert sent.body == f"Hi Ada, {ticket.reference} is on its way again." and sent.author == agent
    assert TicketMessage.objects.filter(ticket=ticket, kind=TicketMessage.NOTE).count() == 1


def test_a_manager_sees_the_customers_orders_and_loyalty_beside_the_ticket(ticket, shell):
    manager = staff("mia", Permission.MANAGE_USERS)
    page = shell(manager, f"/dashboard/crm/helpdesk/tickets/{global_id('CrmTicket', ticket.pk)}", theme="dark")
    app = page.frame_locator(APP_PAGE)
    customer = app.locator('[data-test-id="crm-ticket-customer"]')
    app.locator('[data-test-id="crm-ticket-orders"]').wait_for()
    assert "200 points" in customer.inner_text()
    assert "Manage customers permission" not in customer.inner_text()
    assert api_calls(app) == 2  # the ticket, then the customer's sidebar
    screenshot(page, "crm-helpdesk-ticket-dark")


def test_staff_without_the_permission_see_why(ticket, shell):
    agent = staff("omar", Permission.MANAGE_ORDERS)
    page = shell(agent, "/dashboard/crm/segments")
    app = page.frame_locator(APP_PAGE)
    notice = app.locator('[data-test-id="crm-no-permission"]')
    notice.wait_for()
    assert "Manage customers" in notice.inner_text()
    screenshot(page, "crm-segments-no-permission")

    packer = staff("pat")
    page = shell(packer, "/dashboard/crm/helpdesk")
    app = page.frame_locator(APP_PAGE)
    notice = app.locator('[data-test-id="crm-no-permission"]')
    notice.wait_for()
    assert "Manage orders" in notice.inner_text() or "Manage customers" in notice.inner_text()
    assert Ticket.objects.count() == 1 and CustomerProfile.objects.count() == 1
