"""Shoppers with known purchases, made through ingest like the store makes them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile

from ..factories import T0, customer_event, line, order_event


def buy(
    pk: int, order: str, total: str = "100.00", days: float = 0, currency: str = "USD", category: int = 1, **fields
):
    """An order of the shopper with user pk ``pk``, ``days`` after T0."""
    ingest(
        order_event(
            order_id=order,
            email=f"shopper{pk}@example.com",
            user=pk,
            total=total,
            currency=currency,
            created_at=T0 + timedelta(days=days),
            lines=(line(price=total, category=category),),
            **fields,
        )
    )


def shopper(pk: int, **fields) -> CustomerProfile:
    ingest(customer_event(pk=pk, email=f"shopper{pk}@example.com", **fields))
    return CustomerProfile.objects.get(saleor_user_id__isnull=False, email=f"shopper{pk}@example.com")


@pytest.fixture
def store(db):
    """Five shoppers: 1 bought 3x big, 2 once, 3 twice in EUR, 4 never, 5 cancelled its one order."""
    profiles = {pk: shopper(pk) for pk in range(1, 6)}
    for n in range(3):
        buy(1, f"1-{n}", total="300.00", days=n, category=2)
    buy(2, "2-0", total="20.00", days=10)
    buy(3, "3-0", total="50.00", days=5, currency="EUR")
    buy(3, "3-1", total="70.00", days=6, currency="EUR")
    buy(5, "5-0", total="40.00")
    ingest(order_event(EventKind.ORDER_CANCELLED, order_id="5-0", email="shopper5@example.com", user=5,
                       total="40.00", status="canceled", updated_at=T0 + timedelta(hours=1)))  # fmt: skip
    for profile in profiles.values():
        profile.refresh_from_db()
    return profiles


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))
