"""What the Dashboard App's segment and helpdesk pages read, tried by the staff they are for and denied to others.

Segments: the language's vocabulary, recent entries/exits, the mirror state and the CSV download.
Helpdesk: counts per inbox view, assignees, a macro rendered for a ticket, search in message text.
"""

from __future__ import annotations

import csv
import io

import pytest

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.auth import user_token
from saleor_crm_plugin.segments.actions import create_segment
from saleor_crm_plugin.segments.membership import evaluate_segment
from saleor_crm_plugin.tickets import actions
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Ticket, TicketStatus

from ..segments.conftest import buy, store  # noqa: F401 - fixture
from .conftest import make_user

FIELDS = "{ crmSegmentFields { name kind type description choices params { name type required } } }"
CHANGES = """query($segment: ID!, $change: CrmSegmentChangeKind) {
  crmSegmentChanges(segment: $segment, change: $change, first: 10) { change occurredAt customer { email } }
}"""
MIRROR = "{ crmSegmentMirror { enabled metadataKey } }"
COUNTS = "{ crmTicketViewCounts { active open mine unassigned breached atRisk pending onHold solved closed } }"
STAFF = "{ crmStaffMembers { id name email isViewer } }"
PREVIEW = """query($ticket: ID!, $macro: ID, $body: String) {
  crmMacroPreview(ticket: $ticket, macro: $macro, body: $body) { text unknownPlaceholders }
}"""
SEARCH = """query($search: String) {
  crmTickets(first: 20, filter: {search: $search}) { edges { node { reference subject } } }
}"""
EXPORT_URL = "/plugins/global/saleor.crm/segments/{}/members.csv"


@pytest.fixture
def orders_token(db):
    """Helpdesk staff: MANAGE_ORDERS only."""
    return user_token(make_user(902, "agent@store.test", Permission.MANAGE_ORDERS, is_staff=True, first_name="Jo"))


@pytest.fixture
def repeat(store):  # noqa: F811
    """Shoppers 1 and 3 from the start (stored silently), then shopper 2 enters with a second order."""
    segment = create_segment("Twice or more", "orders_count >= 2")
    evaluate_segment(segment)
    buy(2, "2-1", days=11)
    evaluate_segment(segment)
    return segment


@pytest.fixture
def tickets(store):  # noqa: F811
    staff = make_user(903, "lead@store.test", Permission.MANAGE_ORDERS, is_staff=True, first_name="Lee")
    first = actions.open_ticket(store[1], "Parcel lost", "My parcel never came", actor=Actor.shopper())
    second = actions.open_ticket(store[2], "Wrong size", "The shoes are too small", actor=Actor.shopper())
    third = actions.open_ticket(store[3], "Invoice", "Please send the invoice", actor=Actor.shopper())
    actions.update_ticket(second, actor=Actor.staff(staff), assignee=staff)
    actions.update_ticket(third, actor=Actor.staff(staff), status=TicketStatus.SOLVED)
    Ticket.objects.filter(pk=first.pk).update(first_response_breached=True)
    return first, second, third, staff


# Segments


def test_fields_list_every_registered_field_and_function(api, staff_token):
    terms = {term["name"]: term for term in api.data(FIELDS, token=staff_token)["crmSegmentFields"]}
    assert terms["orders_count"] == {
        "name": "orders_count",
        "kind": "FIELD",
        "type": "number",
        "description": "Orders placed and not cancelled.",
        "choices": [],
        "params": [],
    }
    spent = terms["spent"]
    assert spent["kind"] == "FUNCTION" and spent["type"] == "amount"
    assert spent["params"] == [{"name": "currency", "type": "text", "required": True}]
    assert "loyalty_tier" in terms or any(name.startswith("loyalty") for name in terms)  # another domain's


def test_changes_newest_first_and_by_kind(api, staff_token, repeat):
    entered = api.data(CHANGES, {"segment": repeat.slug, "change": "ENTERED"}, token=staff_token)
    emails = sorted(change["customer"]["email"] for change in entered["crmSegmentChanges"])
    assert emails == ["shopper2@example.com"]
    left = api.data(CHANGES, {"segment": global_id("CrmSegment", repeat.pk), "change": "LEFT"}, token=staff_token)
    assert left["crmSegmentChanges"] == []


def test_changes_of_an_unknown_segment_are_an_error(api, staff_token, db):
    assert "Couldn't find the segment" in api.error(CHANGES, {"segment": "nope"}, token=staff_token)["message"]


def test_changes_cost_a_constant_number_of_queries(api, staff_token, repeat, django_assert_max_num_queries):
    api.data(CHANGES, {"segment": repeat.slug}, token=staff_token)  # warm up
    # 2 to authenticate, the segment, its changes, their customers in one batch.
    with django_assert_max_num_queries(5):
        api.data(CHANGES, {"segment": repeat.slug}, token=staff_token)


def test_mirror_state_follows_the_setting(api, staff_token, settings):
    assert api.data(MIRROR, token=staff_token)["crmSegmentMirror"] == {"enabled": False, "metadataKey": "crm_segments"}


@pytest.mark.parametrize("query", [FIELDS, MIRROR])
def test_segment_page_fields_need_manage_users(api, orders_token, plain_staff_token, query, db):
    for token in (orders_token, plain_staff_token, None):
        assert api.error(query, token=token)["extensions"]["exception"]["code"] == "PermissionDenied"


def test_export_streams_the_members_as_csv(client, staff_token, repeat):
    response = client.get(EXPORT_URL.format(repeat.slug), HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="segment-twice-or-more.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "email" and sorted(row[0] for row in rows[1:]) == [
        "shopper1@example.com",
        "shopper2@example.com",
        "shopper3@example.com",
    ]
    by_id = client.get(
        EXPORT_URL.format(global_id("CrmSegment", repeat.pk)), HTTP_AUTHORIZATION=f"Bearer {staff_token}"
    )
    assert by_id.status_code == 200


def test_export_is_refused_without_the_permission_or_token(client, orders_token, repeat):
    url = EXPORT_URL.format(repeat.slug)
    assert client.get(url).status_code == 403  # anonymous: no permission
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {orders_token}").status_code == 403
    assert client.get(url, HTTP_AUTHORIZATION="Bearer forged.token.value").status_code == 401
    assert client.post(url).status_code == 405


def test_export_of_an_unknown_or_unevaluated_segment(client, staff_token, store):  # noqa: F811
    assert client.get(EXPORT_URL.format("nope"), HTTP_AUTHORIZATION=f"Bearer {staff_token}").status_code == 404
    fresh = create_segment("Fresh", "orders_count >= 1")
    assert client.get(EXPORT_URL.format(fresh.slug), HTTP_AUTHORIZATION=f"Bearer {staff_token}").status_code == 409


# Helpdesk


def test_view_counts_in_one_aggregate(api, tickets, orders_token, django_assert_max_num_queries):
    *_, staff = tickets
    counts = api.data(COUNTS, token=user_token(staff))["crmTicketViewCounts"]
    assert counts == {
        "active": 2,
        "open": 2,  # new or open
        "mine": 1,
        "unassigned": 1,
        "breached": 1,
        "atRisk": 0,
        "pending": 0,
        "onHold": 0,
        "solved": 1,
        "closed": 0,
    }
    assert api.data(COUNTS, token=orders_token)["crmTicketViewCounts"]["mine"] == 0
    with django_assert_max_num_queries(3):  # 2 to authenticate, 1 aggregate
        api.data(COUNTS, token=orders_token)


def test_staff_members_are_the_assignee_choices(api, tickets, orders_token):
    members = api.data(STAFF, token=orders_token)["crmStaffMembers"]
    assert {"id": global_id("User", 903), "name": "Lee", "email": "lead@store.test", "isViewer": False} in members
    assert {"id": global_id("User", 902), "name": "Jo", "email": "agent@store.test", "isViewer": True} in members
    assert all(member["email"] != "shopper1@example.com" for member in members)


def test_macro_preview_fills_in_the_ticket(api, tickets, orders_token):
    first, *_ = tickets
    macro = actions.save_macro("Sorry", "Hi {{ customer_first_name }}, about {{ ticket_reference }}.")
    ticket_id = global_id("CrmTicket", first.pk)
    by_macro = api.data(PREVIEW, {"ticket": ticket_id, "macro": global_id("CrmMacro", macro.pk)}, token=orders_token)
    profile = CustomerProfile.objects.get(pk=first.profile_id)
    expected = f"Hi {profile.first_name or profile.email}, about {first.reference}."
    assert by_macro["crmMacroPreview"] == {"text": expected, "unknownPlaceholders": []}
    by_body = api.data(PREVIEW, {"ticket": ticket_id, "body": "{{ ticket_subject }}{{ nope }}"}, token=orders_token)
    assert by_body["crmMacroPreview"] == {"text": "Parcel lost", "unknownPlaceholders": ["nope"]}
    assert api.data(PREVIEW, {"ticket": global_id("CrmTicket", 999999), "body": "x"}, token=orders_token) == {
        "crmMacroPreview": None
    }
    assert "exactly one" in api.error(PREVIEW, {"ticket": ticket_id}, token=orders_token)["message"]


@pytest.mark.parametrize("query", [COUNTS, STAFF])
def test_helpdesk_fields_need_a_helpdesk_permission(api, plain_staff_token, query, db):
    for token in (plain_staff_token, None):
        assert api.error(query, token=token)["extensions"]["exception"]["code"] == "PermissionDenied"


def test_macro_preview_is_denied_to_shoppers(api, tickets):
    first, *_ = tickets
    shopper = user_token(make_user(1, "shopper1@example.com"))
    error = api.error(
        PREVIEW, {"ticket": global_id("CrmTicket", first.pk), "body": "{{ customer_email }}"}, token=shopper
    )
    assert error["extensions"]["exception"]["code"] == "PermissionDenied"


def test_inbox_search_finds_text_in_messages(api, tickets, orders_token):
    found = api.data(SEARCH, {"search": "too small"}, token=orders_token)["crmTickets"]["edges"]
    assert [edge["node"]["subject"] for edge in found] == ["Wrong size"]
    assert api.data(SEARCH, {"search": "parcel"}, token=orders_token)["crmTickets"]["edges"][0]["node"]["subject"] == (
        "Parcel lost"
    )


def test_inbox_mine_is_what_is_assigned_to_the_caller(api, tickets, orders_token):
    *_, staff = tickets
    mine = """{ crmTickets(first: 20, filter: {assignedToMe: true}) { edges { node { subject } } } }"""
    assert [e["node"]["subject"] for e in api.data(mine, token=user_token(staff))["crmTickets"]["edges"]] == [
        "Wrong size"
    ]
    assert api.data(mine, token=orders_token)["crmTickets"]["edges"] == []
