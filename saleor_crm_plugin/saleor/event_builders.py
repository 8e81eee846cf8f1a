"""Build CRM events from Saleor 3.23's rows: a customer's from the instance a hook gets, checkouts' and
orders' a batch at a time, in the worker that applies them.

A checkout or order hook leaves a reference (plugin.py); the drain builds its batch's references here
(``EventRebuilder``), and the backfill its batches of orders. A batch is read as plain rows in a few
joined queries whatever its size (orders, their lines with the catalogue facts an event carries, their
last payments' refunds and their transactions'), not as model instances: building costs the drain
little next to applying. Field names follow ``saleor/order/models.py``, ``saleor/checkout/models.py``,
``saleor/payment/models.py`` and ``saleor/account/models.py`` of Saleor 3.23.28.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from saleor.account.models import User
from saleor.checkout import models as checkout_models
from saleor.order import models as order_models
from saleor.payment import models as payment_models

from ..events import Checkout, Customer, Event, EventReference, Line, Order
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


def customer_payloads(pks: Collection[str]) -> dict[str, Customer]:
    return {str(user.pk): customer_payload(user) for user in User.objects.filter(pk__in=pks)}


# A line's catalogue facts, read with the line (joins), never the variant, product and category rows.
LINE_CATALOGUE = (
    "variant_id",
    "variant__name",
    "variant__sku",
    "variant__product_id",
    "variant__product__name",
    "variant__product__category_id",
    "variant__product__category__name",
)
ORDER_FIELDS = (
    "id",
    "number",
    "status",
    "currency",
    "total_gross_amount",
    "shipping_price_gross_amount",
    "created_at",
    "updated_at",
    "user_email",
    "user_id",
    "charge_status",
    "total_charged_amount",
    "checkout_token",
    "metadata",
)
ORDER_LINE_FIELDS = ("quantity", "unit_price_gross_amount", "product_name", "variant_name", "product_sku")


def order_payloads(pks: Collection[str]) -> dict[str, Order]:
    """The orders' payloads by pk, in five queries whatever their number."""
    rows = order_models.Order.objects.filter(pk__in=pks).values(
        *ORDER_FIELDS, channel_slug=F("channel__slug"), account_email=F("user__email")
    )
    lines = _by(order_models.OrderLine.objects.filter(order_id__in=pks), "order_id", *ORDER_LINE_FIELDS)
    refunded = total_refunded(pks)
    return {
        str(row["id"]): Order(
            order_id=global_id("Order", row["id"]),
            number=str(row["number"]),
            status=row["status"],
            channel=row["channel_slug"],
            currency=row["currency"],
            total=row["total_gross_amount"],
            shipping=row["shipping_price_gross_amount"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            **_shopper(row, row["user_email"]),
            charge_status=row["charge_status"],
            total_charged=row["total_charged_amount"],
            total_refunded=refunded.get(row["id"], Decimal(0)),
            checkout_token=row["checkout_token"] or None,
            lines=tuple(
                _line(
                    line,
                    line["unit_price_gross_amount"],
                    line["product_name"],
                    line["variant_name"],
                    line["product_sku"],
                )
                for line in lines.get(row["id"], ())
            ),
            attribution=attribution(row["metadata"]),
        )
        for row in rows
    }


CHECKOUT_FIELDS = (
    "token",
    "currency",
    "total_gross_amount",
    "price_expiration",
    "created_at",
    "last_change",
    "email",
    "user_id",
)


def checkout_payloads(pks: Collection[str]) -> dict[str, Checkout]:
    """The checkouts' payloads by token, in two queries whatever their number."""
    rows = checkout_models.Checkout.objects.filter(pk__in=pks).values(
        *CHECKOUT_FIELDS,
        channel_slug=F("channel__slug"),
        account_email=F("user__email"),
        checkout_metadata=F("metadata_storage__metadata"),
    )
    lines = _by(
        checkout_models.CheckoutLine.objects.filter(checkout_id__in=pks),
        "checkout_id",
        "quantity",
        price=F("undiscounted_unit_price_amount"),
    )
    payloads = {}
    for row in rows:
        items = tuple(_line(line, line["price"] or Decimal(0)) for line in lines.get(row["token"], ()))
        payloads[str(row["token"])] = Checkout(
            token=str(row["token"]),
            channel=row["channel_slug"],
            currency=row["currency"],
            total=_checkout_total(row, items),
            created_at=row["created_at"],
            updated_at=row["last_change"],
            **_shopper(row, row["email"]),
            lines=items,
            attribution=attribution(row["checkout_metadata"]),
        )
    return payloads


def _by(lines, key: str, *fields: str, **expressions) -> dict[object, list[dict]]:
    """Lines (in Saleor's order of lines) with their catalogue facts, grouped by ``key``: one query."""
    grouped = defaultdict(list)
    for line in lines.order_by("created_at", "id").values(key, *fields, *LINE_CATALOGUE, **expressions):
        grouped[line[key]].append(line)
    return grouped


def _checkout_total(row: dict, lines: tuple[Line, ...]) -> Decimal:
    """Saleor recalculates a checkout's stored total lazily and fires no hook when it does.

    While the stored prices are expired, the lines' own prices are the best value the CRM can have
    without running Saleor's price calculation (tax apps) for it.
    """
    if row["price_expiration"] and row["price_expiration"] > timezone.now():
        return row["total_gross_amount"]
    return sum((line.unit_price * line.quantity for line in lines), Decimal(0))


def _shopper(row: dict, email: str | None) -> dict:
    """Who an order or checkout belongs to: the typed email, else the account's."""
    return {
        "email": email or (row["account_email"] if row["user_id"] else "") or "",
        "user_id": global_id("User", row["user_id"]) if row["user_id"] else None,
        "user_pk": row["user_id"],
    }


def total_refunded(pks: Collection[str]) -> dict[object, Decimal]:
    """What Saleor's ``Order.totalRefunded`` resolves to for each order, for both payment flows.

    The legacy payment flow counts the successful REFUND transactions of the last payment while
    it is active or fully refunded; otherwise the transaction flow's ``refunded_value`` sum.
    """
    last = {}  # ordered by pk: the last payment of each order wins
    for payment in (
        payment_models.Payment.objects.filter(order_id__in=pks)
        .order_by("pk")
        .values("pk", "order_id", "is_active", "charge_status")
    ):
        last[payment["order_id"]] = payment
    legacy = {
        payment["pk"]: order
        for order, payment in last.items()
        if payment["is_active"] or payment["charge_status"] == "fully-refunded"
    }
    refunded: dict[object, Decimal] = defaultdict(Decimal)
    refunds = payment_models.Transaction.objects.filter(payment_id__in=legacy, kind="refund", is_success=True)
    for payment, amount in refunds.values_list("payment_id", "amount"):
        refunded[legacy[payment]] += amount
    items = payment_models.TransactionItem.objects.filter(order_id__in=pks).exclude(order_id__in=legacy.values())
    for order, value in items.values_list("order_id", "refunded_value"):
        refunded[order] += value
    return refunded


def attribution(metadata: dict | None) -> dict[str, str]:
    metadata = metadata or {}
    return {key: str(metadata[key]) for key in get_settings().attribution_keys if metadata.get(key)}


def _line(row: dict, unit_price, product_name="", variant_name="", sku=None) -> Line:
    """A line with its catalogue facts; an order line keeps its own names when the variant is gone."""
    variant, product, category = row["variant_id"], row["variant__product_id"], row["variant__product__category_id"]
    return Line(
        quantity=row["quantity"],
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
    """The events hooks left as references (checkouts' and orders', and hooks that failed to build one),
    built from the store's rows as they are now, a batch in a few queries whatever its size."""

    BUILDERS = {
        "account.User": customer_payloads,
        "order.Order": order_payloads,
        "checkout.Checkout": checkout_payloads,
    }

    def __call__(self, references: Sequence[EventReference]) -> list[Event | None]:
        unknown = {reference.model for reference in references} - self.BUILDERS.keys()
        if unknown:
            raise ValueError(f"no events are built from {', '.join(sorted(unknown))}")
        payloads = {}
        for model, build in self.BUILDERS.items():
            pks = {reference.pk for reference in references if reference.model == model}
            if pks:
                payloads.update({(model, pk): payload for pk, payload in build(pks).items()})
        return [
            Event(reference.kind, payloads[reference.model, reference.pk])
            if (reference.model, reference.pk) in payloads
            else None
            for reference in references
        ]
