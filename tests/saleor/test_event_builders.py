"""Checkout and order events built by the worker from references, on real Saleor rows.

A hook keeps a reference; the drain builds a batch of them with ``EventRebuilder`` from plain rows. A
batch costs the same few queries whatever its size, and each event carries what Saleor's objects say.
"""

from tests.saleor import require_saleor

require_saleor()

from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from saleor.checkout.models import CheckoutMetadata  # noqa: E402
from saleor.order.models import Order  # noqa: E402

from saleor_crm_plugin.events import EventKind, EventReference  # noqa: E402
from saleor_crm_plugin.ids import global_id  # noqa: E402
from saleor_crm_plugin.saleor.event_builders import EventRebuilder  # noqa: E402
from saleor_crm_plugin.settings import get_settings  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loaded_settings():
    """The plugin's settings are read once per process, not per event: load them before counting queries."""
    get_settings()


def rebuilt(kind: EventKind, *instances) -> list[dict]:
    references = [EventReference(kind, instance._meta.label, str(instance.pk)) for instance in instances]
    return [event.to_dict() for event in EventRebuilder()(references)]


def queries_to_rebuild(kind: EventKind, *instances) -> int:
    with CaptureQueriesContext(connection) as captured:
        rebuilt(kind, *instances)
    return len(captured)


@pytest.fixture
def signed_in_checkout(checkout_with_items, customer_user, product_list):
    """Several lines, one product without a category, attribution metadata, no typed email."""
    product_list[0].category = None
    product_list[0].save(update_fields=["category"])
    checkout_with_items.user, checkout_with_items.email = customer_user, ""
    checkout_with_items.save(update_fields=["user", "email"])
    storage, _ = CheckoutMetadata.objects.get_or_create(checkout=checkout_with_items)
    storage.store_value_in_metadata({"utm_source": "newsletter", "unrelated": "x"})
    storage.save()
    return checkout_with_items


def test_a_checkout_event_carries_its_lines_catalogue_shopper_and_attribution(
    signed_in_checkout, customer_user, product_list
):
    [event] = rebuilt(EventKind.CHECKOUT_UPDATED, signed_in_checkout)

    checkout = event["checkout"]
    assert (checkout["token"], checkout["currency"]) == (str(signed_in_checkout.token), signed_in_checkout.currency)
    assert checkout["user_id"] == global_id("User", customer_user.pk)
    assert checkout["email"] == customer_user.email
    assert checkout["attribution"] == {"utm_source": "newsletter"}
    assert checkout["channel"] == signed_in_checkout.channel.slug
    lines = {line["product_id"]: line for line in checkout["lines"]}
    expected = signed_in_checkout.lines.select_related("variant__product__category")
    assert len(lines) == expected.count() > 1
    for line in expected:
        product = line.variant.product
        got = lines[global_id("Product", product.pk)]
        assert got["product_name"] == product.name
        assert got["variant_id"] == global_id("ProductVariant", line.variant_id)
        assert got["quantity"] == line.quantity
        assert got["category_id"] == (global_id("Category", product.category_id) if product.category_id else None)
        assert got["category_name"] == (product.category.name if product.category_id else "")
    assert lines[global_id("Product", product_list[0].pk)]["category_id"] is None


def test_a_batch_of_checkouts_costs_the_queries_of_one(signed_in_checkout, checkouts_list):
    one = queries_to_rebuild(EventKind.CHECKOUT_UPDATED, signed_in_checkout)
    assert one == 2  # checkouts with channel, account and metadata; lines with their catalogue facts
    assert queries_to_rebuild(EventKind.CHECKOUT_UPDATED, signed_in_checkout, *checkouts_list) == one


def test_order_event_with_a_legacy_refund_and_a_deleted_variant(order_with_lines, payment_txn_refunded):
    gone = order_with_lines.lines.first()
    gone.variant.delete()  # the line keeps its names; the event must too
    [event] = rebuilt(EventKind.ORDER_UPDATED, order_with_lines)

    order = event["order"]
    saved = Order.objects.select_related("channel").get(pk=order_with_lines.pk)
    assert (order["order_id"], order["number"], order["status"], order["channel"]) == (
        global_id("Order", saved.pk),
        str(saved.number),
        saved.status,
        saved.channel.slug,
    )
    assert (order["currency"], Decimal(order["total"])) == (saved.currency, saved.total_gross_amount)
    assert order["email"] == saved.user_email and order["user_id"] == global_id("User", saved.user_id)
    assert [line["quantity"] for line in order["lines"]] == list(saved.lines.values_list("quantity", flat=True))
    assert Decimal(order["total_refunded"]) == payment_txn_refunded.total > 0
    first = next(line for line in order["lines"] if line["product_name"] == gone.product_name)
    assert first["variant_id"] is None and first["category_id"] is None
    assert first["sku"] == (gone.product_sku or "")


def test_order_event_with_transaction_refunds(order_with_lines, transaction_item_generator):
    for amount in ("3.50", "1.25"):
        transaction_item_generator(order_id=order_with_lines.pk, refunded_value=Decimal(amount))
    [event] = rebuilt(EventKind.ORDER_REFUNDED, order_with_lines)

    assert Decimal(event["order"]["total_refunded"]) == Decimal("4.75")
    assert len(event["order"]["lines"]) == order_with_lines.lines.count() > 1


def test_a_batch_of_orders_costs_the_queries_of_one(order_with_lines, order_list, payment_txn_refunded):
    one = queries_to_rebuild(EventKind.ORDER_PAID, order_with_lines)
    assert one == 5  # orders with channel and account; lines with their catalogue; payments; refunds; transactions
    assert queries_to_rebuild(EventKind.ORDER_PAID, order_with_lines, *order_list) == one


def test_an_object_gone_before_the_drain_has_no_event(order_with_lines, checkout):
    kept = EventReference(EventKind.ORDER_PAID, "order.Order", str(order_with_lines.pk))
    completed = EventReference(EventKind.CHECKOUT_UPDATED, "checkout.Checkout", str(checkout.pk))
    checkout.delete()  # checkoutComplete deletes the checkout it turned into an order
    built, missing = EventRebuilder()([kept, completed])
    assert (built.kind, built.data.order_id, missing) == (kept.kind, global_id("Order", order_with_lines.pk), None)


def test_a_checkout_without_lines_still_has_its_channel_and_attribution(checkout):
    CheckoutMetadata.objects.update_or_create(checkout=checkout, defaults={"metadata": {"utm_source": "ad"}})
    [event] = rebuilt(EventKind.CHECKOUT_CREATED, checkout)
    payload = event["checkout"]
    assert (payload["lines"], payload["channel"], payload["attribution"]) == (
        [],
        checkout.channel.slug,
        {"utm_source": "ad"},
    )
