"""Profile mutations: what they change, their ``errors`` and who may call them."""

from __future__ import annotations

import json
from unittest.mock import ANY

import pytest

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerNote

TAGS = """mutation($id: ID!, $add: [String!], $remove: [String!]) {
  crmCustomerTagsUpdate(id: $id, addTags: $add, removeTags: $remove) {
    customer { tags } errors { field code message }
} }"""
NOTE_ADD = """mutation($id: ID!, $message: String!) {
  crmCustomerNoteAdd(id: $id, input: {message: $message}) {
    note { id message author { id } } customer { notes { message } timeline(first: 5) { edges { node { kind } } } }
    errors { field code message }
} }"""
NOTE_DELETE = """mutation($id: ID!) {
  crmCustomerNoteDelete(id: $id) { customer { notes { message } } errors { field code message } }
}"""
CONSENT = """mutation($id: ID, $consent: Boolean!) {
  crmCustomerConsentUpdate(id: $id, marketingConsent: $consent) {
    customer { marketingConsent } errors { field code message }
} }"""
EXPORT = """mutation($id: ID) { crmCustomerExport(id: $id) { data errors { field code message } } }"""
DENIED = "To access this path, you need one of the following permissions: MANAGE_USERS"


def customer_id(profile) -> str:
    return global_id("CrmCustomer", profile.pk)


def test_tags_update_adds_and_removes(api, ada, staff_token):
    result = api.data(TAGS, {"id": customer_id(ada), "add": ["VIP", " b2b "]}, token=staff_token)
    assert result["crmCustomerTagsUpdate"] == {"customer": {"tags": ["b2b", "vip"]}, "errors": []}
    result = api.data(TAGS, {"id": customer_id(ada), "remove": ["b2b"]}, token=staff_token)
    assert result["crmCustomerTagsUpdate"]["customer"]["tags"] == ["vip"]


@pytest.mark.parametrize(
    ("variables", "error"),
    [
        (
            {"id": "nonsense", "add": ["x"]},
            {"field": "id", "code": "GRAPHQL_ERROR", "message": "Couldn't resolve id: nonsense."},
        ),
        (
            {"id": global_id("CrmCustomer", 424242), "add": ["x"]},
            {
                "field": "id",
                "code": "NOT_FOUND",
                "message": f"Couldn't resolve to a node: {global_id('CrmCustomer', 424242)}",
            },
        ),
        (
            {"add": ["x" * 65]},
            {"field": "tags", "code": "INVALID", "message": "Tags are at most 64 characters: xxxxxxxxxxxxxxxxxxxx…"},
        ),
    ],
)
def test_tags_update_errors_change_nothing(api, ada, staff_token, variables, error):
    result = api.data(TAGS, {"id": customer_id(ada), **variables}, token=staff_token)["crmCustomerTagsUpdate"]
    assert result == {"customer": None, "errors": [error]}
    assert not ada.tags.exists()


def test_notes_are_added_with_their_author_and_deleted(api, ada, staff_token):
    added = api.data(NOTE_ADD, {"id": customer_id(ada), "message": "Prefers phone calls"}, token=staff_token)
    result = added["crmCustomerNoteAdd"]
    assert result["errors"] == []
    assert result["note"]["message"] == "Prefers phone calls"
    assert result["note"]["author"] == {"id": global_id("User", 900)}
    assert [e["node"]["kind"] for e in result["customer"]["timeline"]["edges"]] == ["note.added", "customer.registered"]
    deleted = api.data(NOTE_DELETE, {"id": result["note"]["id"]}, token=staff_token)["crmCustomerNoteDelete"]
    assert deleted == {"customer": {"notes": []}, "errors": []}
    assert not CustomerNote.objects.exists()


def test_note_errors(api, ada, staff_token):
    empty = api.data(NOTE_ADD, {"id": customer_id(ada), "message": "  "}, token=staff_token)["crmCustomerNoteAdd"]
    assert empty["errors"] == [{"field": "message", "code": "REQUIRED", "message": "A note needs some text."}]
    missing = global_id("CrmCustomerNote", 77)
    gone = api.data(NOTE_DELETE, {"id": missing}, token=staff_token)["crmCustomerNoteDelete"]
    assert gone["errors"] == [{"field": "id", "code": "NOT_FOUND", "message": f"Couldn't resolve to a node: {missing}"}]
    wrong = api.data(NOTE_DELETE, {"id": customer_id(ada)}, token=staff_token)["crmCustomerNoteDelete"]
    assert wrong["errors"] == [
        {"field": "id", "code": "GRAPHQL_ERROR", "message": "Must receive a CrmCustomerNote id."}
    ]


def test_a_shopper_updates_their_own_consent_but_nobody_elses(api, ada, grace, ada_token):
    mine = api.data(CONSENT, {"consent": False}, token=ada_token)["crmCustomerConsentUpdate"]
    assert mine == {"customer": {"marketingConsent": False}, "errors": []}
    ada.refresh_from_db()
    assert ada.marketing_consent is False
    grace_profile = ada.__class__.objects.get(email="grace@example.com")
    refused = api.data(CONSENT, {"id": customer_id(grace_profile), "consent": True}, token=ada_token)
    assert refused["crmCustomerConsentUpdate"]["errors"][0]["code"] == "NOT_FOUND"  # as if there were no Grace
    grace_profile.refresh_from_db()
    assert grace_profile.marketing_consent is None


def test_consent_without_an_id_needs_a_signed_in_shopper(api, ada, staff_token):
    result = api.data(CONSENT, {"consent": True}, token=staff_token)["crmCustomerConsentUpdate"]
    assert result["errors"] == [{"field": "id", "code": "REQUIRED", "message": "Give the customer's ID."}]
    assert api.data(CONSENT, {"id": customer_id(ada), "consent": True}, token=staff_token)[
        "crmCustomerConsentUpdate"
    ] == {"customer": {"marketingConsent": True}, "errors": []}


def test_export_for_the_shopper_and_for_staff(api, ada, grace, ada_token, staff_token, plain_staff_token):
    own = api.data(EXPORT, {}, token=ada_token)["crmCustomerExport"]
    assert own["errors"] == []
    assert json.loads(own["data"])["profile"]["email"] == "ada@example.com"  # a JSONString, as in Saleor
    staff = api.data(EXPORT, {"id": customer_id(ada)}, token=staff_token)["crmCustomerExport"]["data"]
    assert json.loads(staff)["profile"] == json.loads(own["data"])["profile"]
    grace_profile = ada.__class__.objects.get(email="grace@example.com")
    for token, profile in ((ada_token, grace_profile), (plain_staff_token, ada)):  # answered like a missing id
        refused = api.data(EXPORT, {"id": customer_id(profile)}, token=token)["crmCustomerExport"]
        assert refused == {"data": None, "errors": [{"field": "id", "code": "NOT_FOUND", "message": ANY}]}


@pytest.mark.parametrize("query", [TAGS, NOTE_ADD])
def test_staff_mutations_refuse_shoppers_anonymous_and_staff_without_permission(
    api, ada, ada_token, plain_staff_token, query
):
    variables = {"id": customer_id(ada), "add": ["x"], "message": "hello"}
    for token in (ada_token, plain_staff_token, None):
        body = api.raw(query, variables, token=token, status=200)
        assert body["errors"][0]["message"] == (DENIED if token else "You need to sign in to perform this action.")
        assert body["errors"][0]["extensions"] == {"exception": {"code": "PermissionDenied"}}
    assert not ada.tags.exists() and not ada.notes.exists()
