"""The helpdesk over the CRM API: staff inbox and workflow, shoppers on their own tickets, denials."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot, TimelineEntry
from saleor_crm_plugin.sandbox.auth import app_token, user_token
from saleor_crm_plugin.tickets import actions, emails
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Ticket

from ..factories import at, customer_event, order_event
from .conftest import make_user

ADA_ORDER = global_id("Order", "Order:1")
GRACE_ORDER = global_id("Order", "Order:2")
ERRORS = "errors { field code message }"
CREATE = f"""mutation($input: CrmTicketCreateInput!) {{
  crmTicketCreate(input: $input) {{ ticket {{ id reference status channel order {{ number }} }} {ERRORS} }}
}}"""
REPLY = f"""mutation($id: ID!, $input: CrmTicketReplyInput!) {{
  crmTicketReply(id: $id, input: $input) {{ ticket {{ status }} message {{ body authorKind }} {ERRORS} }}
}}"""
NOTE = f"""mutation($id: ID!) {{
  crmTicketNoteAdd(id: $id, input: {{message: "refund approved by Jo"}}) {{ message {{ kind }} {ERRORS} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: CrmTicketUpdateInput!) {{
  crmTicketUpdate(id: $id, input: $input) {{
    ticket {{ status priority tags assigneeName assignee {{ id }} sla {{ firstResponseDueAt paused }} }} {ERRORS}
  }}
}}"""
RATE = f"""mutation($id: ID, $token: String, $score: Int!, $comment: String) {{
  crmTicketRate(id: $id, token: $token, score: $score, comment: $comment) {{
    ticket {{ rating {{ score comment }} }} {ERRORS}
  }}
}}"""
TICKET = """query($id: ID!) { crmTicket(id: $id) {
  reference subject status messages { kind authorKind body } lastMessage { body } customer { email }
} }"""
MY_TICKETS = "{ crmMyTickets(first: 10) { totalCount edges { node { reference subject } } } }"
INBOX = """query($filter: CrmTicketFilterInput, $sortBy: CrmTicketSortingInput, $after: String) {
  crmTickets(first: 50, filter: $filter, sortBy: $sortBy, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id reference subject status priority channel lastMessageAt
      customer { email name } order { number total { amount currency } }
      lastMessage { body authorKind authorName createdAt }
    } }
  }
}"""


@pytest.fixture
def support_token(db):
    """A support agent holding MANAGE_ORDERS only."""
    return user_token(make_user(902, "support@store.test", Permission.MANAGE_ORDERS, is_staff=True))


@pytest.fixture
def orders(ada, grace):
    ingest(order_event(order_id="Order:1", user=1, number="1001"))
    ingest(order_event(order_id="Order:2", user=2, email="grace@example.com", number="1002"))


def create(api, token, **input):
    input.setdefault("subject", "Broken mug")
    input.setdefault("message", "It arrived in pieces.")
    return api.data(CREATE, {"input": input}, token=token)["crmTicketCreate"]


def test_a_shopper_opens_a_ticket_on_their_order_and_staff_answer(
    api, orders, ada_token, support_token, django_capture_on_commit_callbacks
):
    opened = create(api, ada_token, order=ADA_ORDER, channel="EMAIL", priority="URGENT")
    assert opened["errors"] == []
    ticket = opened["ticket"]
    assert (ticket["status"], ticket["channel"], ticket["order"]) == ("NEW", "WEB", {"number": "1001"})
    assert Ticket.objects.get().priority == 2  # a shopper can't set priority

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.data(
            REPLY,
            {"id": ticket["id"], "input": {"message": "A new one ships today.", "status": "PENDING"}},
            token=support_token,
        )["crmTicketReply"]
    assert answer == {
        "ticket": {"status": "PENDING"},
        "message": {"body": "A new one ships today.", "authorKind": "STAFF"},
        "errors": [],
    }
    assert mail.outbox[0].to == ["ada@example.com"]

    answer = api.data(REPLY, {"id": ticket["id"], "input": {"message": "Thanks!"}}, token=ada_token)["crmTicketReply"]
    assert answer["ticket"]["status"] == "OPEN"  # the customer answered: back to the agent
    kinds = set(TimelineEntry.objects.filter(profile__email="ada@example.com").values_list("kind", flat=True))
    assert {"ticket.opened", "ticket.replied", "ticket.customer_replied", "ticket.status_changed"} <= kinds


def test_someone_elses_order_reads_exactly_like_a_missing_one(api, orders, ada_token):
    missing = create(api, ada_token, order=global_id("Order", "Order:404"))["errors"]
    foreign = create(api, ada_token, order=GRACE_ORDER)["errors"]
    assert [e["code"] for e in foreign] == ["NOT_FOUND"]
    assert foreign[0]["message"].replace(GRACE_ORDER, "X") == missing[0]["message"].replace(
        global_id("Order", "Order:404"), "X"
    )
    assert not Ticket.objects.exists()


def test_a_shopper_can_neither_read_nor_answer_someone_elses_ticket(api, orders, grace, ada_token):
    graces = create(api, grace, order=GRACE_ORDER)["ticket"]["id"]
    assert api.data(TICKET, {"id": graces}, token=ada_token) == {"crmTicket": None}
    missing = global_id("CrmTicket", 987654)
    for ticket_id in (graces, missing):
        errors = api.data(REPLY, {"id": ticket_id, "input": {"message": "hi"}}, token=ada_token)["crmTicketReply"][
            "errors"
        ]
        assert errors == [{"field": "id", "code": "NOT_FOUND", "message": f"Couldn't resolve to a ticket: {ticket_id}"}]
        errors = api.data(RATE, {"id": ticket_id, "score": 1}, token=ada_token)["crmTicketRate"]["errors"]
        assert errors[0]["code"] == "NOT_FOUND"
    assert api.data(MY_TICKETS, token=ada_token)["crmMyTickets"] == {"totalCount": 0, "edges": []}
    assert api.data(MY_TICKETS, token=grace)["crmMyTickets"]["totalCount"] == 1


def test_internal_notes_and_history_stay_with_staff(api, orders, ada_token, support_token):
    ticket = create(api, ada_token, order=ADA_ORDER)["ticket"]["id"]
    assert api.data(NOTE, {"id": ticket}, token=support_token)["crmTicketNoteAdd"] == {
        "message": {"kind": "INTERNAL_NOTE"},
        "errors": [],
    }
    staff_view = api.data(TICKET, {"id": ticket}, token=support_token)["crmTicket"]["messages"]
    shopper_view = api.data(TICKET, {"id": ticket}, token=ada_token)["crmTicket"]["messages"]
    assert [m["kind"] for m in staff_view] == ["PUBLIC_REPLY", "INTERNAL_NOTE"]
    assert [m["kind"] for m in shopper_view] == ["PUBLIC_REPLY"]
    assert api.error(NOTE, {"id": ticket}, token=ada_token)["message"].startswith("To access this path")
    assert api.error("query($id: ID!) { crmTicket(id: $id) { events { kind } } }", {"id": ticket}, token=ada_token)
    timeline = "{ crmMe { timeline(first: 20) { edges { node { kind summary } } } } }"
    shopper_kinds = [e["node"]["kind"] for e in api.data(timeline, token=ada_token)["crmMe"]["timeline"]["edges"]]
    assert "ticket.opened" in shopper_kinds and "ticket.note_added" not in shopper_kinds


def test_staff_without_a_ticket_permission_and_anonymous_callers_are_refused(api, orders, ada_token, plain_staff_token):
    ticket = create(api, ada_token, order=ADA_ORDER)["ticket"]["id"]
    denied = "To access this path, you need one of the following permissions: MANAGE_ORDERS, MANAGE_USERS"
    assert api.error(INBOX, token=plain_staff_token)["message"] == denied
    sign_in = "You need to sign in to perform this action."  # not the staff wording: a shopper can sign in
    assert api.error(INBOX)["message"] == sign_in
    update = api.raw(UPDATE, {"id": ticket, "input": {"priority": "HIGH"}}, token=plain_staff_token)
    assert update["errors"][0]["message"] == denied
    assert api.raw(CREATE, {"input": {"subject": "x", "message": "y"}})["errors"][0]["message"] == sign_in
    assert api.data(TICKET, {"id": ticket}, token=plain_staff_token) == {"crmTicket": None}


def test_staff_assign_prioritise_tag_and_merge(api, orders, ada_token, staff_token, support_token):
    first = create(api, ada_token, order=ADA_ORDER)["ticket"]["id"]
    second = create(api, ada_token, subject="Broken mug again")["ticket"]["id"]
    agent = global_id("User", 902)
    changed = api.data(
        UPDATE,
        {"id": first, "input": {"priority": "HIGH", "assignee": agent, "addTags": ["Damage", "mug"]}},
        token=staff_token,
    )["crmTicketUpdate"]
    assert changed["errors"] == []
    assert changed["ticket"]["priority"] == "HIGH" and changed["ticket"]["tags"] == ["damage", "mug"]
    assert changed["ticket"]["assigneeName"] == "support@store.test" and changed["ticket"]["assignee"] == {"id": agent}
    shopper = global_id("User", 1)
    refused = api.data(UPDATE, {"id": first, "input": {"assignee": shopper}}, token=staff_token)["crmTicketUpdate"]
    assert refused["errors"][0]["code"] == "INVALID"
    unassigned = api.data(UPDATE, {"id": first, "input": {"assignee": None}}, token=staff_token)["crmTicketUpdate"]
    assert unassigned["ticket"]["assignee"] is None
    merge = f"""mutation {{ crmTicketMerge(source: "{second}", target: "{first}") {{
      ticket {{ messages {{ body }} }} {ERRORS}
    }} }}"""
    merged = api.data(merge, token=support_token)["crmTicketMerge"]
    assert [m["body"] for m in merged["ticket"]["messages"]] == ["It arrived in pieces.", "It arrived in pieces."]
    assert api.data(merge, token=support_token)["crmTicketMerge"]["errors"][0]["code"] == "TICKET_CLOSED"


def test_the_inbox_costs_a_constant_number_of_queries(
    api, orders, ada_token, support_token, django_assert_max_num_queries
):
    ada = CustomerProfile.objects.get(email="ada@example.com")
    order = OrderSnapshot.objects.get(number="1001")
    agent = get_user_model().objects.get(pk=902)
    for n in range(60):
        ticket = actions.open_ticket(
            ada, f"Question {n}", f"Body {n}", actor=Actor.shopper(), order=order if n % 2 else None
        )
        actions.reply(ticket, f"Answer {n}", actor=Actor.staff(agent if n % 3 else None))
    api.data(INBOX, token=support_token)  # warm up
    with django_assert_max_num_queries(8) as captured:
        page = api.data(INBOX, token=support_token)["crmTickets"]
    assert len(page["edges"]) == 50 and page["totalCount"] == 60
    assert page["edges"][0]["node"]["lastMessage"]["body"] == "Answer 59"
    assert page["edges"][0]["node"]["order"]["number"] == "1001"
    assert page["edges"][1]["node"]["lastMessage"]["authorName"] == "support@store.test"
    # 2 to authenticate (user, permission), 1 page, 1 count, customers, orders, last messages, authors
    assert len(captured) == 8, [q["sql"][:90] for q in captured]
    after = page["pageInfo"]["endCursor"]
    rest = api.data(INBOX, {"after": after}, token=support_token)["crmTickets"]
    assert len(rest["edges"]) == 10 and not rest["pageInfo"]["hasNextPage"]


def test_inbox_filters_and_sorting(api, orders, ada_token, grace, support_token):
    create(api, ada_token, order=ADA_ORDER, subject="Late parcel")
    graces = create(api, grace, subject="Wrong size")["ticket"]
    api.data(UPDATE, {"id": graces["id"], "input": {"priority": "URGENT"}}, token=support_token)

    def refs(**variables):
        page = api.data(INBOX, variables, token=support_token)["crmTickets"]
        return [e["node"]["subject"] for e in page["edges"]]

    assert refs(filter={"order": ADA_ORDER}) == ["Late parcel"]
    assert refs(
        filter={"customer": global_id("CrmCustomer", CustomerProfile.objects.get(email="grace@example.com").pk)}
    ) == ["Wrong size"]
    assert refs(filter={"priority": ["URGENT"]}) == ["Wrong size"]
    assert refs(filter={"search": graces["reference"]}) == ["Wrong size"]
    assert refs(filter={"search": "ada@"}) == ["Late parcel"]
    assert refs(filter={"status": ["NEW"], "channel": ["WEB"]}) == ["Wrong size", "Late parcel"]
    assert refs(filter={"breached": True}) == []
    assert refs(sortBy={"field": "PRIORITY", "direction": "DESC"}) == ["Wrong size", "Late parcel"]
    assert refs(sortBy={"field": "FIRST_RESPONSE_DUE_AT", "direction": "ASC"})[0] == "Wrong size"


def test_rating_by_api_once_and_by_signed_link(api, orders, ada_token, support_token):
    ticket = create(api, ada_token, order=ADA_ORDER)["ticket"]["id"]
    early = api.data(RATE, {"id": ticket, "score": 5}, token=ada_token)["crmTicketRate"]["errors"]
    assert early[0]["code"] == "NOT_SOLVED"
    api.data(UPDATE, {"id": ticket, "input": {"status": "SOLVED"}}, token=support_token)
    rated = api.data(RATE, {"id": ticket, "score": 5, "comment": "<3"}, token=ada_token)["crmTicketRate"]
    assert rated == {"ticket": {"rating": {"score": 5, "comment": "<3"}}, "errors": []}
    again = api.data(RATE, {"id": ticket, "score": 1}, token=ada_token)["crmTicketRate"]["errors"]
    assert again[0]["code"] == "ALREADY_RATED"
    second = create(api, ada_token)["ticket"]["id"]
    api.data(UPDATE, {"id": second, "input": {"status": "SOLVED"}}, token=support_token)
    token = emails.rating_token(Ticket.objects.get(subject="Broken mug", rating__isnull=True))
    assert api.data(RATE, {"token": token + "x", "score": 3})["crmTicketRate"]["errors"][0]["code"] == "INVALID"
    by_link = api.data(RATE, {"token": token, "score": 3})["crmTicketRate"]  # no login needed
    assert by_link == {"ticket": None, "errors": []}  # the link holder rated, and sees no thread (test_visibility)
    assert Ticket.objects.filter(subject="Broken mug", rating=3).exists()


def test_inbound_email_by_an_app_threads_into_the_ticket(api, orders, ada_token):
    ticket = create(api, ada_token, order=ADA_ORDER)["ticket"]
    inbound = f"""mutation($input: CrmTicketInboundEmailInput!) {{
      crmTicketInboundEmail(input: $input) {{ ticket {{ reference }} message {{ body authorKind }} {ERRORS} }}
    }}"""
    email = {
        "sender": "ada@example.com",
        "subject": f"Re: Broken mug [#{ticket['reference']}]",
        "body": "Photo attached",
        "messageId": "<x1@mx>",
    }
    mailer_app = app_token("inbound-mail", [Permission.MANAGE_ORDERS])
    for _ in range(2):  # the provider retries: one message
        posted = api.data(inbound, {"input": email}, token=mailer_app)["crmTicketInboundEmail"]
        assert posted == {
            "ticket": {"reference": ticket["reference"]},
            "message": {"body": "Photo attached", "authorKind": "SHOPPER"},
            "errors": [],
        }
    assert Ticket.objects.get().messages.count() == 2
    assert api.raw(inbound, {"input": email}, token=ada_token)["errors"][0]["message"].startswith("To access")


def test_bodies_are_stored_and_served_as_text(api, orders, ada_token, support_token):
    script = "<script>alert('x')</script> & {{ customer_email }}"
    ticket = create(api, ada_token, subject=script, message=script)["ticket"]["id"]
    seen = api.data(TICKET, {"id": ticket}, token=support_token)["crmTicket"]
    assert seen["subject"] == script and seen["messages"][0]["body"] == script
    bad = create(api, ada_token, message="   ")["errors"]
    assert bad == [{"field": "message", "code": "REQUIRED", "message": "This field can't be empty."}]
    bad = create(api, ada_token, attachments=["javascript:alert(1)"])["errors"]
    assert bad[0]["code"] == "INVALID"


def test_macros_crud_and_reply_with_a_macro(api, orders, ada_token, support_token):
    created = api.data(
        """mutation { crmMacroCreate(input: {
          name: "Shipped", body: "Hi {{ customer_first_name }}, {{ order_number }} shipped."}) {
          macro { id name } errors { field code message } } }""",
        token=support_token,
    )["crmMacroCreate"]
    assert created["errors"] == []
    unknown = api.data(
        'mutation { crmMacroCreate(input: {name: "X", body: "{{ nope }}"}) { errors { field code } } }',
        token=support_token,
    )["crmMacroCreate"]["errors"]
    assert unknown == [{"field": "body", "code": "INVALID"}]
    ticket = create(api, ada_token, order=ADA_ORDER)["ticket"]["id"]
    sent = api.data(REPLY, {"id": ticket, "input": {"macro": created["macro"]["id"]}}, token=support_token)[
        "crmTicketReply"
    ]
    assert sent["message"]["body"] == "Hi Ada, 1001 shipped."
    listed = api.data(
        "{ crmMacros(first: 10) { edges { node { name } } } crmMacroPlaceholders { name } }", token=support_token
    )
    assert listed["crmMacros"]["edges"] == [{"node": {"name": "Shipped"}}]
    assert "customer_name" in [p["name"] for p in listed["crmMacroPlaceholders"]]
    deleted = api.data(
        f'mutation {{ crmMacroDelete(id: "{created["macro"]["id"]}") {{ {ERRORS} }} }}', token=support_token
    )
    assert deleted["crmMacroDelete"]["errors"] == []
    assert api.error("{ crmMacros(first: 1) { totalCount } }", token=ada_token)["message"].startswith("To access")


def test_federation_user_and_order_show_their_tickets(api, orders, ada_token, grace, support_token):
    create(api, ada_token, order=ADA_ORDER)
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on User { crmTickets { subject } } ... on Order { crmTickets { subject } } } }"""
    reps = [{"__typename": "User", "id": global_id("User", 1)}, {"__typename": "Order", "id": ADA_ORDER}]
    expected = [{"crmTickets": [{"subject": "Broken mug"}]}] * 2
    assert api.data(query, {"r": reps}, token=support_token)["_entities"] == expected
    assert api.data(query, {"r": reps}, token=ada_token)["_entities"] == expected
    assert api.data(query, {"r": reps}, token=grace)["_entities"] == [{"crmTickets": []}] * 2


def test_staff_see_why_a_reply_was_not_emailed_and_shoppers_dont(
    api, orders, ada_token, support_token, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = ""  # a fresh store: no "User emails" plugin, no EMAIL_URL
    ticket = create(api, ada_token, order=ADA_ORDER)["ticket"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.data(REPLY, {"id": ticket, "input": {"message": "Refunded."}}, token=support_token)
    assert answer["crmTicketReply"]["errors"] == []

    delivery = "query($id: ID!) { crmTicket(id: $id) { messages { body delivery { status reason emailedAt } } } }"
    messages = api.data(delivery, {"id": ticket}, token=support_token)["crmTicket"]["messages"]
    assert messages[0] == {"body": "It arrived in pieces.", "delivery": None}  # the shopper's own: not emailed
    assert messages[1]["delivery"]["status"] == "NOT_SENT" and messages[1]["delivery"]["emailedAt"] is None
    assert "no email set up" in messages[1]["delivery"]["reason"]
    shopper_view = api.data(delivery, {"id": ticket}, token=ada_token)["crmTicket"]["messages"]
    assert [m["delivery"] for m in shopper_view] == [None, None]


def test_the_rating_link_of_a_deleted_customer_is_dead(api, orders, ada_token, support_token):
    ticket = create(api, ada_token, order=ADA_ORDER)["ticket"]["id"]
    api.data(UPDATE, {"id": ticket, "input": {"status": "SOLVED"}}, token=support_token)
    token = emails.rating_token(Ticket.objects.get())
    ingest(customer_event(EventKind.CUSTOMER_DELETED, updated_at=at(days=10)))

    errors = api.data(RATE, {"token": token, "score": 1, "comment": "call me on 555-0199"})["crmTicketRate"]["errors"]
    assert [e["code"] for e in errors] == ["INVALID"]
    assert Ticket.objects.get().rated_at is None and Ticket.objects.get().rating_comment == ""
