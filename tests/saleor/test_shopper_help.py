"""The storefront Help tab's API and the CSAT page inside a real Saleor: the shopper's own real orders
to open a ticket about (``crmMyOrders`` gives Saleor's order IDs), and the solved ticket's rating link,
which Saleor routes (``/plugins/global/saleor.crm/rate/``) to the plugin's webhook."""

from tests.saleor import require_saleor

require_saleor()

from urllib.parse import urlsplit  # noqa: E402

import pytest  # noqa: E402

from saleor_crm_plugin.profiles.models import CustomerProfile  # noqa: E402
from saleor_crm_plugin.tickets import actions, emails  # noqa: E402
from saleor_crm_plugin.tickets.history import Actor  # noqa: E402
from saleor_crm_plugin.tickets.models import Ticket, TicketStatus  # noqa: E402

from .test_api import crm, saleor_token  # noqa: E402
from .test_flows import gid, shop  # noqa: E402, F401  (shop is a fixture)

pytestmark = pytest.mark.django_db

MY_ORDERS = "{ crmMyOrders(first: 5) { edges { node { number order { id } } } } }"
CREATE = """mutation($order: ID!) { crmTicketCreate(input: {order: $order, subject: "Late", message: "Where?"}) {
  ticket { order { number } } errors { code } } }"""


def test_a_shopper_picks_one_of_their_real_orders_for_a_ticket(
    crm_plugin,
    client,
    api_client,
    user_api_client,
    customer_user,
    shop,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    _, order = shop.checkout_order(user_api_client, None)
    shop.checkout_order(api_client, "someone.else@example.com")  # not hers: never listed
    shopper = saleor_token(api_client, customer_user.email)
    listed = crm(client, MY_ORDERS, shopper)["data"]["crmMyOrders"]["edges"]
    assert [edge["node"] for edge in listed] == [{"number": str(order.number), "order": {"id": gid("Order", order.pk)}}]
    opened = crm(client, CREATE, shopper, variables={"order": listed[0]["node"]["order"]["id"]})["data"]
    assert opened["crmTicketCreate"] == {"ticket": {"order": {"number": str(order.number)}}, "errors": []}


def test_the_emailed_rating_link_works_through_saleors_plugin_routing(crm_plugin, client):
    profile = CustomerProfile.objects.create(email="ada@example.com")
    ticket = actions.open_ticket(profile, "Wrong colour", "I ordered red.", actor=Actor.shopper())
    actions.reply(ticket, "A red one is on its way.", actor=Actor.staff(), status=TicketStatus.SOLVED)
    link = urlsplit(emails.rating_link(Ticket.objects.get(pk=ticket.pk)))
    assert link.path == "/plugins/global/saleor.crm/rate/"
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200 and ticket.reference in page.content.decode()
    token = link.query.removeprefix("token=")
    assert client.post(link.path, {"token": token, "score": "5"}).status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).rating == 5
    assert client.get(f"{link.path}?token={token}x").status_code == 404  # forged: a clear page, no error
