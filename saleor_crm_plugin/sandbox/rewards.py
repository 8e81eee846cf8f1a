"""The sandbox's reward port: it issues discount codes itself, so the demo's redemptions work.

Channels and currencies come from ``CRM_SANDBOX_CHANNELS``; a checkout is one the CRM has seen
(``CheckoutSnapshot``). ``CRM_SANDBOX_REFUSE_REWARDS = True`` makes it refuse, as a store may.
"""

from __future__ import annotations

import secrets

from django.conf import settings

from ..ids import global_id
from ..loyalty.rewards import IssuedReward, RewardNotIssued, RewardRequest
from ..profiles.models import CheckoutSnapshot

DEFAULT_CHANNELS = {"default-channel": "USD", "channel-pln": "PLN"}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class SandboxRewardIssuer:
    def currency(self, channel: str) -> str | None:
        return getattr(settings, "CRM_SANDBOX_CHANNELS", DEFAULT_CHANNELS).get(channel)

    def checkout_channel(self, checkout_id: str, user_id: str) -> str | None:
        checkouts = CheckoutSnapshot.objects.filter(token=checkout_id, profile__saleor_user_id=user_id)
        return checkouts.values_list("channel", flat=True).first()

    def issue(self, request: RewardRequest) -> IssuedReward:
        if getattr(settings, "CRM_SANDBOX_REFUSE_REWARDS", False):
            raise RewardNotIssued("the sandbox store refuses rewards (CRM_SANDBOX_REFUSE_REWARDS)")
        applied = False
        if request.checkout_id:
            checkout = CheckoutSnapshot.objects.filter(token=request.checkout_id).select_related("profile").first()
            if checkout is None or checkout.profile is None or checkout.profile.saleor_user_id != request.user_id:
                raise RewardNotIssued("checkout not found")
            if checkout.currency != request.currency:
                raise RewardNotIssued(f"the checkout is in {checkout.currency}, the reward in {request.currency}")
            applied = True
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        return IssuedReward(
            code=code, reference=global_id("GiftCard", f"sandbox-{request.redemption_id}"), applied_to_checkout=applied
        )
