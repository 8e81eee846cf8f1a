"""What each store event does to a customer's profile, exactly once and in any order."""

import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest, ingest_many
from saleor_crm_plugin.profiles import aggregates
from saleor_crm_plugin.profiles.checkouts import mark_abandoned_checkouts
from saleor_crm_plugin.profiles.models import CheckoutSnapshot, CustomerProfile, ProfileAffinity, TimelineEntry
from saleor_crm_plugin.receipts import ProcessedEvent, claim
from saleor_crm_plugin.sandbox.generator import StoreGenerator

from .factories import (
    at,
    checkout_event,
    counters,
    crm_dump,
    customer_event,
    later,
    line,
    order_event,
    replay,
    reset_crm,
    user_id,
)

pytestmark = pytest.mark.django_db

E = EventKind


def profile(email="ada@example.com", user=None) -> CustomerProfile:
    if user is not None:
        return CustomerProfile.objects.get(saleor_user_id=user_id(user))
    return CustomerProfile.objects.get(email=email)


def apply(*events):
    return [ingest(event) for event in events]


def spend(p: CustomerProfile) -> dict:
    return {s.currency: (s.orders_count, s.total, s.average_order_value) for s in p.spend.all()}


def timeline(p: CustomerProfile) -> list[str]:
    return list(p.timeline.values_list("kind", flat=True))


def rebuilt(p: CustomerProfile) -> dict:
    aggregates.rebuild([p.pk])
    return counters(p)


# -- each kind of event ----------------------------------------------------------------------


def test_order_created_counts_a_purchase():
    lines = (line(2, "10.00", product=1, category=1), line(1, "25.00", product=2, category=1))
    assert apply(order_event(total="45.00", lines=lines, created_at=at(30))) == [True]

    p = profile()
    assert (p.orders_count, p.cancellations_count, p.refunds_count) == (1, 0, 0)
    assert spend(p) == {"USD": (1, Decimal("45.000"), Decimal("45.00"))}
    assert p.first_order_at == p.last_order_at == p.last_activity_at == at(30)
    assert p.channels == ["default-channel"]
    assert p.saleor_user_id is None and p.email == "ada@example.com"
    assert timeline(p) == ["order.placed"]
    assert p.timeline.get().summary == "Placed order #1 · 45 USD"


def test_spend_is_kept_per_currency_with_its_own_average():
    apply(
        order_event(order_id="Order:1", total="100.00", created_at=at(1)),
        order_event(order_id="Order:2", total="50.00", created_at=at(2)),
        order_event(order_id="Order:3", total="80.00", currency="EUR", channel="channel-eu", created_at=at(3)),
    )

    p = profile()
    assert p.orders_count == 3
    assert spend(p) == {
        "USD": (2, Decimal("150.000"), Decimal("75.00")),
        "EUR": (1, Decimal("80.000"), Decimal("80.00")),
    }
    assert (p.first_order_at, p.last_order_at) == (at(1), at(3))
    assert p.channels == ["channel-eu", "default-channel"]


def test_order_milestones_are_on_the_timeline_newest_first():
    created = order_event(total="20.00")
    paid = later(created, E.ORDER_FULLY_PAID, minutes=5, charge_status="full", total_charged=Decimal("20.00"))
    fulfilled = later(paid, E.ORDER_FULFILLED, minutes=60, status="fulfilled")
    apply(created, later(created, E.ORDER_CONFIRMED, minutes=0), paid, fulfilled)

    p = profile()
    assert timeline(p) == ["order.fulfilled", "order.paid", "order.placed"]
    assert [e.occurred_at for e in p.timeline.all()] == [at(65), at(5), at(0)]
    assert p.orders_count == 1 and spend(p)["USD"][:2] == (1, Decimal("20.000"))
    snapshot = p.orders.get()
    assert (snapshot.status, snapshot.paid_at, snapshot.fulfilled_at) == ("fulfilled", at(5), at(65))


def test_favourites_rank_categories_and_products_by_units_bought():
    apply(
        order_event(order_id="Order:1", lines=(line(1, product=1, category=1), line(3, product=2, category=2))),
        order_event(order_id="Order:2", lines=(line(2, product=3, category=1),), created_at=at(1)),
    )

    p = profile()
    categories = aggregates.favourites(p, ProfileAffinity.CATEGORY, limit=3)
    assert [(a.name, a.quantity) for a in categories] == [("Category 1", 3), ("Category 2", 3)]
    products = aggregates.favourites(p, ProfileAffinity.PRODUCT, limit=2)
    assert [(a.name, a.quantity) for a in products] == [("Product 2", 3), ("Product 3", 2)]


def test_first_and_last_touch_come_from_utm_attribution_by_time():
    google = {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "brand"}
    mail = {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "weekly"}
    # The later order arrives first: touches go by when they happened, not by delivery.
    apply(
        order_event(order_id="Order:2", attribution=mail, created_at=at(days=2)),
        order_event(order_id="Order:1", attribution=google, created_at=at(days=1)),
        order_event(order_id="Order:3", created_at=at(days=3)),  # untagged: no touch
    )

    p = profile()
    assert p.first_touch == {**google, "at": at(days=1).isoformat(), "via": "order #1"}
    assert p.last_touch == {**mail, "at": at(days=2).isoformat(), "via": "order #2"}
    assert p.last_activity_at == at(days=3)


def test_customer_events_set_details_and_consent_and_ignore_stale_updates():
    apply(customer_event(E.CUSTOMER_CREATED, pk=1, marketing_consent=True))
    p = profile(user=1)
    assert (p.email, p.first_name, p.marketing_consent, p.joined_at) == ("ada@example.com", "Ada", True, at(0))
    assert timeline(p) == ["customer.registered"]

    apply(customer_event(E.CUSTOMER_UPDATED, pk=1, first_name="Augusta", marketing_consent=False, updated_at=at(10)))
    apply(customer_event(E.CUSTOMER_UPDATED, pk=1, first_name="Stale", marketing_consent=True, updated_at=at(5)))

    p.refresh_from_db()
    assert (p.first_name, p.marketing_consent) == ("Augusta", False)
    apply(customer_event(E.CUSTOMER_UPDATED, pk=1, updated_at=at(11)))  # consent not said: kept
    p.refresh_from_db()
    assert p.marketing_consent is False


def test_partial_then_full_refund():
    created = order_event(total="100.00")
    partial = later(created, E.ORDER_REFUNDED, minutes=10, total_refunded=Decimal("30.00"))
    full = later(partial, E.ORDER_FULLY_REFUNDED, minutes=10, total_refunded=Decimal("100.00"))
    apply(created, partial)

    p = profile()
    assert p.refunds_count == 1
    assert spend(p) == {"USD": (1, Decimal("70.000"), Decimal("70.00"))}

    apply(full)
    p.refresh_from_db()
    assert (p.orders_count, p.refunds_count) == (1, 1)
    assert spend(p) == {"USD": (1, Decimal("0.000"), Decimal("0.00"))}
    assert list(p.timeline.filter(kind="order.refunded").values_list("summary", flat=True)) == [
        "Refunded 100 USD of order #1",
        "Refunded 30 USD of order #1",
    ]
    assert counters(p) == rebuilt(p)


def test_cancelled_order_stops_counting():
    created = order_event(order_id="Order:1", total="40.00", created_at=at(days=1))
    apply(order_event(order_id="Order:0", total="10.00"), created)
    apply(later(created, E.ORDER_CANCELLED, minutes=30, status="canceled"))

    p = profile()
    assert (p.orders_count, p.cancellations_count) == (1, 1)
    assert spend(p)["USD"][:2] == (1, Decimal("10.000"))
    assert p.first_order_at == p.last_order_at == at(0)  # the cancelled order is no longer the last
    assert aggregates.favourites(p, ProfileAffinity.PRODUCT, 3)[0].quantity == 1
    assert "order.cancelled" in timeline(p)
    assert counters(p) == rebuilt(p)


# -- duplicates and order of delivery --------------------------------------------------------


def story() -> list:
    """One shopper: a checkout, an order paid, fulfilled and partly refunded, a cancelled order."""
    checkout = checkout_event(token="tok-1", updated_at=at(-10))
    first = order_event(order_id="Order:1", total="60.00", checkout_token="tok-1", attribution={"utm_source": "google"})
    paid = later(first, E.ORDER_FULLY_PAID, 5, charge_status="full", total_charged=Decimal("60.00"))
    fulfilled = later(paid, E.ORDER_FULFILLED, 60, status="fulfilled")
    refunded = later(fulfilled, E.ORDER_REFUNDED, 600, total_refunded=Decimal("15.00"))
    second = order_event(order_id="Order:2", total="25.00", created_at=at(days=1), currency="EUR", channel="eu")
    cancelled = later(second, E.ORDER_CANCELLED, 30, status="canceled")
    return [checkout, first, paid, fulfilled, refunded, second, cancelled]


def test_same_event_twice_changes_nothing():
    event = order_event()
    assert apply(event) == [True]
    before = crm_dump()

    assert apply(event) == [False]
    assert crm_dump() == before
    assert ingest_many([event, event]).skipped == 2
    assert crm_dump() == before


def test_whole_stream_twice_changes_nothing():
    events = story()
    once = replay(events)
    apply(*events)
    assert crm_dump() == once
    assert ingest_many(events).applied == 0
    assert crm_dump() == once
    assert once["spend"] == [("guest:ada@example.com", "USD", 1, Decimal("45.000"))]


def test_fully_paid_before_created_ends_in_the_same_state():
    created = order_event(total="20.00")
    paid = later(created, E.ORDER_FULLY_PAID, 5, charge_status="full", total_charged=Decimal("20.00"))

    in_order = replay([created, paid])
    assert replay([paid, created]) == in_order
    snapshot = profile().orders.get()
    assert (snapshot.charge_status, snapshot.paid_at, snapshot.version) == ("full", at(5), at(5))
    assert profile().orders_count == 1


def test_every_ordering_of_one_shoppers_story_ends_the_same():
    events = story()
    in_order = replay(events)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert replay(shuffled) == in_order, [e.key for e in shuffled]


def test_shuffled_generated_store_ends_like_live_delivery():
    events = list(StoreGenerator(customers=150, seed=11).live_events())
    in_order = replay(events)
    assert len(in_order["profiles"]) > 100 and in_order["spend"] and in_order["affinities"]

    random.Random(3).shuffle(events)
    shuffled = replay(events)

    for part in ("profiles", "spend", "affinities", "timeline"):
        assert shuffled[part] == in_order[part], part


def test_batched_and_portable_counter_writes_end_like_one_by_one(monkeypatch):
    """The PostgreSQL fast path (one UPDATE ... FROM VALUES) and its portable twin agree."""
    events = list(StoreGenerator(customers=120, seed=17).live_events())
    one_by_one = replay(events)

    reset_crm()
    for start in range(0, len(events), 200):
        assert not ingest_many(events[start : start + 200]).failed
    assert crm_dump() == one_by_one

    monkeypatch.setattr(aggregates, "write_profile_deltas", aggregates.write_profile_deltas_portable)
    reset_crm()
    for start in range(0, len(events), 200):
        assert not ingest_many(events[start : start + 200]).failed
    assert crm_dump() == one_by_one


# -- which profile a fact lands on -----------------------------------------------------------


def test_guest_history_joins_the_account_on_registration_without_double_counting():
    apply(
        order_event(order_id="Order:1", email="Ada@Example.com", total="30.00"),
        order_event(order_id="Order:2", email="ada@example.com", total="20.00", created_at=at(days=1)),
        checkout_event(token="tok-9", email="ada@example.com", updated_at=at(days=2)),
    )
    apply(customer_event(E.CUSTOMER_CREATED, pk=5, email="ADA@example.com", date_joined=at(days=3)))
    apply(order_event(order_id="Order:3", user=5, total="10.00", created_at=at(days=4)))

    assert CustomerProfile.objects.count() == 1
    p = profile(user=5)
    assert p.orders.count() == 3 and p.checkouts.count() == 1
    assert p.orders_count == 3
    assert spend(p) == {"USD": (3, Decimal("60.000"), Decimal("20.00"))}
    assert (p.first_order_at, p.last_order_at) == (at(0), at(days=4))
    assert counters(p) == rebuilt(p)


@pytest.mark.parametrize("registered_first", [False, True])
def test_one_batch_with_guest_orders_and_the_registration_makes_one_profile(registered_first):
    guest_orders = [
        order_event(order_id="Order:1", email="ada@example.com", total="30.00"),
        order_event(order_id="Order:2", email="ada@example.com", total="20.00", created_at=at(days=1)),
    ]
    registration = customer_event(E.CUSTOMER_CREATED, pk=5, email="Ada@example.com", date_joined=at(days=2))
    batch = [registration, *guest_orders] if registered_first else [*guest_orders, registration]

    result = ingest_many([*batch, order_event(order_id="Order:3", user=5, total="10.00", created_at=at(days=3))])

    assert (result.applied, result.failed) == (4, [])
    assert CustomerProfile.objects.count() == 1
    p = profile(user=5)
    assert (p.orders_count, p.first_name) == (3, "Ada")
    assert spend(p) == {"USD": (3, Decimal("60.000"), Decimal("20.00"))}
    assert counters(p) == rebuilt(p)


def test_guest_order_with_an_accounts_email_lands_on_the_account():
    apply(customer_event(E.CUSTOMER_CREATED, pk=5))
    apply(order_event(email=" ADA@example.com "))

    assert CustomerProfile.objects.count() == 1
    p = profile(user=5)
    assert p.orders_count == 1 and p.orders.get().email == "ada@example.com"


def test_changing_email_to_one_with_guest_history_merges_it():
    apply(
        customer_event(E.CUSTOMER_CREATED, pk=5, email="old@example.com"),
        order_event(order_id="Order:1", email="old@example.com", user=5, total="10.00"),
        order_event(order_id="Order:2", email="new@example.com", total="30.00", created_at=at(days=1)),
    )
    assert CustomerProfile.objects.count() == 2

    apply(customer_event(E.CUSTOMER_UPDATED, pk=5, email="new@example.com", updated_at=at(days=2)))

    assert CustomerProfile.objects.count() == 1
    p = profile(user=5)
    assert p.email == "new@example.com"
    assert (p.orders_count, p.first_order_at, p.last_order_at) == (2, at(0), at(days=1))
    assert spend(p) == {"USD": (2, Decimal("40.000"), Decimal("20.00"))}
    assert {"order.placed", "profile.merged", "customer.registered"} <= set(timeline(p))
    assert counters(p) == rebuilt(p)


# -- checkouts ---------------------------------------------------------------------------------


def test_order_completes_its_checkout():
    apply(checkout_event(token="tok-1", updated_at=at(-10)))
    p = profile()
    assert timeline(p) == ["checkout.started"]
    assert p.last_activity_at == at(-10)

    apply(order_event(checkout_token="tok-1"))

    checkout = CheckoutSnapshot.objects.get(token="tok-1")
    assert checkout.completed_at == at(0)
    assert checkout.profile == p
    assert mark_abandoned_checkouts(at(days=1)) == 0


def test_a_checkout_event_arriving_after_its_order_is_still_completed():
    checkout = checkout_event(token="tok-1", updated_at=at(-10))
    apply(order_event(checkout_token="tok-1"), checkout, later(checkout, E.CHECKOUT_UPDATED, minutes=6))

    assert CheckoutSnapshot.objects.get(token="tok-1").completed_at == at(0)
    assert mark_abandoned_checkouts(at(days=1)) == 0
    assert not TimelineEntry.objects.filter(kind="checkout.abandoned").exists()


def test_mark_abandoned_checkouts_marks_only_stale_open_checkouts_with_a_shopper(crm_settings):
    crm_settings(checkout_abandoned_after_hours=4)
    apply(
        checkout_event(token="stale", updated_at=at(0)),
        checkout_event(token="fresh", updated_at=at(hours=9)),
        checkout_event(token="empty", updated_at=at(0), lines=()),
        checkout_event(token="anonymous", email="", updated_at=at(0)),
        checkout_event(token="done", updated_at=at(0)),
        order_event(checkout_token="done", created_at=at(1)),
    )
    now = at(hours=10)

    assert mark_abandoned_checkouts(now) == 1
    assert mark_abandoned_checkouts(now) == 0

    abandoned = CheckoutSnapshot.objects.filter(abandoned_at__isnull=False)
    assert list(abandoned.values_list("token", flat=True)) == ["stale"]
    entry = TimelineEntry.objects.get(kind="checkout.abandoned")
    assert entry.profile == profile() and entry.occurred_at == at(0)
    assert entry.summary == "Left a checkout · 1 item(s), 10 USD"


def test_an_abandoned_checkout_touched_again_is_open_again():
    stale = checkout_event(token="stale", updated_at=at(0))
    apply(stale)
    mark_abandoned_checkouts(at(hours=5))
    apply(later(stale, E.CHECKOUT_UPDATED, minutes=6 * 60))

    assert CheckoutSnapshot.objects.get(token="stale").abandoned_at is None


# -- batches and receipts ----------------------------------------------------------------------


def test_ingest_many_applies_the_good_events_and_reports_the_bad_one():
    bad = order_event(order_id="Order:2", email="bob@example.com", currency="DOLLARS")  # too long for the column
    good = [order_event(order_id="Order:1"), order_event(order_id="Order:3", email="eve@example.com")]

    result = ingest_many([good[0], bad, good[1]])

    assert result.applied == 2 and result.skipped == 0
    assert [event for event, _ in result.failed] == [bad]
    assert sorted(CustomerProfile.objects.values_list("email", "orders_count")) == [
        ("ada@example.com", 1),
        ("eve@example.com", 1),
    ]
    assert not ProcessedEvent.objects.filter(key=bad.key).exists()  # may be retried


def test_claim_returns_each_key_once():
    assert claim([("a", "order.created"), ("b", "order.created")]) == {"a", "b"}
    assert claim([("b", "order.created"), ("c", "order.created"), ("c", "order.created")]) == {"c"}
    assert claim([("a", "order.created")]) == set()
    assert claim([]) == set()
    assert ProcessedEvent.objects.count() == 3


# -- incremental counters equal counters recomputed from the snapshots ------------------------

# A small generated store (guests, accounts, refunds, cancellations) plus one hand-written story.
POOL = [*StoreGenerator(customers=6, seed=2, days=60).live_events(), *story()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=2 * len(POOL)),
    batched=st.booleans(),
)
def test_counters_equal_a_rebuild_from_snapshots_whatever_is_delivered(picks, batched):
    reset_crm()
    events = [POOL[i] for i in picks]
    if batched:
        assert not ingest_many(events).failed
    else:
        apply(*events)

    for p in CustomerProfile.objects.all():
        assert counters(p) == rebuilt(p), p.email


def test_the_property_pool_has_every_kind_of_fact():
    assert {e.kind for e in POOL} >= set(EventKind) - {E.CUSTOMER_UPDATED, E.CUSTOMER_DELETED, E.ORDER_PAID}
    assert any(e.data.user_id is None for e in POOL if e.kind.subject == "order")
    assert any(e.data.user_id is not None for e in POOL if e.kind.subject == "order")
