"""Loyalty's reaction to each run of ingested events: sign-up bonuses and order points, set-wise.

Besides the run's own orders, the run's registered shoppers' orders that have no points yet are
settled: a guest order joins an account when its shopper registers (the profiles merge), and it
must earn the same whether it arrived before or after the registration.
"""

from __future__ import annotations

from django.utils import timezone

from ..events import Event, EventKind, Order
from ..ingest import subscribe
from ..profiles.models import CustomerProfile
from .accounts import open_accounts
from .actions import award_signup_bonuses
from .earning import settle_orders, unsettled_orders
from .program import current_program


@subscribe
def on_run(events: list[Event], profiles: list[CustomerProfile | None]) -> None:
    program, now = current_program(), timezone.now()
    signups = [
        profile.pk
        for event, profile in zip(events, profiles, strict=True)
        if event.kind == EventKind.CUSTOMER_CREATED and profile is not None and profile.saleor_user_id
    ]
    open_accounts(signups)  # every registered shopper has an account, with or without a bonus
    award_signup_bonuses(signups, program, now)
    orders = {event.data.order_id for event in events if isinstance(event.data, Order)}
    registered = {profile.pk for profile in profiles if profile is not None and profile.saleor_user_id}
    settle_orders(orders | unsettled_orders(registered), program, now)
