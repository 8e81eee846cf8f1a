"""Build CRM events from Saleor 3.23 model instances (read in the hook, inside Saleor's request).

Cheap by design, since it runs in the shopper's request: the lines with just the catalogue facts
an event carries (one joined read, not the variant, product and category rows; a checkout's channel
and attribution metadata in the same read), the order's last payment and refunds, and an order once
for the several hooks Saleor fires on it in a row; no CRM query, no network. Instances that arrive
prefetched down to the categories (backfill batches) are read without queries. Field
names follow ``saleor/order/models.py``, ``saleor/checkout/models.py`` and
``saleor/account/models.py`` of Saleor 3.23.28.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from ..events import Checkout, Customer, Event, EventKind, Line, Order
from ..ids import global_id
from ..settings import get_settings


def customer_payload(user) -> Customer:
    consent = (user.metadata or {}).get(get_settings().consent_metadata_key)
    return Customer(
        user_id=global_id("User", user.pk),
        user_pk=user.pk,
        email=user.email or "",
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        is_active=user.is_active,
        marketing_consent=None if consent is None else str(consent).strip().lower() in ("1", "true", "yes"),
        date_joined=user.date_joined,
        updated_at=getattr(user, "updated_at", None),
    )


# What backfill batches prefetch (ports.py); an instance arriving so prefetched is read without queries.
LINES = "lines__variant__product__category"
# A line's catalogue facts, read with the line in one query (joins), never the variant/product rows.
LINE_CATALOGUE = (
    "variant_id",
    "variant__name",
    "variant__sku",
    "variant__product_id",
    "variant__product__name",
    "variant__product__category_id",
    "variant__product__category__name",
)


# Where an order instance keeps the event built from it, with the state it was built from.
_BUILT = "_crm_order_payload"


def order_payload(order) -> Order:
    """Built once per state of the instance: Saleor fires several order hooks in a row on one instance
    (``orderMarkAsPaid``: fully paid, then updated; ``checkoutComplete``: created, then confirmed).

    Saving the instance changes its ``updated_at`` (``auto_now``), and Saleor saves the order whenever
    its lines or payments change, so an equal state means the same lines, payments and refunds.
    """
    state = _order_state(order)
    built = order.__dict__.get(_BUILT)
    if built is not None and built[0] == state:
        return built[1]
    payload = _build_order(order)
    order.__dict__[_BUILT] = (state, payload)
    return payload


def _order_state(order) -> tuple:
    return (
        order.pk,
        order.updated_at,
        order.status,
        order.charge_status,
        order.total_charged_amount,
        order.total_gross_amount,
        order.user_email,
        order.user_id,
        attribution(order.metadata),
    )


def _build_order(order) -> Order:
    if _catalogue_loaded(order):
        rows = [_line_row(line) | _order_line_fields(line) for line in order.lines.all()]
    else:
        rows = order.lines.values(*ORDER_LINE_FIELDS, *LINE_CATALOGUE)
    return Order(
        order_id=global_id("Order", order.pk),
        number=str(order.number),
        status=order.status,
        channel=_channel_slug(order),
        currency=order.currency,
        total=order.total_gross_amount,
        shipping=order.shipping_price_gross_amount,
        created_at=order.created_at,
        updated_at=order.updated_at,
        **_shopper(order, order.user_email),
        charge_status=order.charge_status,
        total_charged=order.total_charged_amount,
        total_refunded=total_refunded(order),
        checkout_token=order.checkout_token or None,
        lines=tuple(
            _line(
                row,
                row["quantity"],
                row["unit_price_gross_amount"],
                row["product_name"],
                row["variant_name"],
                row["product_sku"],
            )
            for row in rows
        ),
        attribution=attribution(order.metadata),
    )


ORDER_LINE_FIELDS = ("quantity", "unit_price_gross_amount", "product_name", "variant_name", "product_sku")


def _order_line_fields(line) -> dict:
    return {field: getattr(line, field) for field in ORDER_LINE_FIELDS}


# A checkout line's price, and its checkout's channel and metadata, read with the line (joins).
CHECKOUT_FACTS = {
    "price": F("undiscounted_unit_price_amount"),
    "channel_slug": F("checkout__channel__slug"),
    "checkout_metadata": F("checkout__metadata_storage__metadata"),
}


def checkout_payload(checkout) -> Checkout:
    if _catalogue_loaded(checkout):
        rows = [_line_row(line) | {"quantity": line.quantity, "price": line.undiscounted_unit_price_amount}
                for line in checkout.lines.all()]  # fmt: skip
    else:  # the checkout's channel and metadata ride along with its lines: one read
        rows = list(checkout.lines.values(*LINE_CATALOGUE, "quantity", **CHECKOUT_FACTS))
    facts = rows[0] if rows and "channel_slug" in rows[0] else _checkout_facts(checkout)
    lines = tuple(_line(row, row["quantity"], row["price"] or Decimal(0)) for row in rows)
    return Checkout(
        token=str(checkout.token),
        channel=facts["channel_slug"],
        currency=checkout.currency,
        total=_checkout_total(checkout, lines),
        created_at=checkout.created_at,
        updated_at=checkout.last_change,
        **_shopper(checkout, checkout.email),
        lines=lines,
        attribution=attribution(facts["checkout_metadata"]),
    )


def _checkout_facts(checkout) -> dict:
    """The checkout's channel and metadata, for a checkout whose lines gave none (prefetched, or no lines)."""
    return (
        type(checkout)
        .objects.filter(pk=checkout.pk)
        .values(channel_slug=F("channel__slug"), checkout_metadata=F("metadata_storage__metadata"))
        .get()
    )


def _checkout_total(checkout, lines: tuple[Line, ...]) -> Decimal:
    """Saleor recalculates a checkout's stored total lazily and fires no hook when it does.

    While the stored prices are expired, the lines' own prices are the best value the hook can
    have without running Saleor's price calculation (tax apps) in the shopper's request.
    """
    if checkout.price_expiration and checkout.price_expiration > timezone.now():
        return checkout.total_gross_amount
    return sum((line.unit_price * line.quantity for line in lines), Decimal(0))


def _prefetched(instance, relation: str) -> bool:
    return relation in getattr(instance, "_prefetched_objects_cache", {})


def _catalogue_loaded(instance) -> bool:
    """Lines prefetched down to their categories (``LINES``, as backfill batches read them): no query.

    Lines Saleor prefetched without their catalogue are read again in one joined query instead of
    fetching the variant, product and category rows level by level.
    """
    if not _prefetched(instance, "lines"):
        return False
    for line in instance.lines.all():
        if line.variant_id is None:
            continue
        variant = line._state.fields_cache.get("variant")
        if variant is None or "product" not in variant._state.fields_cache:
            return False
        if variant.product.category_id is not None and "category" not in variant.product._state.fields_cache:
            return False
    return True


def _channel_slug(instance) -> str:
    """The channel's slug, from the instance when Saleor already loaded its channel, else one narrow read."""
    if "channel" in instance._state.fields_cache:
        return instance.channel.slug
    return type(instance).objects.filter(pk=instance.pk).values_list("channel__slug", flat=True).get()


def _shopper(instance, email: str | None) -> dict:
    """Who an order or checkout belongs to: the typed email, else the account's (read only then)."""
    if not email and instance.user_id:
        if "user" in instance._state.fields_cache:
            email = instance.user.email if instance.user else ""
        else:
            email = type(instance).objects.filter(pk=instance.pk).values_list("user__email", flat=True).get()
    return {
        "email": email or "",
        "user_id": global_id("User", instance.user_id) if instance.user_id else None,
        "user_pk": instance.user_id,
    }


def total_refunded(order) -> Decimal:
    """What Saleor's ``Order.totalRefunded`` resolves to, for both payment flows.

    The legacy payment flow counts the successful REFUND transactions of the last payment while
    it is active or fully refunded; otherwise the transaction flow's ``refunded_value`` sum.
    """
    if _prefetched(order, "payments"):
        prefetch_related_objects([order], "payments__transactions", "payment_transactions")
        last = max(order.payments.all(), default=None, key=lambda payment: payment.pk)
        if last is not None and (last.is_active or last.charge_status == "fully-refunded"):
            refunds = [t.amount for t in last.transactions.all() if t.kind == "refund" and t.is_success]
        else:
            refunds = [item.refunded_value for item in order.payment_transactions.all()]
        return sum(refunds, Decimal(0))
    last = order.payments.order_by("-pk").values("pk", "is_active", "charge_status").first()
    if last is not None and (last["is_active"] or last["charge_status"] == "fully-refunded"):
        refunds = order.payments.filter(
            pk=last["pk"], transactions__kind="refund", transactions__is_success=True
        ).values_list("transactions__amount", flat=True)
    else:
        refunds = order.payment_transactions.values_list("refunded_value", flat=True)
    return sum(refunds, Decimal(0))


def attribution(metadata: dict | None) -> dict[str, str]:
    metadata = metadata or {}
    return {key: str(metadata[key]) for key in get_settings().attribution_keys if metadata.get(key)}


def _line_row(line) -> dict:
    """A prefetched line's catalogue facts, keyed as the ``LINE_CATALOGUE`` read returns them."""
    variant = line.variant
    product = variant.product if variant is not None else None
    category = product.category if product is not None else None
    return {
        "variant_id": variant.pk if variant else None,
        "variant__name": variant.name if variant else None,
        "variant__sku": variant.sku if variant else None,
        "variant__product_id": product.pk if product else None,
        "variant__product__name": product.name if product else None,
        "variant__product__category_id": category.pk if category else None,
        "variant__product__category__name": category.name if category else None,
    }


def _line(row: dict, quantity, unit_price, product_name="", variant_name="", sku=None) -> Line:
    variant, product, category = row["variant_id"], row["variant__product_id"], row["variant__product__category_id"]
    return Line(
        quantity=quantity,
        unit_price=unit_price,
        product_name=product_name or (row["variant__product__name"] if product is not None else ""),
        variant_name=variant_name or (row["variant__name"] if variant is not None else ""),
        sku=sku or (row["variant__sku"] if variant is not None and row["variant__sku"] else "") or "",
        variant_id=global_id("ProductVariant", variant) if variant is not None else None,
        product_id=global_id("Product", product) if product is not None else None,
        category_id=global_id("Category", category) if category is not None else None,
        category_name=row["variant__product__category__name"] if category is not None else "",
    )


class EventRebuilder:
    """Replays of hooks that failed to build their event: the same builders, on the object as it is now."""

    BUILDERS = {"account.User": customer_payload, "order.Order": order_payload, "checkout.Checkout": checkout_payload}

    def __call__(self, kind: str, model: str, pk: str) -> Event:
        from django.apps import apps

        instance = apps.get_model(model).objects.get(pk=pk)
        return Event(EventKind(kind), self.BUILDERS[model](instance))
