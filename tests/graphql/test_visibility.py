"""A type enforces its own visibility wherever it is reached (issue 17).

The customer's data is planted with markers, then every path the schema offers to ``CrmCustomer`` is
walked as a helpdesk agent (MANAGE_ORDERS only), another shopper and an anonymous caller: none of
them sees more than the customer type allows, whatever the path. Existence oracles, the rating link's
payload and staff names shown to shoppers are checked here too.
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from graphql.type import GraphQLList, GraphQLNonNull, GraphQLObjectType

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.automation.models import SurveyResponse
from saleor_crm_plugin.graphql.schema import schema
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles import actions as profile_actions
from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot, TimelineEntry
from saleor_crm_plugin.sandbox.auth import user_token
from saleor_crm_plugin.tickets import actions as ticket_actions
from saleor_crm_plugin.tickets import emails
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Ticket, TicketStatus

from ..factories import order_event
from .conftest import make_user

SURVEY_SECRET = "survey-secret-the-courier-was-rude"
NOTE_SECRET = "note-secret-vip-refund-approved"
TAG_SECRET = "tag-secret-chargeback"
SPEND = "987.65"
CONTACT_CARD = {"id", "email", "firstName", "lastName", "name", "user"}

CUSTOMER = """{ id email name
  ordersCount spend { amount } notes { message } tags surveyResponses { comment } nps
  timeline(first: 50) { edges { node { kind summary data } } } marketing { consent }
}"""


@pytest.fixture
def support_token(db):
    """A helpdesk agent holding MANAGE_ORDERS only."""
    return user_token(make_user(902, "support@store.test", Permission.MANAGE_ORDERS, is_staff=True))


@pytest.fixture
def victim(ada, grace):
    """Ada, with everything a profile holds that a helpdesk agent or another shopper must not read."""
    ingest(order_event(order_id="Order:1", user=1, number="1001", total=SPEND))
    now = timezone.now()
    SurveyResponse.objects.create(profile=ada, score=2, comment=SURVEY_SECRET, answered_at=now)
    TimelineEntry.objects.create(profile=ada, kind="survey.answered", occurred_at=now, summary=SURVEY_SECRET)
    profile_actions.add_note(ada, NOTE_SECRET)
    profile_actions.update_tags(ada, add=[TAG_SECRET])
    ticket = ticket_actions.open_ticket(ada, "Broken mug", "It arrived in pieces.", actor=Actor.shopper())
    return ada, ticket


def crm_id(profile) -> str:
    return global_id("CrmCustomer", profile.pk)


def with_customer(template: str) -> str:
    """The query with every ``@C`` replaced by the selection of the whole customer."""
    return template.replace("@C", CUSTOMER)


def paths(ada: CustomerProfile, ticket: Ticket) -> dict[tuple[str, str], tuple[str, dict]]:
    """One query per (type, field) of the schema that leads to CrmCustomer, each selecting all of it."""
    user = {"r": [{"__typename": "User", "id": ada.saleor_user_id}]}
    order = {"r": [{"__typename": "Order", "id": global_id("Order", "Order:1")}]}
    customer, ticket_id = {"id": crm_id(ada)}, {"id": global_id("CrmTicket", ticket.pk)}
    note = {"id": global_id("CrmCustomerNote", ada.notes.get().pk)}
    entities = "query($r: [_Any!]!) { _entities(representations: $r) { %s } }"
    queries = {
        ("Query", "crmCustomer"): ("query($id: ID!) { crmCustomer(id: $id) @C }", customer),
        ("Query", "crmCustomerLookup"): ("query($id: ID!) { crmCustomerLookup(id: $id) @C }", customer),
        ("Query", "crmCustomers"): ("{ crmCustomers(first: 10) { edges { node @C } } }", {}),
        ("CrmCustomerCountableEdge", "node"): ("{ crmCustomers(first: 10) { edges { node { email } } } }", {}),
        ("Query", "crmMe"): ("{ crmMe @C }", {}),
        ("User", "crmProfile"): (entities % "... on User { crmProfile @C }", user),
        ("CrmOrder", "customer"): (entities % "... on Order { crmOrder { number customer @C } }", order),
        ("CrmTicket", "customer"): ("query($id: ID!) { crmTicket(id: $id) { customer @C } }", ticket_id),
        ("LoyaltyAccount", "customer"): ("query($id: ID) { loyaltyAccount(customerId: $id) { customer @C }}", customer),
        ("CrmMessage", "customer"): (
            entities % "... on User { crmMessages(first: 5) { edges { node { customer @C } } } }",
            user,
        ),
        ("CrmSegment", "members"): ('{ crmSegment(slug: "vip") { members(first: 10) { edges { node @C } } } }', {}),
        ("CrmSegmentPreview", "members"): ('{ crmSegmentPreview(query: "orders_count >= 0") { members @C } }', {}),
        ("CrmNpsAnswer", "customer"): ("{ crmNpsOverview { latest { comment customer @C } } }", {}),
        ("CrmSegmentChange", "customer"): (
            '{ crmSegmentChanges(segment: "vip") { occurredAt customer @C } }',
            {},
        ),
        ("CrmCustomerTagsUpdate", "customer"): (
            'mutation($id: ID!) { crmCustomerTagsUpdate(id: $id, addTags: ["x"]) { customer @C } }',
            customer,
        ),
        ("CrmCustomerNoteAdd", "customer"): (
            'mutation($id: ID!) { crmCustomerNoteAdd(id: $id, input: {message: "x"}) { customer @C } }',
            customer,
        ),
        ("CrmCustomerNoteDelete", "customer"): (
            "mutation($id: ID!) { crmCustomerNoteDelete(id: $id) { customer @C } }",
            note,
        ),
        ("CrmCustomerConsentUpdate", "customer"): (
            "mutation($id: ID) { crmCustomerConsentUpdate(id: $id, marketingConsent: true) { customer @C } }",
            customer,
        ),
        ("CrmCustomerMarketingUpdate", "customer"): (
            "mutation($id: ID!) { crmCustomerMarketingUpdate(id: $id, unsubscribed: true) { customer @C } }",
            customer,
        ),
    }
    return {path: (with_customer(query), variables) for path, (query, variables) in queries.items()}


# Paths a payload or a nested field reaches through another object, with a query each.
MORE_PATHS = {
    name: with_customer(query)
    for name, query in {
        "ticket create payload": 'mutation($c: ID) { crmTicketCreate(input: {customer: $c, subject: "s", message: "m"})'
        " { ticket { customer @C } } }",
        "inbox": "{ crmTickets(first: 10) { edges { node { customer @C order { customer @C } } } } }",
        "user tickets": "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { crmTickets { customer @C "
        "} } } }",
        "user loyalty": "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { loyalty { customer @C } "
        "} } }",
    }.items()
}


def customer_fields() -> set[tuple[str, str]]:
    """Every (type, field) of the served schema whose value is a CrmCustomer (or a page of them)."""

    def unwrap(graphql_type):
        while isinstance(graphql_type, GraphQLList | GraphQLNonNull):
            graphql_type = graphql_type.of_type
        return graphql_type.name

    wanted = {"CrmCustomer", "CrmCustomerCountableConnection"}
    return {
        (name, field_name)
        for name, graphql_type in schema.get_type_map().items()
        if isinstance(graphql_type, GraphQLObjectType) and not name.startswith("__")
        for field_name, field in graphql_type.fields.items()
        if unwrap(field.type) in wanted
    }


def leaked(body: dict, *secrets: str) -> list[str]:
    text = json.dumps(body)
    return [secret for secret in secrets if secret in text]


def test_every_path_to_the_customer_is_walked(victim):
    """A new field returning CrmCustomer fails here until it is added to the walk below."""
    assert set(paths(*victim)) == customer_fields()


@pytest.mark.parametrize("caller", ["helpdesk", "other shopper", "anonymous"])
def test_no_path_shows_more_of_a_customer_than_the_customer_type_allows(api, victim, support_token, grace, caller):
    ada, ticket = victim
    token = {"helpdesk": support_token, "other shopper": grace, "anonymous": None}[caller]
    secrets = [SURVEY_SECRET, NOTE_SECRET, TAG_SECRET, SPEND]
    if caller != "helpdesk":
        secrets.append("ada@example.com")  # not even the contact card
    queries = [*paths(ada, ticket).values()]
    user = {"__typename": "User", "id": ada.saleor_user_id}
    queries += [(query, {"c": crm_id(ada), "r": [user]}) for query in MORE_PATHS.values()]
    for query, variables in queries:
        body = api.raw(query, variables, token=token, status=200)
        assert leaked(body, *secrets) == [], query
        assert "Internal Server Error" not in json.dumps(body), (query, body)


def test_helpdesk_staff_get_the_contact_card_and_nothing_else(api, victim, support_token):
    """Every field of CrmCustomer is guarded: a field added later is refused unless listed on the card."""
    _, ticket = victim
    customer_type = schema.get_type("CrmCustomer")
    for name, field in customer_type.fields.items():
        selection = name
        if field.args.get("first"):
            selection += "(first: 1)"
        target = field.type
        while isinstance(target, GraphQLList | GraphQLNonNull):
            target = target.of_type
        if isinstance(target, GraphQLObjectType):
            selection += " { __typename }"
        query = "query($id: ID!) { crmTicket(id: $id) { reference customer { " + selection + " } } }"
        body = api.raw(query, {"id": global_id("CrmTicket", ticket.pk)}, token=support_token, status=200)
        if name in CONTACT_CARD:
            assert "errors" not in body, (name, body)
        else:
            codes = [error["extensions"]["exception"]["code"] for error in body.get("errors", [])]
            assert codes == ["PermissionDenied"], (name, body)
            assert body["errors"][0]["path"][:2] == ["crmTicket", "customer"]
    card = api.data(
        "query($id: ID!) { crmTicket(id: $id) { customer { email name firstName lastName } } }",
        {"id": global_id("CrmTicket", ticket.pk)},
        token=support_token,
    )["crmTicket"]["customer"]
    assert card == {"email": "ada@example.com", "name": "Ada Lovelace", "firstName": "Ada", "lastName": "Lovelace"}


def test_a_helpdesk_agent_opening_a_ticket_gets_the_contact_card_only(api, victim, support_token):
    ada, _ = victim
    query = MORE_PATHS["ticket create payload"].replace(CUSTOMER, "{ email ordersCount }")
    body = api.raw(query, {"c": crm_id(ada)}, token=support_token)
    assert body["data"]["crmTicketCreate"]["ticket"] is None  # ordersCount is non-null: the ticket goes null
    assert body["errors"][0]["path"] == ["crmTicketCreate", "ticket", "customer", "ordersCount"]
    card = MORE_PATHS["ticket create payload"].replace(CUSTOMER, "{ email name }")
    opened = api.data(card, {"c": crm_id(ada)}, token=support_token)["crmTicketCreate"]
    assert opened == {"ticket": {"customer": {"email": "ada@example.com", "name": "Ada Lovelace"}}}


def test_the_shopper_and_customer_managers_still_see_the_profile(api, victim, ada_token, staff_token):
    ada, ticket = victim
    own = api.data(
        "{ crmMe { email ordersCount spend { amount } timeline(first: 50) { totalCount } } }", token=ada_token
    )
    assert own["crmMe"]["ordersCount"] == 1 and own["crmMe"]["spend"] == [{"amount": float(SPEND)}]
    refused = api.raw("{ crmMe { surveyResponses { comment } } }", token=ada_token)
    assert refused["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"  # staff-only, as before
    query, variables = paths(ada, ticket)[("CrmTicket", "customer")]
    seen = json.dumps(api.data(query, variables, token=staff_token))
    assert all(secret in seen for secret in (SURVEY_SECRET, NOTE_SECRET, TAG_SECRET))


# -- existence oracles: another customer's id answers exactly like a missing one -------------------


def test_queries_answer_null_for_someone_elses_customer_as_for_a_missing_one(api, victim, grace):
    ada, _ = victim
    missing = global_id("CrmCustomer", 999_999)
    queries = {
        "query($id: ID!) { crmCustomer(id: $id) { email } }": "crmCustomer",
        "query($id: ID) { loyaltyAccount(customerId: $id) { available } }": "loyaltyAccount",
        "query($id: ID) { crmRecommendations(customerId: $id) { productId } }": "crmRecommendations",
        "query($id: ID!) { crmCustomerLookup(id: $id) { email } }": "crmCustomerLookup",
    }
    for query, field in queries.items():
        for token in (grace, None):
            answers = [api.raw(query, {"id": customer}, token=token) for customer in (crm_id(ada), missing)]
            assert answers[0] == answers[1] == {"data": {field: None}}, (field, answers)


def test_mutations_answer_not_found_for_someone_elses_customer_as_for_a_missing_one(api, victim, grace):
    ada, _ = victim
    missing = global_id("CrmCustomer", 999_999)
    mutations = [
        "mutation($id: ID) { crmCustomerExport(id: $id) { data errors { field code message } } }",
        "mutation($id: ID) { crmCustomerConsentUpdate(id: $id, marketingConsent: false) "
        "{ customer { email } errors { field code message } } }",
        'mutation($id: ID) { loyaltyBirthDateUpdate(customerId: $id, birthDate: "2000-01-01") '
        "{ account { available } errors { field code message } } }",
        "mutation($id: ID) { loyaltyRedeem(customerId: $id, points: 100) "
        "{ redemption { code } errors { field code message } } }",
    ]
    for mutation in mutations:
        for token in (grace, None):
            answers = [api.raw(mutation, {"id": customer}, token=token) for customer in (crm_id(ada), missing)]
            codes = [json.dumps(answer).replace(crm_id(ada), "ID").replace(missing, "ID") for answer in answers]
            assert codes[0] == codes[1], (mutation, answers)
            assert "NOT_FOUND" in codes[0]
    ada.refresh_from_db()
    assert ada.marketing_consent is True


ENTITY_FIELDS = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on User { crmProfile { email } loyalty { available } crmMessages(first: 1) { totalCount } crmSegments { slug }
                crmTickets { reference } }
  ... on Order { crmOrder { number } loyaltyPoints { points } crmTickets { reference } }
} }"""


def test_entities_answer_null_for_what_the_caller_may_not_see_as_for_what_the_crm_doesnt_know(api, victim, grace):
    """Like Saleor's own _entities: no PermissionDenied that would tell a CRM customer from a stranger."""
    ada, ticket = victim
    order = OrderSnapshot.objects.get(saleor_order_id=global_id("Order", "Order:1"))
    Ticket.objects.filter(pk=ticket.pk).update(order=order)
    known = [
        {"__typename": "User", "id": ada.saleor_user_id},
        {"__typename": "Order", "id": global_id("Order", "Order:1")},
    ]
    unknown = [
        {"__typename": "User", "id": global_id("User", 4242)},
        {"__typename": "Order", "id": global_id("Order", "x")},
    ]
    for token in (grace, None):
        answers = [api.raw(ENTITY_FIELDS, {"r": reps}, token=token) for reps in (known, unknown)]
        assert (
            answers[0]
            == answers[1]
            == {
                "data": {
                    "_entities": [
                        {
                            "crmProfile": None,
                            "loyalty": None,
                            "crmMessages": None,
                            "crmSegments": None,
                            "crmTickets": [],
                        },
                        {"crmOrder": None, "loyaltyPoints": None, "crmTickets": []},
                    ]
                }
            }
        )


def test_a_shopper_redeeming_onto_someone_elses_checkout_learns_nothing_and_stores_nothing(api, victim, ada_token):
    from saleor_crm_plugin.loyalty.models import Redemption

    from ..factories import checkout_event

    ingest(checkout_event(token="grace-checkout", user=2, email="grace@example.com"))
    query = """mutation($c: ID) { loyaltyRedeem(points: 100, checkoutId: $c) { errors { field code message } } }"""
    answers = [api.data(query, {"c": c}, token=ada_token)["loyaltyRedeem"] for c in ("grace-checkout", "nope")]
    assert (
        answers[0]
        == answers[1]
        == {"errors": [{"field": "checkoutId", "code": "NOT_FOUND", "message": "Checkout not found."}]}
    )
    assert not Redemption.objects.filter(checkout_id="grace-checkout").exists()


# -- the rating link and staff names -------------------------------------------------------------------

RATE = """mutation($token: String, $id: ID) { crmTicketRate(token: $token, id: $id, score: 4, comment: "ok") {
  reference rating { score comment } ticket { subject messages { body } customer { email timeline(first: 5) {
  totalCount } } } errors { field code message } } }"""


def test_a_rating_link_shows_only_what_the_rating_page_needs(api, victim, support_token):
    _, ticket = victim
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.SOLVED)
    token = emails.rating_token(ticket)
    rated = api.data(RATE, {"token": token})["crmTicketRate"]  # anonymous: the link is all they hold
    assert rated == {
        "reference": ticket.reference,
        "rating": {"score": 4, "comment": "ok"},
        "ticket": None,
        "errors": [],
    }


def test_the_ticket_owner_rating_while_signed_in_still_gets_the_ticket(api, victim, ada_token):
    _, ticket = victim
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.SOLVED)
    query = RATE.replace(" timeline(first: 5) {\n  totalCount }", "")
    rated = api.data(query, {"id": global_id("CrmTicket", ticket.pk)}, token=ada_token)["crmTicketRate"]
    assert rated["ticket"]["subject"] == "Broken mug" and rated["rating"]["score"] == 4


def test_shoppers_see_a_display_name_for_staff_never_their_email(api, victim, ada_token, support_token):
    _, ticket = victim
    named = make_user(903, "jo.smith@store.test", Permission.MANAGE_ORDERS, first_name="Jo", last_name="Smith")
    unnamed = make_user(904, "agent7@store.test", Permission.MANAGE_ORDERS)
    ticket_actions.reply(ticket, "On it.", actor=Actor.staff(named))
    ticket_actions.reply(ticket, "Refund sent.", actor=Actor.staff(unnamed))
    query = "query($id: ID!) { crmTicket(id: $id) { messages { authorKind authorName } lastMessage { authorName } } }"
    variables = {"id": global_id("CrmTicket", ticket.pk)}
    shopper = api.data(query, variables, token=ada_token)["crmTicket"]
    assert [m["authorName"] for m in shopper["messages"]] == [None, "Jo S.", "Support team"]  # opened by Ada
    assert shopper["lastMessage"]["authorName"] == "Support team"
    assert "@" not in json.dumps(shopper)
    staff = api.data(query, variables, token=support_token)["crmTicket"]
    assert [m["authorName"] for m in staff["messages"]] == [None, "Jo Smith", "agent7@store.test"]
