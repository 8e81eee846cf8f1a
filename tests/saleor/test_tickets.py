"""A helpdesk ticket inside a real Saleor: the shopper's JWT from tokenCreate, a real checkout order,
a staff member holding MANAGE_ORDERS answering (emailed through the store's mail setup), a CSAT rating."""

from tests.saleor import require_saleor

require_saleor()

import json  # noqa: E402

import pytest  # noqa: E402
from django.core import mail  # noqa: E402

from saleor_crm_plugin.profiles.models import OrderSnapshot  # noqa: E402
from saleor_crm_plugin.tickets.models import Ticket  # noqa: E402

from .test_api import crm, saleor_token  # noqa: E402
from .test_flows import gid, shop  # noqa: E402, F401  (shop is a fixture)

pytestmark = pytest.mark.django_db

ERRORS = "errors { field code message }"
CREATE = f"""mutation($order: ID!) {{
  crmTicketCreate(input: {{order: $order, subject: "Wrong colour", message: "I ordered <b>red</b>."}}) {{
    ticket {{ id reference status order {{ number }} customer {{ email }} }} {ERRORS}
  }}
}}"""
REPLY = f"""mutation($id: ID!) {{
  crmTicketReply(id: $id, input: {{message: "Sorry! A red one is on its way.", status: SOLVED}}) {{
    ticket {{ status }} message {{ authorKind authorName }} {ERRORS}
  }}
}}"""
RATE = f"""mutation($id: ID!) {{
  crmTicketRate(id: $id, score: 5, comment: "Fast and friendly") {{ ticket {{ rating {{ score comment }} }} {ERRORS} }}
}}"""
MINE = """{ crmMyTickets(first: 5) { edges { node { reference status messages { authorKind body } } } } }"""


def post(client, query, variables, token):
    """The CRM endpoint with variables (``crm`` in test_api posts a bare query)."""
    response = client.post(
        "/plugins/global/saleor.crm/graphql/",
        json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_a_shopper_opens_a_ticket_on_their_order_staff_answer_and_the_shopper_rates_it(
    crm_plugin,
    client,
    api_client,
    user_api_client,
    customer_user,
    staff_user,
    permission_group_manage_orders,
    shop,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    _, order = shop.checkout_order(user_api_client, None)  # the signed-in customer's real order
    _, guest_order = shop.checkout_order(api_client, "someone.else@example.com")
    order_id = gid("Order", order.pk)
    assert OrderSnapshot.objects.get(saleor_order_id=order_id).profile.email == customer_user.email
    shopper = saleor_token(api_client, customer_user.email)

    # someone else's order reads exactly like a missing one
    foreign = post(client, CREATE, {"order": gid("Order", guest_order.pk)}, shopper)["crmTicketCreate"]
    assert foreign["errors"] == [
        {
            "field": "order",
            "code": "NOT_FOUND",
            "message": f"Couldn't resolve to an order: {gid('Order', guest_order.pk)}",
        }
    ]

    opened = post(client, CREATE, {"order": order_id}, shopper)["crmTicketCreate"]
    assert opened["errors"] == []
    ticket = opened["ticket"]
    assert ticket["status"] == "NEW" and ticket["order"] == {"number": str(order.number)}
    assert ticket["customer"] == {"email": customer_user.email}

    # the staff member holds MANAGE_ORDERS only; without it the inbox is refused
    denied = crm(client, "{ crmTickets(first: 5) { totalCount } }", saleor_token(api_client, staff_user.email))
    assert denied["errors"][0]["message"].endswith("MANAGE_ORDERS, MANAGE_USERS")
    permission_group_manage_orders.user_set.add(staff_user)
    agent = saleor_token(api_client, staff_user.email)
    inbox = crm(client, "{ crmTickets(first: 5) { totalCount edges { node { reference } } } }", agent)["data"]
    assert inbox["crmTickets"] == {"totalCount": 1, "edges": [{"node": {"reference": ticket["reference"]}}]}
    with django_capture_on_commit_callbacks(execute=True):
        answered = post(client, REPLY, {"id": ticket["id"]}, agent)["crmTicketReply"]
    assert answered["errors"] == [] and answered["ticket"] == {"status": "SOLVED"}
    assert answered["message"]["authorKind"] == "STAFF"
    [email] = mail.outbox  # through Saleor's configured email backend
    assert email.to == [customer_user.email]
    assert email.subject == f"Re: Wrong colour [#{ticket['reference']}]"

    mine = post(client, MINE, {}, shopper)["crmMyTickets"]["edges"][0]["node"]
    assert mine["status"] == "SOLVED"
    assert [m["authorKind"] for m in mine["messages"]] == ["SHOPPER", "STAFF"]
    assert mine["messages"][0]["body"] == "I ordered <b>red</b>."  # text, for the storefront to escape

    rated = post(client, RATE, {"id": ticket["id"]}, shopper)["crmTicketRate"]
    assert rated == {"ticket": {"rating": {"score": 5, "comment": "Fast and friendly"}}, "errors": []}
    again = post(client, RATE, {"id": ticket["id"]}, shopper)["crmTicketRate"]["errors"]
    assert again[0]["code"] == "ALREADY_RATED"
    assert Ticket.objects.get().profile.user_id == customer_user.pk


def test_replies_go_through_the_channels_user_email_smtp_setup(crm_plugin, settings, channel_USD):
    """With Saleor's "User emails" plugin active for the channel, its SMTP server and sender are used."""
    from saleor.plugins.models import PluginConfiguration
    from saleor.plugins.user_email.constants import PLUGIN_ID

    from saleor_crm_plugin.saleor.mail import _store_connection

    settings.PLUGINS = [*settings.PLUGINS, "saleor.plugins.user_email.plugin.UserEmailPlugin"]
    connection, sender = _store_connection(channel_USD.slug)
    assert sender == settings.DEFAULT_FROM_EMAIL  # not configured yet: Saleor's default email setup
    PluginConfiguration.objects.create(
        identifier=PLUGIN_ID,
        name="User emails",
        channel=channel_USD,
        active=True,
        configuration=[
            {"name": "host", "value": "smtp.store.test"},
            {"name": "port", "value": "2525"},
            {"name": "sender_name", "value": "Store Help"},
            {"name": "sender_address", "value": "help@store.test"},
            {"name": "use_tls", "value": True},
        ],
    )
    connection, sender = _store_connection(channel_USD.slug)
    assert sender == "Store Help <help@store.test>"
    assert (connection.host, int(connection.port), connection.use_tls) == ("smtp.store.test", 2525, True)
    connection, _ = _store_connection(None)  # no order: the store's first active channel
    assert connection.host == "smtp.store.test"


def test_a_fresh_store_without_mail_keeps_replies_not_sent_and_says_why(crm_plugin, settings, channel_USD):
    """No "User emails" plugin and no EMAIL_URL: Saleor leaves EMAIL_BACKEND empty (dj_email_url.parse(""))."""
    from saleor_crm_plugin.ports import MailNotSetUp
    from saleor_crm_plugin.saleor.mail import SaleorMailer

    settings.EMAIL_BACKEND = ""
    with pytest.raises(MailNotSetUp, match='"User emails" plugin'):
        SaleorMailer().send(to="ada@example.com", subject="Re: hi", text="hello", channel=channel_USD.slug)
