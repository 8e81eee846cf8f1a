"""Which channel's rewards a shopper may redeem: a reward is a gift card in its channel's currency,
so a shopper is offered (and allowed) only the rewards of the channel they actually buy in."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from .. import ports
from ..profiles.models import CustomerProfile, OrderSnapshot
from .program import Program


def last_order_channels(profile_ids: list[int]) -> dict[int, str]:
    """Each shopper's channel of their newest order, in one query."""
    newest = OrderSnapshot.objects.filter(profile_id=OuterRef("pk")).order_by("-placed_at", "-pk").values("channel")
    rows = CustomerProfile.objects.filter(pk__in=profile_ids).values_list("pk", Subquery(newest[:1]))
    return {pk: channel for pk, channel in rows if channel}


def reward_channel(
    profile: CustomerProfile, checkout_id: str | None, program: Program, last_order: str | None
) -> str | None:
    """The checkout's channel when one is given (None when it isn't this shopper's), else the channel of
    their newest order (``last_order``), else the store's configured reward channel."""
    if checkout_id:
        return ports.reward_issuer().checkout_channel(checkout_id, profile.saleor_user_id)
    return last_order or program.settings.loyalty_reward_channel
