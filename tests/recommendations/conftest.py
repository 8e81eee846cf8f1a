"""A small store with known co-purchases, made through ingest like the store makes them.

Products 1 and 2 (category 1) go together in three orders; product 3 (category 2) sells alone to five
shoppers and is the best seller; product 5 only ever appears in cancelled orders; product 6 and 7
share category 3, each bought alone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile

from ..factories import T0, line, order_event
from ..graphql.conftest import ada_token, api, grace, plain_staff_token, staff_token  # noqa: F401  (the API tests' fixtures)

CATEGORY = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 3}


def product(pk: int) -> str:
    return global_id("Product", pk)


def buy(email: str, order: str, *products: int, days: float = 0, user: int | None = None, **fields) -> None:
    """One order of ``products`` by the shopper ``email``, ``days`` after T0."""
    ingest(
        order_event(
            order_id=order,
            email=email,
            user=user,
            created_at=T0 + timedelta(days=days),
            lines=tuple(line(product=p, category=CATEGORY[p]) for p in products),
            **fields,
        )
    )


def profile(email: str) -> CustomerProfile:
    return CustomerProfile.objects.get(email=email)


@pytest.fixture
def store(ada):
    for n in (1, 2, 3):
        buy(f"pair{n}@example.com", f"pair-{n}", 1, 2, *([4] if n == 3 else []))
    for n in range(5):
        buy(f"fan{n}@example.com", f"fan-{n}", 3)
    for n in range(3):
        buy(f"undo{n}@example.com", f"undo-{n}", 1, 5, kind=EventKind.ORDER_CANCELLED, status="canceled")
    buy("seven@example.com", "seven", 7)
    buy("bob@example.com", "bob", 6)
    buy("ada@example.com", "ada-1", 1, user=1)
    return ada
