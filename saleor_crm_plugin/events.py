"""Plain CRM events: what the store did, as JSON-serialisable facts with identity.

The Saleor layer builds these from Saleor objects (and the sandbox from its generator);
everything after that only sees these classes. Money is ``Decimal`` in memory and a decimal
string on the wire; times are timezone-aware and ISO 8601 on the wire.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_DELETED = "customer.deleted"
    CHECKOUT_CREATED = "checkout.created"
    CHECKOUT_UPDATED = "checkout.updated"
    ORDER_CREATED = "order.created"
    ORDER_CONFIRMED = "order.confirmed"
    ORDER_PAID = "order.paid"
    ORDER_FULLY_PAID = "order.fully_paid"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_REFUNDED = "order.refunded"
    ORDER_FULLY_REFUNDED = "order.fully_refunded"
    ORDER_FULFILLED = "order.fulfilled"
    ORDER_UPDATED = "order.updated"

    @property
    def subject(self) -> str:
        """``customer``, ``checkout`` or ``order``: which payload the event carries."""
        return self.value.split(".", 1)[0]


@dataclasses.dataclass(frozen=True)
class Line:
    """One order or checkout line, denormalised so history survives catalogue changes."""

    quantity: int
    unit_price: Decimal
    product_name: str = ""
    variant_name: str = ""
    sku: str = ""
    variant_id: str | None = None
    product_id: str | None = None
    category_id: str | None = None
    category_name: str = ""


@dataclasses.dataclass(frozen=True)
class Customer:
    user_id: str  # Saleor global ID of the User
    email: str
    user_pk: int | None = None  # primary key of settings.AUTH_USER_MODEL, for the FK
    first_name: str = ""
    last_name: str = ""
    is_active: bool = True
    marketing_consent: bool | None = None  # None: the store did not say
    date_joined: datetime | None = None
    updated_at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class Checkout:
    token: str
    channel: str
    currency: str
    total: Decimal
    updated_at: datetime
    created_at: datetime | None = None
    email: str = ""
    user_id: str | None = None
    user_pk: int | None = None
    lines: tuple[Line, ...] = ()
    attribution: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Order:
    order_id: str  # Saleor global ID of the Order
    number: str
    status: str  # Saleor OrderStatus value: unconfirmed, unfulfilled, fulfilled, canceled, ...
    channel: str
    currency: str
    total: Decimal  # gross total the shopper pays
    shipping: Decimal
    created_at: datetime
    updated_at: datetime
    email: str = ""
    user_id: str | None = None
    user_pk: int | None = None
    charge_status: str = "none"  # none, partial, full, overcharged
    total_charged: Decimal = Decimal(0)
    total_refunded: Decimal = Decimal(0)
    checkout_token: str | None = None
    lines: tuple[Line, ...] = ()
    attribution: dict[str, str] = dataclasses.field(default_factory=dict)


Payload = Customer | Checkout | Order
_PAYLOAD_CLASSES: dict[str, type] = {"customer": Customer, "checkout": Checkout, "order": Order}


@dataclasses.dataclass(frozen=True)
class Event:
    """A fact about the store. ``key`` makes a second delivery of the same fact a no-op."""

    kind: EventKind
    data: Payload

    @property
    def object_id(self) -> str:
        match self.data:
            case Customer(user_id=object_id) | Order(order_id=object_id):
                return object_id
            case Checkout(token=object_id):
                return object_id
        raise TypeError(self.data)

    @property
    def version(self) -> str:
        """What makes this delivery unique for its object: the object's last change."""
        if self.kind in (EventKind.CUSTOMER_CREATED, EventKind.CUSTOMER_DELETED):
            return "-"
        stamp = getattr(self.data, "updated_at", None)
        return stamp.isoformat() if stamp else "-"

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.object_id}:{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, self.kind.subject: _encode(self.data)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        kind = EventKind(raw["kind"])
        data_class = _PAYLOAD_CLASSES[kind.subject]
        return cls(kind=kind, data=_decode(data_class, raw[kind.subject]))


@dataclasses.dataclass(frozen=True)
class EventReference:
    """An event not built yet: the store object it is about (``model`` is its label, e.g. ``order.Order``).

    Checkout and order hooks leave these, and a worker builds the event from the object as it is when it
    applies the batch (``ports.EventRebuilder``); a hook that failed to build its event keeps one as a
    dead letter, to build again once the cause is fixed.
    """

    kind: EventKind
    model: str
    pk: str

    @property
    def key(self) -> str:
        return f"unbuilt:{self.kind.value}:{self.model}:{self.pk}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "unbuilt": {"model": self.model, "pk": self.pk}}


def decode(raw: dict[str, Any]) -> Event | EventReference:
    """An event as the outbox and the dead letters keep it: built, or a reference to build."""
    unbuilt = raw.get("unbuilt")
    if unbuilt is not None:
        return EventReference(EventKind(raw["kind"]), str(unbuilt["model"]), str(unbuilt["pk"]))
    return Event.from_dict(raw)


def normalise_email(email: str | None) -> str:
    """One spelling per mailbox, so guest orders and accounts meet on the same key."""
    return (email or "").strip().lower()


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(annotation: Any, value: Any) -> Any:
    return _decoder(annotation)(value)


@functools.cache
def _decoder(annotation: Any) -> Callable[[Any], Any]:
    """A function decoding wire values of ``annotation``, built once per type: working the annotations
    out again for every value (``get_type_hints`` above all) cost more than the rest of a worker's
    decoding, which runs thousands of times a second."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        decode = _decoder(next(arg for arg in typing.get_args(annotation) if arg is not type(None)))
    elif origin is tuple:
        item = _decoder(typing.get_args(annotation)[0])
        decode = lambda value: tuple(item(v) for v in value)  # noqa: E731
    elif origin is dict:
        decode = lambda value: {str(k): str(v) for k, v in value.items()}  # noqa: E731
    elif dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        fields = {field.name: _decoder(hints[field.name]) for field in dataclasses.fields(annotation)}
        decode = lambda value: annotation(**{k: fields[k](v) for k, v in value.items() if k in fields})  # noqa: E731
    elif annotation is Decimal:
        decode = lambda value: Decimal(str(value))  # noqa: E731
    elif annotation is datetime:
        decode = datetime.fromisoformat
    else:
        return lambda value: value
    return lambda value: None if value is None else decode(value)
