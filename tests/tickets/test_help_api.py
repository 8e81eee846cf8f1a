"""What the storefront's Help tab needs from the API beyond the ticket mutations: the shopper's own orders
to pick one from (``crmMyOrders``), and the CSAT page a solved ticket's email links to."""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
from django.core import signing

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.tickets import actions, emails
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Ticket, TicketStatus

from ..factories import at, order_event
from ..graphql.conftest import API, ada_token, grace, make_user  # noqa: F401  fixtures

MY_ORDERS = """{ crmMyOrders(first: 10) { totalCount edges { node {
  number placedAt total { amount currency } order { id } } } } }"""
CREATE = """mutation($input: CrmTicketCreateInput!) { crmTicketCreate(input: $input) {
  ticket { reference order { number } } errors { field code message } } }"""
RATE_PAGE = "/plugins/global/saleor.crm/rate/"


def page_text(response) -> str:
    """What a reader sees of the page: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def api(client):
    return API(client)


@pytest.fixture
def orders(ada, grace):  # noqa: F811
    ingest(order_event(order_id="Order:1", user=1, number="1001", total="49.90", created_at=at(days=2)))
    ingest(order_event(order_id="Order:3", user=1, number="1003", total="12.00", created_at=at(days=20)))
    ingest(order_event(order_id="Order:4", user=1, number="1004", status="draft", created_at=at(days=30)))
    ingest(order_event(order_id="Order:2", user=2, email="grace@example.com", number="1002", created_at=at(days=1)))


def test_my_orders_lists_only_the_shoppers_own_orders_newest_first(api, orders, ada_token):  # noqa: F811
    page = api.data(MY_ORDERS, token=ada_token)["crmMyOrders"]
    nodes = [edge["node"] for edge in page["edges"]]
    assert page["totalCount"] == 2  # Grace's order and Ada's draft are not hers to pick
    assert [node["number"] for node in nodes] == ["1003", "1001"]
    assert nodes[1]["order"] == {"id": global_id("Order", "Order:1")}
    assert nodes[1]["total"] == {"amount": 49.9, "currency": "USD"}


def test_my_orders_is_empty_for_guests_and_unknown_shoppers(api, orders):
    from saleor_crm_plugin.sandbox.auth import user_token

    assert api.data(MY_ORDERS)["crmMyOrders"] == {"totalCount": 0, "edges": []}
    stranger = user_token(make_user(77, "stranger@example.com"))
    assert api.data(MY_ORDERS, token=stranger)["crmMyOrders"]["totalCount"] == 0


def test_a_picked_order_opens_a_ticket_and_someone_elses_reads_as_missing(api, orders, ada_token):  # noqa: F811
    picked = api.data(MY_ORDERS, token=ada_token)["crmMyOrders"]["edges"][0]["node"]["order"]["id"]
    opened = api.data(CREATE, {"input": {"subject": "Late", "message": "Where?", "order": picked}}, token=ada_token)
    assert opened["crmTicketCreate"]["ticket"]["order"] == {"number": "1003"}
    graces = {"subject": "Late", "message": "Where?", "order": global_id("Order", "Order:2")}
    missing = {"subject": "Late", "message": "Where?", "order": global_id("Order", "Order:99")}
    refusals = [api.data(CREATE, {"input": i}, token=ada_token)["crmTicketCreate"] for i in (graces, missing)]
    assert refusals[0]["errors"][0]["code"] == refusals[1]["errors"][0]["code"] == "NOT_FOUND"
    assert refusals[0]["errors"][0]["message"].split(":")[0] == refusals[1]["errors"][0]["message"].split(":")[0]
    assert Ticket.objects.count() == 1


# -- the CSAT page ---------------------------------------------------------------------------------


@pytest.fixture
def solved(ada, crm_settings):
    crm_settings(ticket_rating_url="")
    ticket = actions.open_ticket(
        ada, "Broken <img src=x onerror=alert(1)> mug", "Secret thread text", actor=Actor.shopper()
    )
    actions.update_ticket(ticket, actor=Actor.staff(), status=TicketStatus.SOLVED)
    return Ticket.objects.get(pk=ticket.pk)


def rating_url(ticket) -> str:
    """The link as the solving email carries it (the plugin's own page when no storefront page is set)."""
    link = emails.rating_link(ticket)
    assert link is not None and f"/plugins/global/saleor.crm/{emails.RATING_PAGE_PATH}?token=" in link
    return link[link.index(RATE_PAGE) :]


def test_the_emailed_link_opens_a_page_with_only_what_rating_needs(client, solved):
    response = client.get(rating_url(solved))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert solved.reference in html
    assert "Broken &lt;img src=x onerror=alert(1)&gt; mug" in html and "<img" not in html  # escaped
    assert "Secret thread text" not in html and "ada@example.com" not in html
    assert html.count('type="radio" name="score"') == 5


def test_rating_once_through_the_page(client, solved):
    url = rating_url(solved)
    token = url.split("token=", 1)[1]
    response = client.post(RATE_PAGE, {"token": token, "score": "4", "comment": "Quick <b>help</b>"})
    assert response.status_code == 200
    assert "You rated our help 4/5" in page_text(response)
    assert "Quick &lt;b&gt;help&lt;/b&gt;" in response.content.decode()  # escaped
    solved.refresh_from_db()
    assert (solved.rating, solved.rating_comment) == (4, "Quick <b>help</b>")
    again = client.post(RATE_PAGE, {"token": token, "score": "1"})  # a second try shows the recorded rating
    assert again.status_code == 200 and "You rated our help 4/5" in page_text(again)
    assert Ticket.objects.get(pk=solved.pk).rating == 4
    assert "You rated our help 4/5" in page_text(client.get(url))
    assert solved.events.filter(kind="rated").count() == 1


def test_a_bad_score_keeps_the_form_with_the_reason(client, solved):
    token = rating_url(solved).split("token=", 1)[1]
    response = client.post(RATE_PAGE, {"token": token, "score": "9"})
    assert response.status_code == 400
    assert "Rate from 1 to 5." in page_text(response) and 'name="score"' in response.content.decode()
    assert Ticket.objects.get(pk=solved.pk).rating is None


@pytest.mark.parametrize("mangle", ["forged", "expired", "empty", "deleted_customer"])
def test_forged_expired_or_dead_links_get_a_clear_page_not_an_error(client, solved, mangle, monkeypatch):
    token = emails.rating_token(solved)
    if mangle == "forged":
        token = signing.dumps({"ticket": solved.pk}, salt="another.salt")
    elif mangle == "expired":
        past = time.time() - timedelta(days=31).total_seconds()
        monkeypatch.setattr(signing.time, "time", lambda: past)
        token = emails.rating_token(solved)
        monkeypatch.undo()
    elif mangle == "empty":
        token = ""
    else:
        CustomerProfile.objects.filter(pk=solved.profile_id).update(anonymised_at=at(days=0))
    for response in (client.get(RATE_PAGE, {"token": token}), client.post(RATE_PAGE, {"token": token, "score": "5"})):
        assert response.status_code == 404
        assert "This rating link is not valid" in page_text(response)
    assert Ticket.objects.get(pk=solved.pk).rating is None


def test_a_reopened_ticket_waits_for_its_rating(client, solved):
    url = rating_url(solved)
    actions.reply(solved, "Still broken", actor=Actor.shopper())  # the shopper's reply reopens it
    assert "open again" in page_text(client.get(url))
    refused = client.post(RATE_PAGE, {"token": url.split("token=", 1)[1], "score": "5"})
    assert refused.status_code == 400 and "once it is solved" in page_text(refused)
    assert client.put(url).status_code == 405
