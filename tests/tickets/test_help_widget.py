"""The storefront widget's Help tab and the CSAT page in headless Chromium against a live sandbox server:
a shopper lists, opens, answers, opens and rates tickets (checked in the database); a guest is asked to
sign in; someone else's ticket in the URL is not found; keyboard only; text from the API stays text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot
from saleor_crm_plugin.sandbox.auth import user_token
from saleor_crm_plugin.tickets import actions, emails
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Ticket, TicketMessage, TicketStatus

from ..factories import at, customer_event, order_event
from ..loyalty.helpers import configure_program

SCREENSHOTS = Path("/tmp/crm-help-widget")
XSS = '<img src=x onerror="window.__xss=1">'
WIDGET = "document.querySelector('#saleor-crm-loyalty').shadowRoot"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def store(crm_settings, settings):
    """Ada with two orders and four tickets, Grace with an order and a ticket, and Jo from support."""
    settings.CRM_SANDBOX_DEMO = True  # the store page's ?shopper= sign-in works in the demo only
    configure_program(crm_settings)
    crm_settings(ticket_rating_url="")
    users = get_user_model().objects
    for pk, email, first, last in (
        (1, "ada@example.com", "Ada", "Lovelace"),
        (2, "grace@example.com", "Grace", "Hopper"),
    ):
        users.create(pk=pk, username=email, email=email, first_name=first, last_name=last)
        ingest(customer_event(pk=pk, email=email, first_name=first, last_name=last))
    ingest(order_event(order_id="Order:1", user=1, number="1001", total="49.90", created_at=at(days=2)))
    ingest(order_event(order_id="Order:3", user=1, number="1003", total="12.00", created_at=at(days=20)))
    ingest(order_event(order_id="Order:2", user=2, email="grace@example.com", number="1002", created_at=at(days=5)))
    jo = users.create(
        pk=9, username="jo@store.test", email="jo@store.test", first_name="Jo", last_name="Smith", is_staff=True
    )
    ada, grace = (CustomerProfile.objects.get(email=f"{name}@example.com") for name in ("ada", "grace"))
    staff, shopper = Actor.staff(jo), Actor.shopper(users.get(pk=1))
    parcel = actions.open_ticket(
        ada, "Late parcel", "My order hasn't arrived.", actor=shopper, order=OrderSnapshot.objects.get(number="1001")
    )
    actions.reply(parcel, "It left our warehouse today.", actor=staff)
    actions.add_note(parcel, "Courier lost it, refund internally", actor=staff)
    sized = actions.open_ticket(ada, "Wrong size", "Can I swap it?", actor=shopper)
    actions.reply(sized, "Swapped, on its way.", actor=staff, status=TicketStatus.SOLVED)
    old = actions.open_ticket(ada, "Old question", "Do you ship abroad?", actor=shopper)
    for status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        actions.update_ticket(old, actor=staff, status=status)
    actions.open_ticket(ada, XSS, f"Body {XSS}", actor=shopper)
    graces = actions.open_ticket(grace, "Grace's private matter", "Only for me.", actor=Actor.shopper())
    return {"parcel": parcel, "sized": sized, "old": old, "graces": graces}


def help_tab(browser, live_server, shopper="ada@example.com", fragment="", **page_options):
    page = browser.new_page(viewport={"width": 1100, "height": 820}, **page_options)
    page.goto(f"{live_server.url}/store/?shopper={shopper}{fragment}")
    if not fragment:
        page.get_by_test_id("loyalty-launcher").click()
        page.get_by_test_id("crm-tab-help").click()
    return page


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def active(page) -> str:
    """What has the keyboard focus inside the widget: its test id, else its text."""
    script = f"(() => {{ const e = {WIDGET}.activeElement; return e && (e.dataset.testid || e.textContent); }})()"
    return page.evaluate(script)


def test_a_guest_is_asked_to_sign_in(live_server, browser, store):
    page = browser.new_page()
    page.goto(f"{live_server.url}/store/")
    page.get_by_test_id("loyalty-launcher").click()
    page.get_by_test_id("crm-tab-help").click()
    prompt = page.get_by_test_id("help-panel").get_by_test_id("crm-sign-in")
    assert "Sign in to see your support requests" in prompt.inner_text()
    sign_in = prompt.get_by_role("link", name="Sign in")  # the store page's data-sign-in-url
    assert sign_in.get_attribute("href") == "?shopper=ada@example.com"
    assert page.get_by_test_id("help-tickets").count() == 0
    shot(page, "help-guest-light")


def test_a_shopper_lists_opens_and_answers_their_tickets(live_server, browser, store):
    page = help_tab(browser, live_server)
    tickets = page.get_by_test_id("help-tickets")
    tickets.get_by_text("Late parcel").wait_for()
    listed = tickets.inner_text()
    assert "Grace" not in listed  # only her own
    statuses = [badge.inner_text() for badge in tickets.get_by_test_id("help-status").all()]
    assert statuses == ["Received", "Closed", "Solved", "Open"]  # newest activity first
    # A subject with markup is shown as text, and nothing ran.
    assert XSS in listed and page.evaluate("window.__xss") is None
    shot(page, "help-list-light")

    page.get_by_test_id(f"ticket-{store['parcel'].reference}").click()
    thread = page.get_by_test_id("help-ticket")
    thread.get_by_text("It left our warehouse today.").wait_for()
    text = thread.inner_text()
    assert "Courier lost it" not in text  # internal notes never reach shoppers
    assert "Jo S." in text and "jo@store.test" not in text
    assert "About order #1001" in text and "$49.90" in text
    page.get_by_test_id("help-reply-text").fill("Thanks! <b>Still waiting</b> though.")
    page.get_by_test_id("help-send").click()
    thread.get_by_text("Thanks! <b>Still waiting</b> though.").wait_for()
    shot(page, "help-thread-light")
    reply = TicketMessage.objects.filter(ticket=store["parcel"]).latest("id")
    assert (reply.body, reply.author_kind, reply.author_id) == ("Thanks! <b>Still waiting</b> though.", "shopper", 1)

    page.get_by_test_id("help-back").click()
    page.get_by_test_id(f"ticket-{store['old'].reference}").click()
    assert page.get_by_test_id("help-reply-text").is_disabled() and page.get_by_test_id("help-send").is_disabled()
    assert "closed" in page.get_by_test_id("help-reply-reason").inner_text()


def test_older_tickets_load_on_request(live_server, browser, store):
    ada = CustomerProfile.objects.get(email="ada@example.com")
    for number in range(18):  # 22 in all: a page of 20, then 2 more
        actions.open_ticket(ada, f"Question {number}", "?", actor=Actor.shopper())
    page = help_tab(browser, live_server)
    rows = page.get_by_test_id("help-tickets").locator("li")
    page.get_by_test_id("help-more").wait_for()
    assert rows.count() == 20
    page.get_by_test_id("help-more").click()
    page.get_by_test_id("help-tickets").get_by_text("Late parcel").wait_for()
    assert rows.count() == 22 and page.get_by_test_id("help-more").count() == 0


def test_a_shopper_opens_a_ticket_about_one_of_their_orders(live_server, browser, store):
    page = help_tab(browser, live_server)
    page.get_by_test_id("help-new").click()
    picker = page.get_by_test_id("help-order")
    picker.locator("option", has_text="#1001").wait_for(state="attached")
    options = [o.inner_text() for o in picker.locator("option").all()]
    assert options[0] == "Not about an order" and len(options) == 3  # her two orders, Grace's 1002 not among them
    assert options[1].startswith("#1003 · ") and options[2].startswith("#1001 · ") and options[2].endswith("$49.90")
    page.get_by_test_id("help-subject").fill("Scratched lid")
    picker.select_option(label=options[2])
    page.get_by_test_id("help-message").fill("The lid came scratched.")
    shot(page, "help-new-light")
    page.get_by_test_id("help-submit").click()
    page.get_by_test_id("help-ticket").get_by_text("The lid came scratched.").wait_for()
    ticket = Ticket.objects.get(subject="Scratched lid")
    assert (ticket.profile.email, ticket.order.number, ticket.channel) == ("ada@example.com", "1001", "web")
    assert page.get_by_test_id("help-heading").inner_text() == "Scratched lid"


def test_a_shopper_rates_a_solved_ticket_from_a_link(live_server, browser, store):
    page = help_tab(browser, live_server, fragment=f"#crm-ticket={store['sized'].reference}", color_scheme="dark")
    rate = page.get_by_test_id("help-rate")
    rate.wait_for()
    shot(page, "help-rate-dark")
    rate.get_by_label("4 — Good").check()
    page.get_by_test_id("help-rate-comment").fill("Fast swap")
    page.get_by_test_id("help-rate-send").click()
    assert "You rated our help 4/5" in page.get_by_test_id("help-rated").inner_text()
    sized = Ticket.objects.get(pk=store["sized"].pk)
    assert (sized.rating, sized.rating_comment) == (4, "Fast swap")
    shot(page, "help-rated-dark")
    page.get_by_test_id("crm-tab-rewards").click()
    page.get_by_test_id("loyalty-panel").get_by_text("Ways to earn").wait_for()
    shot(page, "rewards-dark")


@pytest.mark.parametrize("whose", ["another shopper's", "missing", "mangled"])
def test_someone_elses_ticket_in_the_url_is_not_found(live_server, browser, store, whose):
    reference = {"another shopper's": store["graces"].reference, "missing": "T-999999", "mangled": "%E0%A4%A"}[whose]
    page = help_tab(browser, live_server, fragment=f"#crm-ticket={reference}")
    missing = page.get_by_test_id("help-missing")
    missing.wait_for()
    assert missing.inner_text().startswith("← All requests\nTicket not found")
    assert "Grace" not in page.get_by_test_id("help-panel").inner_text()
    shot(page, "help-not-found-" + whose.split()[0].strip("'s"))


def test_the_widget_works_by_keyboard_alone(live_server, browser, store):
    page = browser.new_page(viewport={"width": 1100, "height": 820})
    page.goto(f"{live_server.url}/store/?shopper=ada@example.com")
    page.get_by_test_id("loyalty-balance").wait_for(state="attached")
    for _ in range(10):  # from the top of the page to the launcher
        page.keyboard.press("Tab")
        if active(page) == "loyalty-launcher":
            break
    assert active(page) == "loyalty-launcher"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page) == "crm-tab-rewards"
    page.keyboard.press("ArrowRight")  # arrows move along the tabs and select
    assert active(page) == "crm-tab-help"
    assert page.get_by_test_id("crm-tab-help").get_attribute("aria-selected") == "true"
    assert page.get_by_test_id("loyalty-panel").is_hidden()
    page.get_by_test_id("help-tickets").get_by_text("Late parcel").wait_for()
    page.keyboard.press("Tab")  # the tab panel itself, then its first control
    page.keyboard.press("Tab")
    assert active(page) == "help-new"
    page.keyboard.press("Enter")
    assert active(page) == "help-subject"  # the form takes the focus
    page.keyboard.type("Gift wrap")
    page.keyboard.press("Tab")
    assert active(page) == "help-order"
    page.keyboard.press("Tab")
    page.keyboard.type("Can you wrap order 1003?")
    page.keyboard.press("Tab")
    assert active(page) == "help-submit"
    shot(page, "help-keyboard-focus")
    page.keyboard.press("Enter")
    page.get_by_test_id("help-ticket").get_by_text("Can you wrap order 1003?").wait_for()
    assert active(page) == "help-heading"
    assert Ticket.objects.filter(subject="Gift wrap", profile__email="ada@example.com").exists()
    page.keyboard.press("Escape")  # closes the panel, back on the launcher
    assert page.get_by_test_id("crm-widget").is_hidden() and active(page) == "loyalty-launcher"


def storefront(page, origin: str, script_tag: str, fragment: str = "") -> None:
    """Ada signed in on a storefront page of ``origin`` that embeds the widget with ``script_tag``.

    The page is written into a widget-less page the server sent (the rating page without a token), so
    Chromium sees a page of that (loopback) host: a page made up by Playwright may not call loopback hosts.
    """
    token = user_token(get_user_model().objects.get(pk=1))
    page.goto(f"{origin}/plugins/global/saleor.crm/rate/{fragment}")
    page.set_content(
        f"<!doctype html><html><head><script>window.SaleorCRM = {json.dumps({'token': token})};</script>"
        f"{script_tag}</head><body><h1>A storefront</h1></body></html>"
    )


def test_the_widget_talks_to_a_configured_endpoint(live_server, browser, store):
    """``data-endpoint`` (e.g. a federation gateway): every call goes there; here a stand-in forwards it."""
    seen = []

    def gateway(route):
        seen.append(route.request.post_data_json["query"])
        route.fulfill(response=route.fetch(url=f"{live_server.url}/plugins/global/saleor.crm/graphql/"))

    page = browser.new_page()
    page.route(f"{live_server.url}/gateway/graphql", gateway)
    storefront(
        page,
        live_server.url,
        '<script src="/plugins/global/saleor.crm/widget.js" data-endpoint="/gateway/graphql"></script>',
        f"#crm-ticket={store['parcel'].reference}",
    )
    page.get_by_test_id("help-ticket").get_by_text("It left our warehouse today.").wait_for()
    assert any("crmTicket(id:" in query for query in seen) and any("loyaltyProgram" in query for query in seen)


def test_a_storefront_on_its_own_origin_needs_to_be_allowed(live_server, browser, store, crm_settings):
    """The usual set-up: the storefront's pages on their origin, the widget and API on Saleor's (CORS)."""
    saleor = live_server.url.replace("localhost", "127.0.0.1")
    page = browser.new_page()
    tag, link = (
        f'<script src="{saleor}/plugins/global/saleor.crm/widget.js"></script>',
        f"#crm-ticket={store['parcel'].reference}",
    )
    storefront(page, live_server.url, tag, link)
    assert "could not be reached" in page.get_by_test_id("help-error").inner_text()  # not allowed yet
    crm_settings(storefront_origins=live_server.url)  # the merchant lists the storefront
    storefront(page, live_server.url, tag, link)
    page.get_by_test_id("help-reply-text").fill("Any news?")
    page.get_by_test_id("help-send").click()
    page.get_by_test_id("help-ticket").get_by_text("Any news?").wait_for()
    assert TicketMessage.objects.filter(ticket=store["parcel"], body="Any news?", author_kind="shopper").exists()


# -- the CSAT page from the email ---------------------------------------------------------------------


def rating_page(ticket) -> str:
    link = emails.rating_link(Ticket.objects.get(pk=ticket.pk))
    return link[link.index("/plugins/") :]


def test_the_emailed_rating_link_rates_once(live_server, browser, store):
    page = browser.new_page(viewport={"width": 900, "height": 640})
    url = f"{live_server.url}{rating_page(store['sized'])}"
    page.goto(url)
    assert page.get_by_test_id("rate-reference").inner_text() == store["sized"].reference
    assert "Swapped" not in page.content() and "ada@" not in page.content()  # no thread, no customer
    page.get_by_label("5 · Great").check()
    page.locator("#comment").fill("Lovely")
    shot(page, "csat-form")
    page.locator("#send").click()
    assert "Thank you! You rated our help 5/5" in page.get_by_test_id("rate-recorded").inner_text()
    assert Ticket.objects.get(pk=store["sized"].pk).rating == 5
    page.goto(url)  # again: the recorded rating, no second form
    assert "You rated our help 5/5" in page.get_by_test_id("rate-recorded").inner_text()
    assert page.locator("form").count() == 0
    shot(page, "csat-recorded")


def test_the_rating_page_follows_a_dark_system_theme(live_server, browser, store):
    page = browser.new_page(viewport={"width": 900, "height": 640}, color_scheme="dark")
    page.goto(f"{live_server.url}{rating_page(store['sized'])}")
    colours = page.evaluate(
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color,"
        " getComputedStyle(document.querySelector('#send')).backgroundColor]"
    )
    assert colours == ["rgb(22, 22, 22)", "rgb(232, 232, 232)", "rgb(232, 232, 232)"]  # light text, light button
    shot(page, "csat-form-dark")


def test_a_forged_rating_link_gets_a_clear_page(live_server, browser, store):
    page = browser.new_page(viewport={"width": 900, "height": 500})
    response = page.goto(f"{live_server.url}{rating_page(store['sized'])}x")
    assert response.status == 404
    assert "This rating link is not valid" in page.inner_text("body")
    shot(page, "csat-invalid")
