"""The hook's event builders on real Saleor rows: narrow reads in the request, the same event as ever.

A hook gets a bare instance and reads the lines' catalogue facts in one joined query; a backfill batch
arrives prefetched (``LINES`` and the payments) and is read from the objects, as the builders always
did. Both must produce the same event, field for field, and the request path only a few queries.
"""

from tests.saleor import require_saleor

require_saleor()

from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402
from django.db.models import prefetch_related_objects  # noqa: E402
from saleor.checkout.models import Checkout, CheckoutMetadata  # noqa: E402
from saleor.order.models import Order  # noqa: E402

from saleor_crm_plugin.events import Event, EventKind  # noqa: E402
from saleor_crm_plugin.ids import global_id  # noqa: E402
from saleor_crm_plugin.saleor.event_builders import LINES, checkout_payload, order_payload  # noqa: E402
from saleor_crm_plugin.settings import get_settings  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loaded_settings():
    """The plugin's settings are read once per process, not per event: load them before counting queries."""
    get_settings()


def built(kind: EventKind, build, instance) -> dict:
    return Event(kind, build(instance)).to_dict()


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


def test_checkout_event_is_read_narrowly_and_equals_the_prefetched_one(
    signed_in_checkout, customer_user, product_list, django_assert_max_num_queries
):
    bare = Checkout.objects.get(pk=signed_in_checkout.pk)
    with django_assert_max_num_queries(2):  # lines with their catalogue facts, channel and metadata; the email
        event = built(EventKind.CHECKOUT_UPDATED, checkout_payload, bare)

    prefetched = Checkout.objects.select_related("channel", "user").get(pk=signed_in_checkout.pk)
    prefetch_related_objects([prefetched], LINES)
    assert event == built(EventKind.CHECKOUT_UPDATED, checkout_payload, prefetched)

    checkout = event["checkout"]
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


def test_order_event_with_a_legacy_refund_and_a_deleted_variant(
    order_with_lines, payment_txn_refunded, django_assert_max_num_queries
):
    gone = order_with_lines.lines.first()
    gone.variant.delete()  # the line keeps its names; the event must too
    bare = Order.objects.get(pk=order_with_lines.pk)
    with django_assert_max_num_queries(4):  # lines; channel; last payment; its refunds
        event = built(EventKind.ORDER_UPDATED, order_payload, bare)

    assert event == built(EventKind.ORDER_UPDATED, order_payload, _prefetched_order(order_with_lines))
    order = event["order"]
    assert Decimal(order["total_refunded"]) == payment_txn_refunded.total > 0
    first = next(line for line in order["lines"] if line["product_name"] == gone.product_name)
    assert first["variant_id"] is None and first["category_id"] is None
    assert first["sku"] == (gone.product_sku or "")


def test_order_event_with_transaction_refunds(
    order_with_lines, transaction_item_generator, django_assert_max_num_queries
):
    for amount in ("3.50", "1.25"):
        transaction_item_generator(order_id=order_with_lines.pk, refunded_value=Decimal(amount))
    event = built(EventKind.ORDER_REFUNDED, order_payload, Order.objects.get(pk=order_with_lines.pk))

    assert event == built(EventKind.ORDER_REFUNDED, order_payload, _prefetched_order(order_with_lines))
    partly = Order.objects.prefetch_related("lines", "payments").get(pk=order_with_lines.pk)  # as Saleor may pass it
    with django_assert_max_num_queries(4):  # lines with their catalogue facts, transactions x2, channel
        assert event == built(EventKind.ORDER_REFUNDED, order_payload, partly)
    assert Decimal(event["order"]["total_refunded"]) == Decimal("4.75")
    assert len(event["order"]["lines"]) == order_with_lines.lines.count() > 1


def _prefetched_order(order) -> Order:
    """As a backfill batch reads it (ports.SaleorBackfillSource)."""
    prefetched = Order.objects.select_related("channel", "user").get(pk=order.pk)
    prefetch_related_objects([prefetched], LINES, "payments__transactions", "payment_transactions")
    return prefetched


def test_an_order_is_built_once_for_hooks_in_a_row_and_again_once_saved(order_with_lines, django_assert_num_queries):
    order = Order.objects.get(pk=order_with_lines.pk)
    first = order_payload(order)
    with django_assert_num_queries(0):  # the next hook Saleor fires on the same instance
        assert order_payload(order) is first

    line = order.lines.first()
    line.quantity += 1
    line.save(update_fields=["quantity"])
    order.status = "unfulfilled"
    order.save(update_fields=["status", "updated_at"])  # Saleor saves the order when its lines change
    again = order_payload(order)
    assert again.status == "unfulfilled" and again.updated_at > first.updated_at
    assert sum(item.quantity for item in again.lines) == sum(item.quantity for item in first.lines) + 1


def test_a_checkout_without_lines_still_has_its_channel_and_attribution(checkout, django_assert_max_num_queries):
    CheckoutMetadata.objects.update_or_create(checkout=checkout, defaults={"metadata": {"utm_source": "ad"}})
    bare = Checkout.objects.get(pk=checkout.pk)
    with django_assert_max_num_queries(2):  # no lines; channel + metadata
        payload = checkout_payload(bare)
    assert (payload.lines, payload.channel, payload.attribution) == ((), checkout.channel.slug, {"utm_source": "ad"})
