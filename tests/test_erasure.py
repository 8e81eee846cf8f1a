"""Deleting a customer erases every personal text the CRM holds about them, in every domain.

One row of every CRM model (found through Django's model registry, so a new model or field is covered
without touching this test) is made for Ada with every text and JSON field holding a marker; the store
deletes her (a ``customer.deleted`` event through ingest); then every text/JSON column of every CRM
table is searched with SQL, and her data export too. A field that is not personal by design is listed
below with the reason, and gets a neutral value instead of the marker.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.models import LoyaltyAccount
from saleor_crm_plugin.profiles.export import export_customer_data
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.receipts import DeadLetter

from .factories import at, customer_event

pytestmark = pytest.mark.django_db

MARKER = "MARKER-ada-7f3q"
APP = "saleor_crm_plugin"

# Store-level rows: the merchant's configuration or catalogue-wide figures, about no one in particular.
NOT_ABOUT_A_CUSTOMER = {
    "Flow": "the merchant's flow settings",
    "FlowStep": "the merchant's message templates",
    "Segment": "the merchant's saved query",
    "SegmentEvaluation": "a segment's size over time",
    "Reward": "the merchant's reward catalogue",
    "Macro": "the merchant's saved replies",
    "RecommendationProduct": "store-wide product popularity",
    "ProductPair": "store-wide co-purchase scores",
    "BackfillCheckpoint": "progress of the store walk",
    "StoreDay": "a day's store-wide sales: sums, and buyers as profile IDs only",
    "CohortCell": "store-wide cohort counts and revenue",
    "RfmGroupDay": "customers per RFM group on a day",
    "PointsDay": "the store's points ledger per day",
    "LiabilitySnapshot": "the store's points liability per currency",
    "FlowDay": "an automation flow's sends and revenue per day",
    "HelpdeskDay": "the helpdesk's figures per day",
    "DirtyProfile": "a profile ID whose orders changed, until the next analytics refresh",
    "RefreshState": "when the analytics were last refreshed",
    "PredictionFit": "a currency's prediction model fit: store-wide parameters and data sizes",
}

# Fields of a customer's rows that are not personal by design.
NOT_PERSONAL = {
    "CustomerProfile.saleor_user_id": "Saleor's ID of the account: what the deletion and late events find it by",
    "CustomerProfile.channels": "the store's channel slugs the customer bought in",
    "CustomerProfile.first_touch": "campaign tags under the merchant's attribution keys (utm_*)",
    "CustomerProfile.last_touch": "campaign tags under the merchant's attribution keys (utm_*)",
    "OrderSnapshot.saleor_order_id": "Saleor's ID of the order: late order events merge on it",
    "OrderSnapshot.number": "the store's order number",
    "OrderSnapshot.status": "Saleor's order status, a fixed vocabulary",
    "OrderSnapshot.charge_status": "Saleor's charge status, a fixed vocabulary",
    "OrderSnapshot.channel": "a channel slug",
    "OrderSnapshot.checkout_token": "Saleor deletes the account's checkouts with it (Checkout.user CASCADE)",
    "OrderSnapshot.lines": "what was bought: the order history's shape and the store's sales figures",
    "OrderSnapshot.attribution": "campaign tags under the merchant's attribution keys (utm_*)",
    "CheckoutSnapshot.token": "the key late checkout events merge on; Saleor deletes the checkout with the account",
    "CheckoutSnapshot.channel": "a channel slug",
    "OutboxEvent.payload": "an event waiting for a worker, deleted once drained (seconds); applied after the tombstone",
    "CheckoutSnapshot.lines": "what was in the cart: the store's figures",
    "CheckoutSnapshot.attribution": "campaign tags under the merchant's attribution keys (utm_*)",
    "ProfileAffinity.ref_id": "Saleor's product or category ID",
    "ProfileAffinity.name": "a product or category name",
    "TimelineEntry.kind": "the kind of fact, a fixed vocabulary",
    "TimelineEntry.unique_key": "replay identity (kind and IDs): a late copy of an event must not add it again",
    "LoyaltyAccount.tier": "the program's tier name",
    "LoyaltyAccount.tier_floor": "the program's tier name",
    "PointsLedgerEntry.saleor_order_id": "Saleor's ID of the order",
    "PointsLedgerEntry.rule": "what caused the entry, a fixed vocabulary (order, refund, staff, ...)",
    "PointsLedgerEntry.idempotency_key": "the entry's identity (kind and IDs): keeps the ledger exactly-once",
    "OrderPoints.saleor_order_id": "Saleor's ID of the order",
    "OrderPoints.number": "the store's order number",
    "OrderPoints.channel": "a channel slug",
    "Redemption.channel": "a channel slug",
    "Redemption.reference": "the store's ID of the gift card, for reconciliation",
    "Enrollment.trigger_key": "the trigger's identity (Saleor IDs; checkout tokens Saleor deletes with the account)",
    "Message.channel": "a channel slug",
    "Message.language": "a language code",
    "Message.order_id": "Saleor's ID of the converting order",
    "MarketingPreference.source": "how they unsubscribed, a fixed vocabulary",
    "CustomerRfm.group": "a named RFM group",
    "TicketEvent.kind": "the kind of change, a fixed vocabulary",
    "ProcessedEvent.key": "an event's identity (kind, Saleor ID, version)",
    "ProcessedEvent.kind": "an event kind",
    "DeletedAccount.saleor_user_id": "the tombstone: Saleor's ID only, so the person is never recreated",
    "DeadLetter.key": "the failed event's identity (kind, Saleor ID, version)",
    "DeadLetter.kind": "an event kind",
}
# Values some rows need to be valid at all, whatever else is in them.
VALID = {"Segment.query": "orders_count > 0"}
SHORTER_THAN_MARKER = "a code too short to hold personal text (a currency)"
TEXT_TYPES = ("character varying", "text", "jsonb", "json")


def crm_models() -> list[type[models.Model]]:
    return [m for m in apps.get_app_config(APP).get_models() if not m._meta.auto_created]


def is_text(field) -> bool:
    return isinstance(field, models.CharField | models.TextField | models.JSONField)


def why_not_personal(model, field) -> str | None:
    name = f"{model.__name__}.{field.name}"
    if model.__name__ in NOT_ABOUT_A_CUSTOMER:
        return NOT_ABOUT_A_CUSTOMER[model.__name__]
    if field.choices:
        return "a fixed vocabulary (choices)"
    if isinstance(field, models.CharField) and field.max_length < len(MARKER):
        return SHORTER_THAN_MARKER
    return NOT_PERSONAL.get(name)


class Filler:
    """Makes one row of every CRM model for Ada: marker in personal text, neutral values elsewhere."""

    def __init__(self, ada: CustomerProfile, staff):
        self.rows: dict[type, models.Model] = {CustomerProfile: ada, get_user_model(): staff}
        self.serial = 0
        self.filled: set[tuple[str, str]] = set()

    def row(self, model) -> models.Model:
        if model not in self.rows:
            self.rows[model] = self._make(model)
        return self.rows[model]

    def _make(self, model) -> models.Model:
        values = {field.name: self.value(model, field) for field in self._fields(model)}
        values = {name: value for name, value in values.items() if value is not _SKIP}
        if model is DeadLetter:  # points at the person through the event it carries, not a foreign key
            values["payload"] = customer_event(EventKind.CUSTOMER_UPDATED, first_name=MARKER).to_dict()
            self.filled.add((model._meta.db_table, "payload"))
        one_to_one = next((f for f in model._meta.fields if f.one_to_one and f.related_model is CustomerProfile), None)
        if one_to_one is not None:  # Ada may have one already (her loyalty account)
            row, _ = model.objects.update_or_create(**{one_to_one.name: self.rows[CustomerProfile]}, defaults=values)
            return row
        return model.objects.create(**values)

    def _fields(self, model):
        return [f for f in model._meta.concrete_fields if not f.primary_key or f.is_relation]

    def value(self, model, field):
        if field.is_relation:
            target = field.related_model
            if field.null and (target is model or (target not in self.rows and self._cycles(target, model))):
                return None
            return self.row(target)
        if field.db_default is not models.NOT_PROVIDED:
            return _SKIP
        if is_text(field):
            return self.text(model, field)
        if field.has_default():
            return field.get_default()
        if isinstance(field, models.DateTimeField):
            return timezone.now()
        if isinstance(field, models.DateField):
            return date(1990, 5, 17)
        if isinstance(field, models.DecimalField):
            return Decimal(1)
        if isinstance(field, models.BooleanField):
            return False
        return 1

    def text(self, model, field):
        name = f"{model.__name__}.{field.name}"
        if name in VALID:
            return VALID[name]
        if field.choices:
            return field.choices[0][0]
        if why_not_personal(model, field):
            self.serial += 1
            neutral = f"kept{self.serial}"
            return {"kept": neutral} if isinstance(field, models.JSONField) else neutral[: field.max_length]
        self.filled.add((model._meta.db_table, field.column))
        if isinstance(field, models.JSONField):
            return [MARKER] if field.default is list else {"text": MARKER}
        return MARKER

    def _cycles(self, target, model) -> bool:
        """Does ``target`` need a ``model`` row first (e.g. a ticket's last message)?"""
        return any(f.is_relation and f.related_model is model and not f.null for f in target._meta.concrete_fields)

    def fill_profile(self, ada: CustomerProfile) -> None:
        personal = {
            f.name: self.text(CustomerProfile, f)
            for f in CustomerProfile._meta.concrete_fields
            if is_text(f) and not f.primary_key and why_not_personal(CustomerProfile, f) is None
        }
        CustomerProfile.objects.filter(pk=ada.pk).update(**personal)


_SKIP = object()


def marker_columns() -> set[tuple[str, str]]:
    """Every text/JSON column of every CRM table holding the marker, found with SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name LIKE 'crm\\_%%' AND data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        found = set()
        for table, column in columns:
            quoted = f"{connection.ops.quote_name(table)}.{connection.ops.quote_name(column)}"
            cursor.execute(
                f"SELECT 1 FROM {connection.ops.quote_name(table)} WHERE {quoted}::text LIKE %s LIMIT 1",
                [f"%{MARKER}%"],
            )
            if cursor.fetchone():
                found.add((table, column))
    return found


@pytest.fixture
def ada_everywhere(ada):
    staff = get_user_model().objects.create(username="agent@store.test", email="agent@store.test", is_staff=True)
    filler = Filler(ada, staff)
    filler.fill_profile(ada)
    for model in crm_models():
        filler.row(model)
    return filler


def test_every_model_gets_a_row_and_every_personal_column_the_marker(ada_everywhere):
    """The test below is only as good as this: nothing was left out when filling."""
    assert {m for m in crm_models()} <= set(ada_everywhere.rows)
    assert marker_columns() == ada_everywhere.filled
    assert len(ada_everywhere.filled) > 30


def test_under_the_delete_policy_nothing_of_the_marker_is_left_either(ada_everywhere, crm_settings):
    crm_settings(deleted_customer_policy="delete")

    ingest(customer_event(EventKind.CUSTOMER_DELETED, updated_at=at(days=10)))

    assert marker_columns() == set()
    assert not CustomerProfile.objects.filter(pk=ada_everywhere.rows[CustomerProfile].pk).exists()


def test_deleting_the_customer_erases_the_marker_from_every_table_and_the_export(ada_everywhere):
    ingest(customer_event(EventKind.CUSTOMER_DELETED, updated_at=at(days=10)))

    assert marker_columns() == set()
    profile = CustomerProfile.objects.get(pk=ada_everywhere.rows[CustomerProfile].pk)
    assert profile.anonymised_at is not None
    exported = json.dumps(export_customer_data(profile, staff=True), cls=DjangoJSONEncoder)
    assert MARKER not in exported
    assert LoyaltyAccount.objects.get(profile=profile).birth_date is None  # a date, not text: checked by name


def test_the_ledger_keeps_every_amount_so_balances_still_rebuild(ada_everywhere):
    from saleor_crm_plugin.loyalty.models import PointsLedgerEntry

    numbers = [f.name for f in PointsLedgerEntry._meta.concrete_fields if isinstance(f, models.IntegerField)]
    before = list(PointsLedgerEntry.objects.order_by("pk").values_list(*numbers))

    ingest(customer_event(EventKind.CUSTOMER_DELETED, updated_at=at(days=10)))

    assert list(PointsLedgerEntry.objects.order_by("pk").values_list(*numbers)) == before
    assert set(PointsLedgerEntry.objects.values_list("reason", flat=True)) == {""}
