"""Loyalty inside a real Saleor 3.23: a paid order's points go pending, are released once the
return window has passed (time moved), buy a real Saleor gift card that the shopper's checkout
accepts, and are taken back when Saleor refunds the order. Nothing of ours is mocked."""

from tests.saleor import require_saleor

require_saleor()

import json  # noqa: E402
from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402
from django.utils import timezone  # noqa: E402
from saleor.checkout.models import Checkout  # noqa: E402
from saleor.giftcard import GiftCardEvents  # noqa: E402
from saleor.giftcard.models import GiftCard  # noqa: E402

from saleor_crm_plugin.loyalty.earning import release_due_points  # noqa: E402
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, OrderPoints, PointsLedgerEntry, Redemption  # noqa: E402
from saleor_crm_plugin.loyalty.program import current_program  # noqa: E402
from saleor_crm_plugin.settings import reload_settings  # noqa: E402

from .test_api import URL, saleor_token  # noqa: E402
from .test_flows import (  # noqa: E402, F401  fixtures and helpers of the real flows
    CHECKOUT_CREATE,
    CHECKOUT_DELIVERY_METHOD_UPDATE,
    gid,
    refund_through_transaction,
    run,
    shop,
    staff_client,
)

pytestmark = pytest.mark.django_db

REDEEM = """mutation($points: Int!, $checkoutId: ID) {
  loyaltyRedeem(points: $points, checkoutId: $checkoutId) {
    redemption { code status value { amount currency } giftCardId checkoutId }
    account { available }
    errors { field code message }
  }
}"""
ACCOUNT = "{ loyaltyAccount { available pending lifetime debt pendingPoints { points releaseAt } } }"


@pytest.fixture
def loyalty_plugin(crm_plugin):
    """The plugin with a loyalty program set in the dashboard: 50 points per dollar, 100 points = $1."""
    crm_plugin.configuration += [
        {"name": "loyalty_earn_rates", "value": "*:50"},
        {"name": "loyalty_return_window_days", "value": "14"},
        {"name": "loyalty_redeem_rate", "value": "100"},
        {"name": "loyalty_min_redeem_points", "value": "100"},
        {"name": "loyalty_reward_channel", "value": "main"},
    ]
    crm_plugin.save()
    reload_settings()
    return crm_plugin


def crm(client, query: str, token: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}})
    response = client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    payload = response.json()
    assert "errors" not in payload, payload["errors"]
    return payload["data"]


def shoppers_checkout(user_api_client, store) -> Checkout:
    checkout = run(
        user_api_client,
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": store.channel.slug,
                "lines": [{"quantity": 1, "variantId": gid("ProductVariant", store.variant.pk)}],
                "shippingAddress": store.address,
                "billingAddress": store.address,
            }
        },
        "checkoutCreate",
    )["checkout"]
    run(
        user_api_client,
        CHECKOUT_DELIVERY_METHOD_UPDATE,
        {"id": checkout["id"], "deliveryMethodId": store.shipping_method_id},
        "checkoutDeliveryMethodUpdate",
    )
    return Checkout.objects.get(token=checkout["token"])


def test_paid_order_points_released_redeemed_as_gift_card_and_reversed_on_refund(
    loyalty_plugin, request, client, api_client, user_api_client, customer_user
):
    store, staff = request.getfixturevalue("shop"), request.getfixturevalue("staff_client")
    token = saleor_token(api_client, customer_user.email)
    order = store.mark_paid(staff, store.draft_order(staff, customer_user))
    expected = int(
        ((order.total_gross_amount - order.shipping_price_gross_amount) * 50).to_integral_value("ROUND_FLOOR")
    )
    assert expected > 100

    # paid -> pending, with a release date after the return window
    account = crm(client, ACCOUNT, token)["loyaltyAccount"]
    assert (account["available"], account["pending"]) == (0, expected)
    standing = OrderPoints.objects.get(saleor_order_id=gid("Order", order.pk))
    assert standing.release_at is not None and standing.release_at > timezone.now() + timedelta(days=13)

    # time moves past the window: the scheduled release makes them available
    release_due_points(current_program(), timezone.now() + timedelta(days=15))
    account = crm(client, ACCOUNT, token)["loyaltyAccount"]
    assert (account["available"], account["pending"], account["lifetime"]) == (expected, 0, expected)

    # redeem onto the shopper's own checkout: a real gift card, assigned to them, applied there
    checkout = shoppers_checkout(user_api_client, store)
    result = crm(client, REDEEM, token, {"points": 100, "checkoutId": gid("Checkout", checkout.token)})["loyaltyRedeem"]
    assert result["errors"] == []
    assert result["redemption"]["value"] == {"amount": 1.0, "currency": "USD"}
    card = GiftCard.objects.get(code=result["redemption"]["code"])
    assert result["redemption"]["giftCardId"] == gid("GiftCard", card.pk)
    assert (card.currency, card.initial_balance_amount, card.current_balance_amount) == ("USD", 1, 1)
    assert (card.assigned_to, card.created_by, card.is_active) == (customer_user, customer_user, True)
    assert set(card.events.values_list("type", flat=True)) >= {GiftCardEvents.ISSUED, GiftCardEvents.ASSIGNED_TO_USER}
    assert list(checkout.gift_cards.all()) == [card]
    assert result["account"]["available"] == expected - 100

    # Saleor refunds half the order: points come back off proportionally
    refund_through_transaction(staff, order, (order.total_gross_amount / 2).quantize(Decimal("0.01")))
    acc = LoyaltyAccount.objects.get(profile__saleor_user_id=gid("User", customer_user.pk))
    reversed_points = PointsLedgerEntry.objects.get(account=acc, kind="reverse").points
    assert reversed_points == -OrderPoints.objects.get(pk=standing.pk).reversed
    assert abs(-reversed_points - expected / 2) <= 1
    assert acc.available == expected - 100 + reversed_points


def test_refused_gift_card_gives_the_points_back(loyalty_plugin, request, client, api_client, customer_user):
    store, staff = request.getfixturevalue("shop"), request.getfixturevalue("staff_client")
    token = saleor_token(api_client, customer_user.email)
    store.mark_paid(staff, store.draft_order(staff, customer_user))
    release_due_points(current_program(), timezone.now() + timedelta(days=15))
    before = crm(client, ACCOUNT, token)["loyaltyAccount"]["available"]
    # Someone else's checkout answers exactly like a missing one, and nothing keeps its token.
    other = Checkout.objects.create(channel=store.channel, currency="USD", email="someone@example.com")
    answers = [
        crm(client, REDEEM, token, {"points": 100, "checkoutId": checkout_id})["loyaltyRedeem"]["errors"]
        for checkout_id in (gid("Checkout", other.token), gid("Checkout", "00000000-0000-0000-0000-000000000000"))
    ]
    assert answers[0] == answers[1] == [{"field": "checkoutId", "code": "NOT_FOUND", "message": "Checkout not found."}]
    assert not Redemption.objects.exists()
    # The shopper's own checkout, in a channel that takes no gift cards: Saleor refuses, the points come back.
    store.channel.allow_legacy_gift_card_use = False
    store.channel.save(update_fields=["allow_legacy_gift_card_use"])
    own = Checkout.objects.create(channel=store.channel, currency="USD", user=customer_user, email=customer_user.email)
    result = crm(client, REDEEM, token, {"points": 100, "checkoutId": gid("Checkout", own.token)})["loyaltyRedeem"]
    assert [e["code"] for e in result["errors"]] == ["REWARD_NOT_ISSUED"]
    assert crm(client, ACCOUNT, token)["loyaltyAccount"]["available"] == before
    assert not GiftCard.objects.exists()
