"""Loyalty rewards issued by Saleor: a gift card assigned to the shopper, in the channel's currency.

Does what ``giftCardCreate`` does (a generated promo code, the site's gift card expiry settings,
``issued``/``assigned``/``note`` events, the ``gift_card_created`` plugin hook), with the card
restricted to the shopper (``assigned_to``, Saleor 3.23) so only they can use it, and created by
them (as Saleor does for gift cards a customer buys); with a checkout it is applied there as
``checkoutAddPromoCode`` would. It runs inside the redemption's transaction: if Saleor refuses,
the card and the points' deduction roll back together.
"""

from __future__ import annotations

import contextlib

import graphene
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from saleor.account.models import User
from saleor.channel.models import Channel
from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
from saleor.checkout.models import Checkout
from saleor.checkout.utils import add_promo_code_to_checkout, invalidate_checkout
from saleor.core.utils.events import call_event
from saleor.core.utils.promo_code import generate_promo_code
from saleor.giftcard import events
from saleor.giftcard.models import GiftCard
from saleor.giftcard.utils import calculate_expiry_date
from saleor.plugins.manager import get_plugins_manager

from ..ids import global_id
from ..loyalty.rewards import IssuedReward, RewardNotIssued, RewardRequest


class SaleorRewardIssuer:
    def currency(self, channel: str) -> str | None:
        return Channel.objects.filter(slug=channel, is_active=True).values_list("currency_code", flat=True).first()

    def checkout_channel(self, checkout_id: str, user_id: str) -> str | None:
        checkout = _checkout(checkout_id)
        if checkout is None or checkout.user_id is None or global_id("User", checkout.user_id) != user_id:
            return None
        return checkout.channel.slug

    def issue(self, request: RewardRequest) -> IssuedReward:
        user = User.objects.filter(pk=request.user_pk, is_active=True).first() if request.user_pk else None
        if user is None:
            raise RewardNotIssued("the customer's account is gone or inactive")
        checkout = _checkout(request.checkout_id) if request.checkout_id else None
        if request.checkout_id and (checkout is None or checkout.user_id != user.pk):
            raise RewardNotIssued("checkout not found")
        gift_card = GiftCard.objects.create(
            code=generate_promo_code(),
            currency=request.currency,
            initial_balance_amount=request.value,
            current_balance_amount=request.value,
            created_by=user,
            created_by_email=user.email,
            assigned_to=user,
            assigned_to_email=user.email,
            expiry_date=calculate_expiry_date(Site.objects.get_current().settings),
            is_active=True,
            metadata={"crm_loyalty_redemption": str(request.redemption_id)},
        )
        events.gift_card_issued_event(gift_card=gift_card, user=user, app=None)
        events.gift_card_assigned_event(
            gift_card=gift_card, previous_user_id=None, previous_email=None, user=user, app=None
        )
        events.gift_card_note_added_event(
            gift_card=gift_card, user=user, app=None, message=f"Loyalty reward for {request.points} points."
        )
        call_event(get_plugins_manager(allow_replica=False).gift_card_created, gift_card)
        if checkout is not None:
            _apply_to_checkout(checkout, gift_card.code)
        reference = graphene.Node.to_global_id("GiftCard", gift_card.pk)
        return IssuedReward(code=gift_card.code, reference=reference, applied_to_checkout=checkout is not None)


def _apply_to_checkout(checkout: Checkout, code: str) -> None:
    """What ``checkoutAddPromoCode`` does with a gift card code: add it, then mark prices stale."""
    manager = get_plugins_manager(allow_replica=False)
    lines, _ = fetch_checkout_lines(checkout)
    info = fetch_checkout_info(checkout, lines, manager)
    try:
        add_promo_code_to_checkout(manager, info, lines, code)
    except ValidationError as error:
        raise RewardNotIssued(f"the gift card can't be used on this checkout: {error.messages[0]}") from error
    checkout.save(update_fields=invalidate_checkout(info, lines, manager, recalculate_discount=False, save=False))


def _checkout(checkout_id: str) -> Checkout | None:
    """A checkout by its Saleor global ID or its token."""
    token = checkout_id
    with contextlib.suppress(Exception):  # a bare token is no global ID
        type_name, pk = graphene.Node.from_global_id(checkout_id)
        token = pk if type_name == "Checkout" else token
    try:
        return Checkout.objects.select_related("channel").filter(token=token).first()
    except ValidationError:
        return None  # not a UUID
