"""Customers simulated from the prediction models themselves (seeded), as arrays or as CRM orders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from saleor_crm_plugin.analytics.predictions_purchases import PurchaseModel
from saleor_crm_plugin.profiles.aggregates import rebuild
from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot

END = datetime(2026, 6, 30, tzinfo=UTC)


def purchase_times(rng, model: PurchaseModel, params: dict, ages: np.ndarray) -> list[np.ndarray]:
    """Each customer's repeat purchase times (days after their first), drawn from the model's story:
    λ ~ Gamma(r, alpha); Poisson purchases until a drop-out coin, p ~ Beta(a, b), comes up (after each
    repeat purchase; under MBG/NBD also right after the first), or under Pareto/NBD until the lifetime ends."""
    n = len(ages)
    rate = rng.gamma(params["r"], 1 / params["alpha"], n)
    if model is PurchaseModel.PARETO_NBD:  # a lifetime ~ Exp(μ), μ ~ Gamma(s, beta); no drop-out coins
        ages = np.minimum(ages, rng.exponential(1 / rng.gamma(params["s"], 1 / params["beta"], n)))
        drop = np.zeros(n)
    else:
        drop = rng.beta(params["a"], params["b"], n)
    alive = np.ones(n, dtype=bool)
    if model is PurchaseModel.MBG_NBD:
        alive &= rng.random(n) >= drop
    now = np.zeros(n)
    times: list[list[float]] = [[] for _ in range(n)]
    while alive.any():
        who = np.flatnonzero(alive)
        nxt = now[who] + rng.exponential(1 / rate[who])
        inside = nxt <= ages[who]
        alive[who[~inside]] = False
        buyers = who[inside]
        now[buyers] = nxt[inside]
        for customer, at in zip(buyers.tolist(), nxt[inside].tolist(), strict=True):
            times[customer].append(at)
        alive[buyers] &= rng.random(len(buyers)) >= drop[buyers]
    return [np.array(row) for row in times]


def simulate(rng, model: PurchaseModel, params: dict, ages: np.ndarray):
    """(x, t_x, T) arrays in continuous time."""
    times = purchase_times(rng, model, params, ages)
    x = np.array([len(row) for row in times], dtype=float)
    t_x = np.array([row[-1] if len(row) else 0.0 for row in times])
    return x, t_x, ages.astype(float)


def seed_orders(rng, customers: int, currency: str = "USD", days: int = 400, params: dict | None = None) -> list[int]:
    """Profiles with counted orders simulated by MBG/NBD, first orders spread over ``days`` before END;
    order values gamma distributed around each customer's own mean. Counters rebuilt as ingest keeps them."""
    params = params or {"r": 0.6, "alpha": 40.0, "a": 0.9, "b": 2.0}
    first = rng.integers(0, days, customers)
    ages = (days - first).astype(float)
    times = purchase_times(rng, PurchaseModel.MBG_NBD, params, ages)
    means = rng.gamma(4.0, 15.0, customers)
    start = END - timedelta(days=days)
    tag = uuid.uuid4().hex[:8]
    profiles = CustomerProfile.objects.bulk_create(
        CustomerProfile(email=f"c{i}-{tag}@example.com") for i in range(customers)
    )
    orders = []
    for profile, day, repeats, mean in zip(profiles, first.tolist(), times, means.tolist(), strict=True):
        for offset in [0.0, *repeats.tolist()]:
            placed = start + timedelta(days=day + offset, hours=1)
            value = Decimal(str(round(rng.gamma(6.0, mean / 6.0), 2)))
            orders.append(order(profile, currency, placed, value))
    OrderSnapshot.objects.bulk_create(orders)
    ids = [profile.pk for profile in profiles]
    rebuild(ids)
    return ids


def order(profile: CustomerProfile, currency: str, placed: datetime, total: Decimal, **extra) -> OrderSnapshot:
    return OrderSnapshot(
        saleor_order_id=f"order-{uuid.uuid4().hex}",
        profile=profile,
        currency=currency,
        total=total,
        placed_at=placed,
        version=placed,
        **{"status": "unfulfilled", **extra},
    )
