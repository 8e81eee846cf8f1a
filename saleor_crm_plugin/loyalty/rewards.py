"""What the loyalty core asks the store's ``reward_issuer`` port, and what it gets back."""

from __future__ import annotations

import dataclasses
from decimal import Decimal


class RewardNotIssued(Exception):
    """The store refused to issue the reward (or to apply it to the checkout); the points come back."""


@dataclasses.dataclass(frozen=True)
class RewardRequest:
    redemption_id: int
    user_id: str  # Saleor global ID of the shopper
    user_pk: int | None
    email: str
    channel: str
    currency: str
    value: Decimal
    points: int
    checkout_id: str | None = None


@dataclasses.dataclass(frozen=True)
class IssuedReward:
    code: str
    reference: str  # the store's ID of what it issued (a gift card's global ID in Saleor)
    applied_to_checkout: bool = False
