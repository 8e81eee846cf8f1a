"""Deleted customers: anonymised or deleted per the policy, late facts never bring them back; data export."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.actions import add_note, update_tags
from saleor_crm_plugin.profiles.export import export_customer_data
from saleor_crm_plugin.profiles.models import (
    CheckoutSnapshot,
    CustomerNote,
    CustomerProfile,
    CustomerSpend,
    OrderSnapshot,
    TimelineEntry,
)

from .factories import at, checkout_event, customer_event, order_event, user_id

pytestmark = pytest.mark.django_db

E = EventKind


@pytest.fixture
def ada_with_history(ada):
    """Ada (account 1) with an order, a checkout, a tag and a note."""
    ingest(order_event(order_id="Order:1", user=1, total="50.00", created_at=at(days=1)))
    ingest(checkout_event(token="tok-1", user=1, updated_at=at(days=2)))
    update_tags(ada, add=["vip"])
    add_note(ada, "Called about a late parcel.")
    ada.refresh_from_db()
    return ada


def deleted(pk=1):
    return customer_event(E.CUSTOMER_DELETED, pk=pk, updated_at=at(days=10))


def test_anonymise_strips_personal_data_and_keeps_counters(ada_with_history):
    ingest(deleted())

    p = CustomerProfile.objects.get(saleor_user_id=user_id(1))
    assert (p.email, p.first_name, p.last_name, p.marketing_consent, p.is_active) == ("", "", "", None, False)
    assert p.anonymised_at is not None
    assert p.orders_count == 1
    assert list(p.spend.values_list("currency", "total")) == [("USD", Decimal("50.000"))]
    assert not CustomerNote.objects.exists()
    kinds = set(p.timeline.values_list("kind", flat=True))
    assert "note.added" not in kinds and {"customer.anonymised", "order.placed"} <= kinds
    assert list(OrderSnapshot.objects.values_list("email", flat=True)) == [""]
    assert list(CheckoutSnapshot.objects.values_list("email", flat=True)) == [""]
    assert not CustomerProfile.objects.filter(email="ada@example.com").exists()


def test_late_events_for_an_anonymised_account_land_on_it_without_email(ada_with_history):
    ingest(deleted())

    ingest(order_event(order_id="Order:2", user=1, total="20.00", created_at=at(days=3)))
    ingest(customer_event(E.CUSTOMER_UPDATED, pk=1, first_name="Ada", updated_at=at(days=11)))

    assert CustomerProfile.objects.count() == 1
    p = CustomerProfile.objects.get()
    assert (p.email, p.first_name, p.orders_count) == ("", "", 2)
    assert p.orders.count() == 2
    assert set(OrderSnapshot.objects.values_list("email", flat=True)) == {""}


def test_delete_policy_removes_the_profile_and_everything_on_it(ada_with_history, crm_settings):
    crm_settings(deleted_customer_policy="delete")

    ingest(deleted())

    for model in (CustomerProfile, OrderSnapshot, CheckoutSnapshot, CustomerSpend, CustomerNote, TimelineEntry):
        assert not model.objects.exists(), model.__name__


def test_late_events_do_not_recreate_a_deleted_profile(ada_with_history, crm_settings):
    crm_settings(deleted_customer_policy="delete")
    ingest(deleted())

    assert ingest(customer_event(E.CUSTOMER_UPDATED, pk=1, updated_at=at(days=11)))
    assert ingest(order_event(order_id="Order:2", user=1, created_at=at(days=3)))
    fulfilled = order_event(order_id="Order:1", user=1, status="fulfilled", created_at=at(1), updated_at=at(days=4))
    assert ingest(fulfilled)
    assert ingest(checkout_event(token="tok-2", user=1, updated_at=at(days=5)))

    assert not CustomerProfile.objects.exists()
    assert not OrderSnapshot.objects.exists()


@pytest.mark.parametrize("policy", ["anonymise", "delete"])
def test_deletion_delivered_before_creation_wins(crm_settings, policy):
    crm_settings(deleted_customer_policy=policy)

    ingest(deleted(pk=7))
    ingest(customer_event(E.CUSTOMER_CREATED, pk=7, email="late@example.com"))
    ingest(order_event(user=7, email="late@example.com"))

    assert not CustomerProfile.objects.filter(email="late@example.com").exists()
    if policy == "delete":
        assert not CustomerProfile.objects.exists()
    else:
        p = CustomerProfile.objects.get()
        assert (p.saleor_user_id, p.email, p.anonymised_at is not None) == (user_id(7), "", True)


def test_export_customer_data_holds_profile_orders_tags_notes_and_timeline(ada_with_history):
    data = export_customer_data(ada_with_history, staff=True)

    assert data["profile"]["email"] == "ada@example.com"
    assert data["profile"]["orders_count"] == 1
    assert data["tags"] == ["vip"]
    assert [note["body"] for note in data["notes"]] == ["Called about a late parcel."]
    assert [order["total"] for order in data["orders"]] == [Decimal("50.000")]
    assert [checkout["token"] for checkout in data["checkouts"]] == ["tok-1"]
    assert {entry["kind"] for entry in data["timeline"]} >= {"customer.registered", "order.placed", "note.added"}
    assert data["spend"] == [{"currency": "USD", "orders_count": 1, "total": Decimal("50.000")}]


@pytest.mark.parametrize("lookup", [{"email": " ADA@example.com"}, {"user_id": user_id(1)}])
def test_export_command_prints_the_same_data_as_json(ada_with_history, lookup):
    out = StringIO()
    call_command("crm_export_customer", stdout=out, **lookup)

    printed = json.loads(out.getvalue())
    assert printed["profile"]["saleor_user_id"] == user_id(1)
    assert printed["tags"] == ["vip"]
    assert printed["orders"][0]["total"] == "50.000"
    assert printed["orders"][0]["placed_at"].startswith("2025-03-02T12:00:00")
    assert printed["notes"][0]["body"] == "Called about a late parcel."
    assert len(printed["timeline"]) == ada_with_history.timeline.count()


def test_export_command_refuses_an_unknown_customer(db):
    with pytest.raises(CommandError, match="No CRM profile"):
        call_command("crm_export_customer", email="nobody@example.com", stdout=StringIO())
