"""What profiles let a segment ask: profile fields and behaviour functions, registered like any domain's.

Behaviour functions look at the order and checkout snapshots; a window (``since``) is a date,
usually relative (``bought_category("Shoes", -90d)``: bought in the last 90 days).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from ..profiles.aggregates import COUNTED_ORDERS
from ..profiles.models import CheckoutSnapshot, CustomerSpend, CustomerTag, OrderSnapshot, ProfileAffinity
from .language.registry import Param, Vocabulary, register_field, register_function
from .language.values import ValueType

SINCE = Param("since", ValueType.DATETIME, required=False)
CURRENCY = Param("currency", ValueType.STRING)

for name, value_type, description in (
    ("email", ValueType.STRING, "The customer's email address."),
    ("first_name", ValueType.STRING, "First name."),
    ("last_name", ValueType.STRING, "Last name."),
    ("orders_count", ValueType.INT, "Orders placed and not cancelled."),
    ("cancellations_count", ValueType.INT, "Orders cancelled."),
    ("refunds_count", ValueType.INT, "Orders (partly) refunded."),
    ("is_active", ValueType.BOOL, "The account is active."),
):
    register_field(name, value_type, name, description)
for name, description in (
    ("first_order_at", "When the first order was placed."),
    ("last_order_at", "When the latest order was placed."),
    ("last_activity_at", "The latest order or checkout activity."),
    ("joined_at", "When the account was created."),
):
    register_field(name, ValueType.DATETIME, name, description, nullable=True)
register_field("marketing_consent", ValueType.BOOL, "marketing_consent", "Agreed to marketing.", nullable=True)


def _is_guest(lookup: str, value: object) -> Q:
    wanted = set(value) if lookup == "in" else {bool(value)}
    return Q(pk__isnull=False) if len(wanted) == 2 else Q(saleor_user_id__isnull=wanted.pop())  # both: everyone


register_field("is_guest", ValueType.BOOL, None, "Ordered without an account.", condition=_is_guest)


def _tag(lookup: str, value: object) -> Q:
    names = [str(v).lower() for v in value] if lookup == "in" else str(value).lower()
    return Q(Exists(CustomerTag.objects.filter(profile=OuterRef("pk"), **{f"name__{lookup}": names})))


register_field("tag", ValueType.STRING, None, "One of the customer's tags.", condition=_tag)


def _counted_orders(since: datetime | None = None):
    orders = OrderSnapshot.objects.filter(COUNTED_ORDERS, profile=OuterRef("pk"))
    return orders.filter(placed_at__gte=since) if since is not None else orders


def _holds_for_zero(lookup: str, value) -> bool:
    zero = Decimal(0)
    return {
        "exact": lambda: zero == value,
        "lt": lambda: zero < value,
        "lte": lambda: zero <= value,
        "gt": lambda: zero > value,
        "gte": lambda: zero >= value,
        "in": lambda: zero in value,
        "range": lambda: value[0] <= zero <= value[1],
    }[lookup]()


def _spent_compare(lookup: str, value: object, currency: str) -> Q:
    """``spent(c) op v`` as EXISTS over the one spend row: the planner makes it a semi-join."""
    rows = CustomerSpend.objects.filter(profile=OuterRef("pk"), currency=currency.upper())
    if _holds_for_zero(lookup, value):  # customers without a row (spent 0) match too
        return ~Q(Exists(rows.exclude(**{f"total__{lookup}": value})))
    return Q(Exists(rows.filter(**{f"total__{lookup}": value})))


def _spent(currency: str):
    rows = CustomerSpend.objects.filter(profile=OuterRef("pk"), currency=currency.upper()).values("total")[:1]
    return Coalesce(Subquery(rows), Value(Decimal(0)), output_field=DecimalField(max_digits=20, decimal_places=3))


register_function(
    "spent",
    _spent,
    (CURRENCY,),
    "Lifetime net spend in a currency (0 when never bought in it).",
    returns=ValueType.DECIMAL,
    compare=_spent_compare,
)


def _aov_compare(lookup: str, value: object, currency: str) -> Q:
    """Average order value exists only for customers who bought in ``currency``."""
    rows = CustomerSpend.objects.filter(profile=OuterRef("pk"), currency=currency.upper(), orders_count__gt=0)
    aov = ExpressionWrapper(F("total") / F("orders_count"), output_field=DecimalField(max_digits=20, decimal_places=3))
    return Q(Exists(rows.alias(aov=aov).filter(**{f"aov__{lookup}": value})))


register_function(
    "aov",
    lambda currency: Value(None),  # only ever compared, through ``compare``
    (CURRENCY,),
    "Average order value in a currency; customers who never bought in it have none and never match.",
    returns=ValueType.DECIMAL,
    compare=_aov_compare,
)


def _orders_since(since: datetime):
    counted = _counted_orders(since).order_by().values("profile").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


register_function(
    "orders_since",
    _orders_since,
    (Param("since", ValueType.DATETIME),),
    "Orders placed since a date, e.g. orders_since(-90d) >= 2.",
    returns=ValueType.INT,
)


def _in_lines(keys: tuple[str, ...], ref: str) -> Q:
    matches = Q()
    for key in keys:  # JSON containment: answered by the GIN index on order lines
        matches |= Q(lines__contains=[{key: ref}])
    return matches


def _bought(keys: tuple[str, ...]):
    def build(ref: str, since: datetime | None = None) -> Q:
        return Q(Exists(_counted_orders(since).filter(_in_lines(keys, ref))))

    return build


def _line_vocabulary(what: str, keys: tuple[str, ...], kind: str) -> Vocabulary:
    return Vocabulary(
        what,
        seen=lambda ref: OrderSnapshot.objects.filter(_in_lines(keys, ref)).exists(),
        names=lambda: ProfileAffinity.objects.filter(kind=kind).values_list("name", flat=True).distinct(),
    )


PRODUCT_KEYS, CATEGORY_KEYS = ("product_id", "sku", "product_name"), ("category_id", "category_name")
register_function(
    "bought_product",
    _bought(PRODUCT_KEYS),
    (
        Param(
            "product", ValueType.STRING, vocabulary=_line_vocabulary("product", PRODUCT_KEYS, ProfileAffinity.PRODUCT)
        ),
        SINCE,
    ),
    "Bought a product (Saleor ID, SKU or exact name), optionally since a date.",
)
register_function(
    "bought_category",
    _bought(CATEGORY_KEYS),
    (
        Param(
            "category",
            ValueType.STRING,
            vocabulary=_line_vocabulary("category", CATEGORY_KEYS, ProfileAffinity.CATEGORY),
        ),
        SINCE,
    ),
    "Bought from a category (Saleor ID or exact name), optionally since a date.",
)
CHANNELS = Vocabulary(
    "channel",
    seen=lambda slug: OrderSnapshot.objects.filter(channel=slug).exists(),
    names=lambda: OrderSnapshot.objects.order_by().values_list("channel", flat=True).distinct(),
)
register_function(
    "bought_in_channel",
    lambda channel, since=None: Q(Exists(_counted_orders(since).filter(channel=channel))),
    (Param("channel", ValueType.STRING, vocabulary=CHANNELS), SINCE),
    "Ordered in a channel (its slug), optionally since a date.",
)


def _abandoned_checkout(since: datetime | None = None) -> Q:
    checkouts = CheckoutSnapshot.objects.filter(
        profile=OuterRef("pk"), abandoned_at__isnull=False, completed_at__isnull=True
    )
    return Q(Exists(checkouts.filter(abandoned_at__gte=since) if since is not None else checkouts))


register_function(
    "abandoned_checkout", _abandoned_checkout, (SINCE,), "Left a checkout unfinished, optionally since a date."
)
register_function(
    "consented", lambda: Q(marketing_consent=True), (), "Agreed to marketing (same as marketing_consent = true)."
)
