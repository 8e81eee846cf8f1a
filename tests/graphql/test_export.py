"""``crmCustomerExport``: the shopper's own export holds what the API shows them; staff get everything."""

from __future__ import annotations

import json

import pytest

from saleor_crm_plugin.automation.models import Flow, SurveyResponse
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.actions import add_note, update_tags
from saleor_crm_plugin.tickets import actions as tickets
from saleor_crm_plugin.tickets.history import Actor

from .conftest import make_user

EXPORT = "mutation($id: ID) { crmCustomerExport(id: $id) { data errors { field code message } } }"
pytestmark = pytest.mark.django_db


@pytest.fixture
def ada_with_staff_data(ada):
    agent = make_user(950, "agent@store.test", is_staff=True)
    update_tags(ada, add=["difficult"])
    add_note(ada, "Threatened a chargeback", author=agent)
    ticket = tickets.open_ticket(ada, "Broken mug", "It arrived in pieces.", actor=Actor.shopper())
    tickets.add_note(ticket, "Refund only if she insists", actor=Actor.staff(agent))
    flow = Flow.objects.create(slug="survey", name="Survey", trigger="order.fulfilled")
    SurveyResponse.objects.create(profile=ada, score=2, comment="slow", answered_at=flow.created_at)
    return ada, agent


def export(api, token, **variables):
    result = api.data(EXPORT, variables, token=token)["crmCustomerExport"]
    assert result["errors"] == []
    return json.loads(result["data"])


def test_a_shopper_exports_only_what_the_api_shows_them(api, ada_with_staff_data, ada_token):
    data = export(api, ada_token)
    text = json.dumps(data)

    for staff_only in ("difficult", "Threatened a chargeback", "Refund only if she insists", "slow", "author_id"):
        assert staff_only not in text, staff_only
    assert "tags" not in data and "notes" not in data
    assert "survey_responses" not in data["marketing"]
    assert [m["body"] for m in data["tickets"][0]["messages"]] == ["It arrived in pieces."]
    assert {e["kind"] for e in data["timeline"]} >= {"customer.registered", "ticket.opened"}
    assert not {"note.added", "ticket.note_added"} & {e["kind"] for e in data["timeline"]}


def test_staff_with_manage_users_export_everything(api, ada_with_staff_data, staff_token):
    ada, agent = ada_with_staff_data
    data = export(api, staff_token, id=global_id("CrmCustomer", ada.pk))

    assert data["tags"] == ["difficult"]
    assert [(n["body"], n["author_id"]) for n in data["notes"]] == [("Threatened a chargeback", agent.pk)]
    assert [(m["kind"], m["author_id"]) for m in data["tickets"][0]["messages"]] == [
        ("public", None),
        ("note", agent.pk),
    ]
    assert [r["comment"] for r in data["marketing"]["survey_responses"]] == ["slow"]
    assert {"note.added", "ticket.note_added"} <= {e["kind"] for e in data["timeline"]}
