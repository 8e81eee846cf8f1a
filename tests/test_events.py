"""Events survive the wire unchanged, and their keys say when two deliveries are the same fact."""

import json
from datetime import timedelta, timezone
from decimal import Decimal

import pytest

from saleor_crm_plugin.events import Event, EventKind, normalise_email

from .factories import at, checkout_event, customer_event, later, line, order_event


def full_event(kind: EventKind) -> Event:
    """An event of ``kind`` with every optional field filled, including awkward values."""
    lines = (line(2, "19.999", product=7, category=3), line(1, "0.10", product=8, category=4, variant_name="XL"))
    attribution = {"utm_source": "newsletter", "utm_campaign": "spring"}
    if kind.subject == "customer":
        return customer_event(
            kind,
            pk=42,
            email="Ada@Example.com",
            user_pk=42,
            marketing_consent=False,
            updated_at=at(5, seconds=0.123456),
        )
    if kind.subject == "checkout":
        return checkout_event(
            kind,
            user=42,
            user_pk=42,
            lines=lines,
            attribution=attribution,
            updated_at=at(3).astimezone(timezone(timedelta(hours=2))),
        )
    return order_event(
        kind,
        order_id="Order:7",
        user=42,
        user_pk=42,
        total="139.9990",
        refunded="12.50",
        lines=lines,
        shipping=Decimal("7.50"),
        charge_status="partial",
        total_charged=Decimal("100.00"),
        checkout_token="tok-7",
        attribution=attribution,
        updated_at=at(10, microseconds=1),
    )


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_kind_round_trips_through_json_unchanged(kind):
    event = full_event(kind)

    wire = json.loads(json.dumps(event.to_dict()))
    back = Event.from_dict(wire)

    assert back == event
    assert back.key == event.key
    assert type(back.kind) is EventKind


def test_money_and_times_keep_their_exact_value_and_type():
    event = full_event(EventKind.ORDER_REFUNDED)
    back = Event.from_dict(json.loads(json.dumps(event.to_dict())))

    assert back.data.total == Decimal("139.9990") and str(back.data.total) == "139.9990"
    assert back.data.lines[0].unit_price == Decimal("19.999")
    assert back.data.updated_at == event.data.updated_at
    assert back.data.updated_at.utcoffset() == timedelta(0)
    assert back.data.updated_at.microsecond == 1


def test_wire_format_names_the_subject_and_uses_strings_for_money():
    raw = order_event(total="12.30").to_dict()

    assert raw["kind"] == "order.created"
    assert raw["order"]["total"] == "12.30"
    assert raw["order"]["created_at"] == "2025-03-01T12:00:00+00:00"


def test_unknown_payload_fields_are_ignored_so_newer_senders_do_not_break_older_workers():
    raw = order_event().to_dict()
    raw["order"]["gift_wrap"] = True

    assert Event.from_dict(raw) == order_event()


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError):
        Event.from_dict({"kind": "order.teleported", "order": {}})


def test_redelivery_has_the_same_key_and_a_new_state_a_new_one():
    created = order_event(EventKind.ORDER_CREATED)
    paid = later(created, EventKind.ORDER_FULLY_PAID, charge_status="full")

    assert order_event(EventKind.ORDER_CREATED).key == created.key
    assert paid.key != created.key
    assert later(created, EventKind.ORDER_CREATED).key != created.key  # same kind, newer state
    assert order_event(EventKind.ORDER_CONFIRMED).key != created.key  # same state, another kind
    assert created.key == f"order.created:{created.data.order_id}:{created.data.updated_at.isoformat()}"


def test_account_creation_and_deletion_happen_once_whatever_the_timestamp():
    first = customer_event(EventKind.CUSTOMER_CREATED, updated_at=at(1))
    second = customer_event(EventKind.CUSTOMER_CREATED, updated_at=at(99))
    deleted = customer_event(EventKind.CUSTOMER_DELETED, updated_at=at(5))

    assert first.version == second.version == deleted.version == "-"
    assert first.key == second.key == f"customer.created:{first.data.user_id}:-"
    assert deleted.key == f"customer.deleted:{first.data.user_id}:-"
    assert (
        customer_event(EventKind.CUSTOMER_UPDATED, updated_at=at(1)).key
        != customer_event(EventKind.CUSTOMER_UPDATED, updated_at=at(2)).key
    )


def test_object_id_is_the_saleor_id_or_checkout_token():
    assert order_event(order_id="Order:9").object_id == order_event(order_id="Order:9").data.order_id
    assert checkout_event(token="tok").object_id == "tok"
    assert customer_event(pk=3).object_id == customer_event(pk=3).data.user_id
    kinds = (EventKind.CUSTOMER_DELETED, EventKind.CHECKOUT_UPDATED, EventKind.ORDER_PAID)
    assert [kind.subject for kind in kinds] == ["customer", "checkout", "order"]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"), ("", ""), (None, ""), ("x@y.z", "x@y.z")],
)
def test_normalise_email(raw, normal):
    assert normalise_email(raw) == normal
