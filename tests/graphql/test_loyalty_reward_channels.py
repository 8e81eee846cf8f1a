"""A shopper is offered, and may redeem, only the rewards of the channel they buy in (their checkout's,
else their newest order's); the codes they were issued stay listed."""

from decimal import Decimal

import pytest

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.models import Redemption, Reward

from ..factories import checkout_event
from ..loyalty.helpers import configure_program, paid_order, release_all

ACCOUNT = """query($checkoutId: ID) { loyaltyAccount {
  rewardChannel(checkoutId: $checkoutId)
  rewards(checkoutId: $checkoutId) { name }
  availableRewards(checkoutId: $checkoutId) { name }
  codes(first: 5) { totalCount edges { node { code value { amount currency } } } }
} }"""
REDEEM = """mutation($rewardId: ID, $checkoutId: ID) { loyaltyRedeem(rewardId: $rewardId, checkoutId: $checkoutId) {
  redemption { code } errors { field code message } } }"""


@pytest.fixture
def usd_shopper(ada, crm_settings):
    """Ada buys in the USD channel only; the store also has a PLN channel with its own rewards."""
    configure_program(crm_settings)
    paid_order(total="1000.00")
    release_all()
    usd = Reward.objects.create(
        name="$5 off", points_cost=500, value=Decimal(5), currency="USD", channel="default-channel"
    )
    pln = Reward.objects.create(
        name="20 zł off", points_cost=500, value=Decimal(20), currency="PLN", channel="channel-pln"
    )
    return usd, pln


def reward_id(reward):
    from saleor_crm_plugin.ids import global_id

    return global_id("LoyaltyReward", reward.pk)


def test_only_the_rewards_of_the_shoppers_channel_are_offered(api, ada_token, usd_shopper):
    account = api.data(ACCOUNT, token=ada_token)["loyaltyAccount"]
    assert account["rewardChannel"] == "default-channel"
    assert [r["name"] for r in account["rewards"]] == ["$5 off"]
    assert [r["name"] for r in account["availableRewards"]] == ["$5 off"]


def test_a_checkout_in_another_channel_offers_that_channels_rewards(api, ada_token, usd_shopper):
    ingest(checkout_event(token="pln-cart", user=1, channel="channel-pln", currency="PLN"))
    account = api.data(ACCOUNT, {"checkoutId": "pln-cart"}, token=ada_token)["loyaltyAccount"]
    assert (account["rewardChannel"], [r["name"] for r in account["rewards"]]) == ("channel-pln", ["20 zł off"])


def test_a_reward_of_another_channel_is_refused_and_nothing_is_issued(api, ada_token, usd_shopper):
    _, pln = usd_shopper
    result = api.data(REDEEM, {"rewardId": reward_id(pln)}, token=ada_token)["loyaltyRedeem"]
    assert result["errors"] == [
        {
            "field": "rewardId",
            "code": "INVALID",
            "message": "This reward is for another channel than the one you shop in.",
        }
    ]
    assert not Redemption.objects.exists()


def test_issued_codes_are_listed_newest_first(api, ada_token, usd_shopper):
    usd, _ = usd_shopper
    code = api.data(REDEEM, {"rewardId": reward_id(usd)}, token=ada_token)["loyaltyRedeem"]["redemption"]["code"]
    codes = api.data(ACCOUNT, token=ada_token)["loyaltyAccount"]["codes"]
    assert codes["totalCount"] == 1
    assert codes["edges"][0]["node"] == {"code": code, "value": {"amount": 5.0, "currency": "USD"}}
