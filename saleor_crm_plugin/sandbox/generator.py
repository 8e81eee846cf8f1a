"""A realistic, deterministic store: shoppers, checkouts and orders as the events Saleor would send.

Every shopper's story is drawn from its own seeded random stream, so the same shopper looks the
same whether the store is replayed live (events interleaved by time) or backfilled (final states),
and any size can be generated without holding the whole store in memory.

Mix (per shopper): 60 % register up front, a fifth of the guests register after ordering; 30 %
never order (they browse and abandon carts); the rest place 1 + geometric(0.45) orders across
three channels and currencies. 90 % of orders are paid, 80 % of those fulfilled, 6 % of paid
orders refunded (a third in full); 60 % of unpaid orders are cancelled; 40 % carry UTM tags.

Baskets have the structure real order history has, so recommendations have something to find:
popularity is skewed (Zipf-like, across categories and within each), every shopper has one or two
preferred categories most of their baskets come from, every product has a few companions (socks
with sneakers) that often join it in a basket, and a later order often starts from a companion of
something bought before.
"""

from __future__ import annotations

import dataclasses
import heapq
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ..events import Checkout, Customer, Event, EventKind, Line, Order
from ..ids import global_id

CHANNELS = (("default-channel", "USD"), ("channel-eu", "EUR"), ("channel-pl", "PLN"))
CURRENCY_RATE = {"USD": Decimal("1"), "EUR": Decimal("0.92"), "PLN": Decimal("4.05")}
CATEGORIES = (
    "Sneakers",
    "Boots",
    "T-shirts",
    "Hoodies",
    "Jeans",
    "Jackets",
    "Bags",
    "Hats",
    "Socks",
    "Sunglasses",
    "Watches",
    "Candles",
)
FIRST_NAMES = (
    "Ada",
    "Ben",
    "Chloe",
    "Dan",
    "Eva",
    "Felix",
    "Gosia",
    "Hugo",
    "Iris",
    "Jan",
    "Kai",
    "Lena",
    "Marek",
    "Nina",
    "Omar",
    "Pia",
)
LAST_NAMES = (
    "Nowak",
    "Smith",
    "Müller",
    "Rossi",
    "Dubois",
    "Kowalska",
    "Jensen",
    "Garcia",
    "Novak",
    "Brown",
    "Silva",
    "Weber",
)
UTM = (
    ("google", "cpc", "brand-search"),
    ("facebook", "social", "spring-sale"),
    ("newsletter", "email", "weekly"),
    ("instagram", "social", "influencer-q3"),
)


@dataclasses.dataclass(frozen=True)
class Product:
    pk: int
    name: str
    category_pk: int
    price: Decimal  # in USD

    def line(self, quantity: int, currency: str) -> Line:
        return Line(
            quantity=quantity,
            unit_price=(self.price * CURRENCY_RATE[currency]).quantize(Decimal("0.01")),
            product_name=self.name,
            variant_name="",
            sku=f"SKU-{self.pk:05d}",
            variant_id=global_id("ProductVariant", self.pk),
            product_id=global_id("Product", self.pk),
            category_id=global_id("Category", self.category_pk),
            category_name=CATEGORIES[self.category_pk - 1],
        )


MODELS = (
    ("Classic", "19.00"),
    ("Pro", "49.50"),
    ("Limited", "129.00"),
    ("Basic", "9.99"),
    ("Deluxe", "79.90"),
    ("Sport", "34.00"),
    ("Eco", "27.50"),
    ("Travel", "59.00"),
    ("Mini", "14.90"),
    ("Signature", "99.00"),
    ("Studio", "44.00"),
    ("Heritage", "69.00"),
)
CATALOGUE = tuple(
    Product(pk=c * 100 + i + 1, name=f"{CATEGORIES[c]} {name}", category_pk=c + 1, price=Decimal(price))
    for c in range(len(CATEGORIES))
    for i, (name, price) in enumerate(MODELS)
)


class _Assortment:
    """Who buys what: skewed popularity and companion products, fixed for every seed (it is the shop)."""

    def __init__(self, catalogue: tuple[Product, ...], companions_per_product: int = 3):
        rng = random.Random("assortment")
        self.by_category: dict[int, list[Product]] = {}
        for product in catalogue:
            self.by_category.setdefault(product.category_pk, []).append(product)
        categories = list(self.by_category)
        rng.shuffle(categories)
        self.categories = categories
        self.category_weights = [1 / rank**0.8 for rank in range(1, len(categories) + 1)]
        self.weights: dict[int, list[float]] = {}
        for category, products in self.by_category.items():
            rng.shuffle(products)  # the first is the category's best seller
            self.weights[category] = [1 / rank**1.1 for rank in range(1, len(products) + 1)]
        # Each category goes with two others (sneakers with socks); companions come from them and its own.
        self.companions: dict[int, tuple[Product, ...]] = {}
        for category in categories:
            partners = rng.sample([c for c in categories if c != category], 2)
            for product in self.by_category[category]:
                pool = [category, *partners]
                chosen: list[Product] = []
                while len(chosen) < companions_per_product:
                    companion = self.pick(rng, rng.choice(pool))
                    if companion != product and companion not in chosen:
                        chosen.append(companion)
                self.companions[product.pk] = tuple(chosen)

    def category(self, rng: random.Random) -> int:
        return rng.choices(self.categories, self.category_weights)[0]

    def pick(self, rng: random.Random, category: int) -> Product:
        return rng.choices(self.by_category[category], self.weights[category])[0]


ASSORTMENT = _Assortment(CATALOGUE)


@dataclasses.dataclass
class _Taste:
    """One shopper's preferences and what they bought so far, drawn from their own stream."""

    rng: random.Random
    categories: tuple[int, ...]
    bought: list[Product] = dataclasses.field(default_factory=list)

    def basket(self, size: int) -> list[Product]:
        rng, chosen = self.rng, []
        if self.bought and rng.random() < 0.35:  # back for something that goes with an earlier purchase
            chosen.append(rng.choice(ASSORTMENT.companions[rng.choice(self.bought).pk]))
        while len(chosen) < size:
            if chosen and rng.random() < 0.55:
                product = rng.choice(ASSORTMENT.companions[rng.choice(chosen).pk])
            else:
                category = rng.choice(self.categories) if rng.random() < 0.8 else ASSORTMENT.category(rng)
                product = ASSORTMENT.pick(rng, category)
            if product not in chosen:
                chosen.append(product)
        return chosen


@dataclasses.dataclass
class Shopper:
    index: int
    email: str
    first_name: str
    last_name: str
    user_pk: int | None  # set when the shopper has (or will have) an account
    registered_at: datetime | None


class StoreGenerator:
    def __init__(self, customers: int = 1000, seed: int = 1, start: datetime | None = None, days: int = 365):
        """``days`` of trading up to ``start + days``; by default up to today (midnight UTC), like a live store."""
        self.customers = customers
        self.seed = seed
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.start = start or today - timedelta(days=days)
        self.now = self.start + timedelta(days=days)
        self.days = days

    # -- shoppers -------------------------------------------------------------------------
    def shopper(self, index: int) -> Shopper:
        rng = self._rng(index, "who")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        registers = rng.random() < 0.6
        registers_later = not registers and rng.random() < 0.2
        joined = self.start + timedelta(seconds=rng.randrange(self.days * 86400))
        return Shopper(
            index=index,
            email=f"{first}.{last}.{index}@example.com".lower(),
            first_name=first,
            last_name=last,
            user_pk=index + 1 if (registers or registers_later) else None,
            registered_at=joined
            if registers
            else (self.now - timedelta(days=rng.randrange(1, 30)) if registers_later else None),
        )

    def users(self) -> Iterator[Shopper]:
        """Shoppers with an account (for the sandbox's own user table)."""
        for index in range(self.customers):
            shopper = self.shopper(index)
            if shopper.user_pk is not None:
                yield shopper

    # -- one shopper's story --------------------------------------------------------------
    def story(self, index: int) -> list[Event]:
        """All events of one shopper, oldest first."""
        shopper = self.shopper(index)
        rng = self._rng(index, "story")
        taste = self._taste(index)
        events: list[Event] = []
        if shopper.registered_at and shopper.registered_at <= self.now:
            events.append(Event(EventKind.CUSTOMER_CREATED, self._customer(shopper, shopper.registered_at)))
        home_channel = rng.choice(CHANNELS)
        orders = 0 if rng.random() < 0.3 else min(1 + _geometric(rng, 0.45), 20)
        for n in range(orders):
            at = self._moment(rng, shopper)
            channel = home_channel if rng.random() < 0.7 else rng.choice(CHANNELS)
            events += self._order_story(shopper, rng, taste, at, channel, n)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            events += self._abandoned_checkout(shopper, rng, taste, self._moment(rng, shopper), home_channel)
        events = [e for e in events if _when(e) <= self.now]
        events.sort(key=_when)
        return events

    def live_events(self) -> Iterator[Event]:
        """Every shopper's events interleaved by time, like a live store would send them."""
        return heapq.merge(*(iter(self.story(i)) for i in range(self.customers)), key=_when)

    # -- backfill view --------------------------------------------------------------------
    def count(self, subject: str) -> int:
        if subject == "customers":
            return sum(1 for _ in self.users())
        return sum(len(self._final_orders(i)) for i in range(self.customers))

    def backfill_batches(self, subject: str, after: str | None, size: int) -> Iterator[tuple[str, list[Event]]]:
        """Final states as a Saleor backfill reads them, in batches; the cursor is a shopper index."""
        batch: list[Event] = []
        start = int(after) + 1 if after is not None else 0
        for index in range(start, self.customers):
            if subject == "customers":
                shopper = self.shopper(index)
                if shopper.user_pk is not None and shopper.registered_at <= self.now:
                    batch.append(Event(EventKind.CUSTOMER_CREATED, self._customer(shopper, shopper.registered_at)))
            else:
                batch += self._final_orders(index)
            if len(batch) >= size:
                yield str(index), batch
                batch = []
        if batch:
            yield str(self.customers - 1), batch

    def _final_orders(self, index: int) -> list[Event]:
        latest: dict[str, Order] = {}
        for event in self.story(index):
            if isinstance(event.data, Order):
                latest[event.data.order_id] = event.data
        return [Event(EventKind.ORDER_UPDATED, order) for order in latest.values()]

    # -- pieces ---------------------------------------------------------------------------
    def _rng(self, index: int, purpose: str) -> random.Random:
        return random.Random(f"{self.seed}:{index}:{purpose}")

    def _taste(self, index: int) -> _Taste:
        rng = self._rng(index, "taste")
        favourites = {ASSORTMENT.category(rng) for _ in range(rng.choice((1, 2)))}
        return _Taste(rng=rng, categories=tuple(sorted(favourites)))

    def _moment(self, rng: random.Random, shopper: Shopper) -> datetime:
        return self.start + timedelta(seconds=rng.randrange(self.days * 86400))

    def _customer(self, shopper: Shopper, joined: datetime) -> Customer:
        return Customer(
            user_id=global_id("User", shopper.user_pk),
            user_pk=shopper.user_pk,
            email=shopper.email,
            first_name=shopper.first_name,
            last_name=shopper.last_name,
            marketing_consent=shopper.index % 3 != 0,
            date_joined=joined,
            updated_at=joined,
        )

    def _account(self, shopper: Shopper, at: datetime) -> tuple[str | None, int | None]:
        if shopper.registered_at is not None and shopper.registered_at <= at:
            return global_id("User", shopper.user_pk), shopper.user_pk
        return None, None

    def _lines(self, rng: random.Random, taste: _Taste, currency: str, keep: bool = True) -> tuple[Line, ...]:
        """A basket of the shopper's taste; ``keep`` remembers it as bought (orders, not abandoned carts)."""
        size = rng.choice((1, 1, 2, 2, 3, 4))
        rng.sample(range(60), size)  # the draw baskets once took: keeps every seed's order mix as it was
        products = taste.basket(size)
        if keep:
            taste.bought += products
        return tuple(p.line(rng.choice((1, 1, 1, 2, 3)), currency) for p in products)

    def _checkout(self, shopper, rng, at, channel, lines, attribution) -> Checkout:
        user_id, user_pk = self._account(shopper, at)
        return Checkout(
            token=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            channel=channel[0],
            currency=channel[1],
            total=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
            created_at=at,
            updated_at=at,
            email=shopper.email,
            user_id=user_id,
            user_pk=user_pk,
            lines=lines,
            attribution=attribution,
        )

    def _abandoned_checkout(self, shopper, rng, taste, at, channel) -> list[Event]:
        checkout = self._checkout(shopper, rng, at, channel, self._lines(rng, taste, channel[1], keep=False), {})
        updated = dataclasses.replace(checkout, updated_at=at + timedelta(minutes=rng.randint(1, 20)))
        return [Event(EventKind.CHECKOUT_CREATED, checkout), Event(EventKind.CHECKOUT_UPDATED, updated)]

    def _order_story(self, shopper, rng, taste, at, channel, n) -> list[Event]:
        currency = channel[1]
        lines = self._lines(rng, taste, currency)
        attribution = (
            dict(zip(("utm_source", "utm_medium", "utm_campaign"), rng.choice(UTM), strict=True))
            if rng.random() < 0.4
            else {}
        )
        checkout = self._checkout(shopper, rng, at - timedelta(minutes=12), channel, lines, attribution)
        subtotal = checkout.total
        shipping = (
            Decimal(0) if subtotal > 100 else (Decimal("7.50") * CURRENCY_RATE[currency]).quantize(Decimal("0.01"))
        )
        user_id, user_pk = self._account(shopper, at)
        order = Order(
            order_id=global_id("Order", uuid.UUID(int=rng.getrandbits(128), version=4)),
            number=str(shopper.index * 100 + n + 1),
            status="unfulfilled",
            channel=channel[0],
            currency=currency,
            total=subtotal + shipping,
            shipping=shipping,
            created_at=at,
            updated_at=at,
            email=shopper.email,
            user_id=user_id,
            user_pk=user_pk,
            checkout_token=checkout.token,
            lines=lines,
            attribution=attribution,
        )
        events = [
            Event(EventKind.CHECKOUT_CREATED, checkout),
            Event(EventKind.CHECKOUT_UPDATED, dataclasses.replace(checkout, updated_at=at - timedelta(minutes=4))),
            Event(EventKind.ORDER_CREATED, order),
            Event(EventKind.ORDER_CONFIRMED, order),
        ]
        step = _Clock(at)
        if rng.random() < 0.9:
            order = dataclasses.replace(
                order,
                charge_status="full",
                total_charged=order.total,
                updated_at=step.after(minutes=rng.randint(1, 30)),
            )
            events += [Event(EventKind.ORDER_FULLY_PAID, order), Event(EventKind.ORDER_UPDATED, order)]
            if rng.random() < 0.8:
                order = dataclasses.replace(order, status="fulfilled", updated_at=step.after(days=rng.randint(1, 3)))
                events += [Event(EventKind.ORDER_FULFILLED, order), Event(EventKind.ORDER_UPDATED, order)]
            if rng.random() < 0.06:
                full = rng.random() < 1 / 3
                refunded = (
                    order.total
                    if full
                    else (order.total * Decimal(rng.choice(("0.25", "0.5")))).quantize(Decimal("0.01"))
                )
                order = dataclasses.replace(
                    order, total_refunded=refunded, updated_at=step.after(days=rng.randint(5, 20))
                )
                events.append(Event(EventKind.ORDER_REFUNDED, order))
                if full:
                    events.append(Event(EventKind.ORDER_FULLY_REFUNDED, order))
        elif rng.random() < 0.6:
            order = dataclasses.replace(order, status="canceled", updated_at=step.after(hours=rng.randint(1, 48)))
            events += [Event(EventKind.ORDER_CANCELLED, order), Event(EventKind.ORDER_UPDATED, order)]
        return events


class _Clock:
    def __init__(self, at: datetime):
        self.at = at

    def after(self, **delta: int) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def _geometric(rng: random.Random, p: float) -> int:
    n = 0
    while rng.random() > p:
        n += 1
    return n


def _when(event: Event) -> datetime:
    return (
        event.data.updated_at
        if not isinstance(event.data, Customer)
        else event.data.updated_at or event.data.date_joined
    )
