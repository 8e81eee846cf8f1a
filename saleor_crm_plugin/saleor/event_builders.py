"""Build CRM events from Saleor 3.23 model instances (read in the hook, inside Saleor's request).

Cheap by design: a few indexed reads (lines with their product and category, the order's
payments), no CRM query, no network. Field names follow ``saleor/order/models.py``,
``saleor/checkout/models.py`` and ``saleor/account/models.py`` of Saleor 3.23.28.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import prefetch_related_objects
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


LINES = "lines__variant__product__category"


def order_payload(order) -> Order:
    prefetch_related_objects([order], LINES, "payments__transactions", "payment_transactions")
    return Order(
        order_id=global_id("Order", order.pk),
        number=str(order.number),
        status=order.status,
        channel=order.channel.slug,
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
                line.variant,
                line.quantity,
                line.unit_price_gross_amount,
                line.product_name,
                line.variant_name,
                line.product_sku,
            )
            for line in order.lines.all()
        ),
        attribution=attribution(order.metadata),
    )


def checkout_payload(checkout) -> Checkout:
    prefetch_related_objects([checkout], LINES)
    try:
        metadata = checkout.metadata_storage.metadata
    except ObjectDoesNotExist:
        metadata = {}
    lines = tuple(
        _line(line.variant, line.quantity, line.undiscounted_unit_price_amount or Decimal(0))
        for line in checkout.lines.all()
    )
    return Checkout(
        token=str(checkout.token),
        channel=checkout.channel.slug,
        currency=checkout.currency,
        total=_checkout_total(checkout, lines),
        created_at=checkout.created_at,
        updated_at=checkout.last_change,
        **_shopper(checkout, checkout.email),
        lines=lines,
        attribution=attribution(metadata),
    )


def _checkout_total(checkout, lines: tuple[Line, ...]) -> Decimal:
    """Saleor recalculates a checkout's stored total lazily and fires no hook when it does.

    While the stored prices are expired, the lines' own prices are the best value the hook can
    have without running Saleor's price calculation (tax apps) in the shopper's request.
    """
    if checkout.price_expiration and checkout.price_expiration > timezone.now():
        return checkout.total_gross_amount
    return sum((line.unit_price * line.quantity for line in lines), Decimal(0))


def _shopper(instance, email: str | None) -> dict:
    """Who an order or checkout belongs to: the typed email, else the account's."""
    user = instance.user if instance.user_id else None
    return {
        "email": email or (user.email if user else ""),
        "user_id": global_id("User", instance.user_id) if instance.user_id else None,
        "user_pk": instance.user_id,
    }


def total_refunded(order) -> Decimal:
    """What Saleor's ``Order.totalRefunded`` resolves to, for both payment flows.

    The legacy payment flow counts the successful REFUND transactions of the last payment while
    it is active or fully refunded; otherwise the transaction flow's ``refunded_value`` sum.
    """
    payments = list(order.payments.all())
    last = max(payments, default=None, key=lambda payment: payment.pk)
    if last is not None and (last.is_active or last.charge_status == "fully-refunded"):
        return sum((t.amount for t in last.transactions.all() if t.kind == "refund" and t.is_success), Decimal(0))
    return sum((item.refunded_value for item in order.payment_transactions.all()), Decimal(0))


def attribution(metadata: dict | None) -> dict[str, str]:
    metadata = metadata or {}
    return {key: str(metadata[key]) for key in get_settings().attribution_keys if metadata.get(key)}


def _line(variant, quantity, unit_price, product_name="", variant_name="", sku=None) -> Line:
    product = variant.product if variant is not None else None
    category = product.category if product is not None else None
    return Line(
        quantity=quantity,
        unit_price=unit_price,
        product_name=product_name or (product.name if product else ""),
        variant_name=variant_name or (variant.name if variant else ""),
        sku=sku or (variant.sku if variant and variant.sku else "") or "",
        variant_id=global_id("ProductVariant", variant.pk) if variant else None,
        product_id=global_id("Product", product.pk) if product else None,
        category_id=global_id("Category", category.pk) if category else None,
        category_name=category.name if category else "",
    )


class EventRebuilder:
    """Replays of hooks that failed to build their event: the same builders, on the object as it is now."""

    BUILDERS = {"account.User": customer_payload, "order.Order": order_payload, "checkout.Checkout": checkout_payload}

    def __call__(self, kind: str, model: str, pk: str) -> Event:
        from django.apps import apps

        instance = apps.get_model(model).objects.get(pk=pk)
        return Event(EventKind(kind), self.BUILDERS[model](instance))
