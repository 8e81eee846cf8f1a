"""The loyalty API over HTTP with real tokens: accounts, program, redeem, adjust, federation, denials."""

from decimal import Decimal

import pytest

from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.models import Reward
from saleor_crm_plugin.sandbox.auth import app_token

from ..factories import checkout_event, later
from ..loyalty.helpers import balances, configure_program, paid_order, release_all

ACCOUNT = """
query($id: ID) {
  loyaltyAccount(customerId: $id) {
    id available pending lifetime debt expiringPoints
    tier { current { name multiplier } next { name threshold } qualifying remaining progress }
    pendingPoints { orderNumber points tierBonus releaseAt status }
    availableRewards { name pointsCost value { amount currency } }
    ledger(first: 10) { totalCount edges { node { kind points availableAfter rule reason orderId } } }
    customer { email }
  }
}"""

REDEEM = """
mutation($points: Int, $rewardId: ID, $checkoutId: ID, $customerId: ID) {
  loyaltyRedeem(points: $points, rewardId: $rewardId, checkoutId: $checkoutId, customerId: $customerId) {
    redemption { points code status value { amount currency } checkoutId }
    account { available }
    errors { field code message }
  }
}"""

ADJUST = """
mutation($id: ID!, $points: Int!, $reason: String!) {
  loyaltyPointsAdjust(customerId: $id, points: $points, reason: $reason) {
    account { available } entry { kind points reason } errors { field code message }
  }
}"""


@pytest.fixture
def loyalty(crm_settings):
    return configure_program(crm_settings)


@pytest.fixture
def earned(ada, loyalty):
    """Ada has 1000 points available (Silver) and 200 pending (base rate; the Silver bonus comes on release)."""
    paid_order(order_id="Order:1", total="1000.00")
    release_all()
    paid_order(order_id="Order:2", total="200.00")
    return ada


def crm_id(profile):
    return global_id("CrmCustomer", profile.pk)


def test_shopper_reads_own_account(api, earned, ada_token):
    data = api.data(ACCOUNT, token=ada_token)["loyaltyAccount"]
    assert (data["available"], data["pending"], data["lifetime"], data["debt"]) == (1000, 200, 1000, 0)
    assert data["tier"]["current"] == {"name": "Silver", "multiplier": "1.5"}  # Decimal scalars: exact strings
    assert data["tier"]["next"] == {"name": "Gold", "threshold": 2000}
    assert (data["tier"]["qualifying"], data["tier"]["remaining"]) == ("1000", "1000")
    assert data["tier"]["progress"] == pytest.approx(1 / 3)
    pending = data["pendingPoints"]  # at the base rate: the Silver bonus comes on release
    assert pending == [
        {"orderNumber": "2", "points": 200, "tierBonus": 0, "releaseAt": pending[0]["releaseAt"], "status": "PENDING"}
    ]
    assert data["ledger"]["totalCount"] == 3
    assert [e["node"]["kind"] for e in data["ledger"]["edges"]] == [
        "RELEASE",
        "PENDING",
        "PENDING",
    ]  # released "in 15 days"
    assert data["customer"]["email"] == "ada@example.com"


def test_staff_reads_any_account_by_customer_or_user_id(api, earned, staff_token):
    by_crm = api.data(ACCOUNT, {"id": crm_id(earned)}, token=staff_token)["loyaltyAccount"]
    by_user = api.data(ACCOUNT, {"id": global_id("User", 1)}, token=staff_token)["loyaltyAccount"]
    assert by_crm == by_user and by_crm["available"] == 1000


def test_denials(api, earned, grace, plain_staff_token):
    for token in (grace, plain_staff_token):  # someone else's account answers like a missing one
        assert api.data(ACCOUNT, {"id": crm_id(earned)}, token=token) == {"loyaltyAccount": None}
    assert api.error(ACCOUNT)["extensions"]["exception"]["code"] == "PermissionDenied"  # anonymous, no id
    body = api.raw(ADJUST, {"id": crm_id(earned), "points": 10, "reason": "x"}, token=grace)
    assert body["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    refused = api.data(REDEEM, {"points": 500, "customerId": crm_id(earned)}, token=grace)["loyaltyRedeem"]
    assert [error["code"] for error in refused["errors"]] == ["NOT_FOUND"]
    assert balances(earned) == (1000, 200, 0)


def test_program_is_public(api, loyalty):
    Reward.objects.create(name="$5 off", points_cost=500, value=Decimal("5"), currency="USD", channel="default-channel")
    data = api.data("""{ loyaltyProgram {
        earnRates { channel pointsPerUnit } returnWindowDays minRedeemPoints pointsPerUnitRedeemed
        tiers { name threshold multiplier } rewards { name pointsCost value { amount currency } } waysToEarn } }""")
    program = data["loyaltyProgram"]
    assert program["earnRates"] == [{"channel": "*", "pointsPerUnit": "1"}]
    assert [t["name"] for t in program["tiers"]] == ["Bronze", "Silver", "Gold"]
    assert program["rewards"] == [{"name": "$5 off", "pointsCost": 500, "value": {"amount": 5.0, "currency": "USD"}}]
    assert program["pointsPerUnitRedeemed"] == "100"
    assert program["waysToEarn"][0] == "1 point per unit spent"


def test_shopper_redeems_points_and_a_reward(api, earned, ada_token):
    data = api.data(REDEEM, {"points": 500}, token=ada_token)["loyaltyRedeem"]
    assert data["errors"] == []
    assert data["redemption"]["value"] == {"amount": 5.0, "currency": "USD"}
    assert data["account"]["available"] == 500
    reward = Reward.objects.create(
        name="$4 off", points_cost=400, value=Decimal("4"), currency="USD", channel="default-channel"
    )
    rewards = api.data(ACCOUNT, token=ada_token)["loyaltyAccount"]["availableRewards"]
    assert [r["name"] for r in rewards] == ["$4 off"]
    data = api.data(REDEEM, {"rewardId": global_id("LoyaltyReward", reward.pk)}, token=ada_token)["loyaltyRedeem"]
    assert (data["redemption"]["points"], data["account"]["available"]) == (400, 100)


def test_redeem_onto_a_checkout(api, earned, ada_token):
    ingest(checkout_event(token="ada-checkout", user=1))
    data = api.data(REDEEM, {"points": 500, "checkoutId": "ada-checkout"}, token=ada_token)["loyaltyRedeem"]
    assert data["redemption"]["checkoutId"] == "ada-checkout"


@pytest.mark.parametrize(
    ("variables", "error"),
    [
        ({"points": 5000}, {"field": "points", "code": "INSUFFICIENT_POINTS"}),
        ({"points": 10}, {"field": "points", "code": "MINIMUM_POINTS"}),
        ({}, {"field": "rewardId", "code": "INVALID"}),
        ({"rewardId": "bad"}, {"field": "rewardId", "code": "GRAPHQL_ERROR"}),
        ({"rewardId": global_id("LoyaltyReward", 999)}, {"field": "rewardId", "code": "NOT_FOUND"}),
        ({"points": 500, "checkoutId": "missing"}, {"field": "checkoutId", "code": "NOT_FOUND"}),
    ],
)
def test_redeem_errors(api, earned, ada_token, variables, error):
    data = api.data(REDEEM, variables, token=ada_token)["loyaltyRedeem"]
    assert [{k: e[k] for k in ("field", "code")} for e in data["errors"]] == [error]
    assert data["redemption"] is None
    assert balances(earned) == (1000, 200, 0)


def test_refused_reward_is_an_error_and_points_stay(api, earned, ada_token, settings):
    settings.CRM_SANDBOX_REFUSE_REWARDS = True
    data = api.data(REDEEM, {"points": 500}, token=ada_token)["loyaltyRedeem"]
    assert data["errors"][0]["code"] == "REWARD_NOT_ISSUED"
    assert balances(earned) == (1000, 200, 0)


def test_staff_adjusts_with_reason(api, earned, staff_token):
    data = api.data(ADJUST, {"id": crm_id(earned), "points": -250, "reason": "Duplicate order"}, token=staff_token)
    result = data["loyaltyPointsAdjust"]
    assert result["entry"] == {"kind": "ADJUST", "points": -250, "reason": "Duplicate order"}
    assert result["account"]["available"] == 750
    bad = api.data(ADJUST, {"id": crm_id(earned), "points": 0, "reason": ""}, token=staff_token)["loyaltyPointsAdjust"]
    assert bad["errors"][0]["code"] == "REQUIRED"
    too_much = api.data(ADJUST, {"id": crm_id(earned), "points": -5000, "reason": "x"}, token=staff_token)
    assert too_much["loyaltyPointsAdjust"]["errors"][0]["code"] == "INSUFFICIENT_POINTS"


def test_reward_catalogue_by_staff(api, loyalty, staff_token, plain_staff_token):
    save = """mutation($input: LoyaltyRewardInput!) { loyaltyRewardSave(input: $input) {
        reward { name pointsCost value { amount currency } } errors { field code } } }"""
    good = {"name": "$10 off", "pointsCost": 1000, "value": "10.00", "channel": "default-channel"}
    data = api.data(save, {"input": good}, token=staff_token)["loyaltyRewardSave"]
    assert data["reward"] == {"name": "$10 off", "pointsCost": 1000, "value": {"amount": 10.0, "currency": "USD"}}
    bad = api.data(save, {"input": {**good, "value": "1.001"}}, token=staff_token)["loyaltyRewardSave"]
    assert bad["errors"] == [{"field": "value", "code": "INVALID"}]
    unknown = api.data(save, {"input": {**good, "channel": "nope"}}, token=staff_token)["loyaltyRewardSave"]
    assert unknown["errors"] == [{"field": "channel", "code": "NOT_FOUND"}]
    denied = api.raw(save, {"input": good}, token=plain_staff_token)
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_federation_user_loyalty_and_order_points(api, earned, ada_token, grace):
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on User { loyalty { available } }
        ... on Order { loyaltyPoints { points reversed status orderNumber } } } }"""
    reps = [
        {"__typename": "User", "id": global_id("User", 1)},
        {"__typename": "Order", "id": global_id("Order", "Order:1")},
    ]
    data = api.data(query, {"reps": reps}, token=ada_token)["_entities"]
    assert data[0] == {"loyalty": {"available": 1000}}
    assert data[1] == {"loyaltyPoints": {"points": 1000, "reversed": 0, "status": "RELEASED", "orderNumber": "1"}}
    # Someone else's entities answer null, exactly like ones the CRM doesn't know (Saleor's _entities does too).
    assert api.raw(query, {"reps": reps}, token=grace) == {
        "data": {"_entities": [{"loyalty": None}, {"loyaltyPoints": None}]}
    }


def test_account_with_many_entities_costs_constant_queries(api, ada, loyalty, django_assert_max_num_queries):
    from ..factories import customer_event

    for pk in range(10, 30):
        ingest(customer_event(pk=pk, email=f"s{pk}@example.com"))
        paid_order(order_id=f"Order:{pk}", user=pk, email=f"s{pk}@example.com")
    token = app_token("dashboard", ["MANAGE_USERS"])
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on User { loyalty { available pending pendingPoints { points } customer { email } } } } }"""
    reps = [{"__typename": "User", "id": global_id("User", pk)} for pk in range(10, 30)]
    with django_assert_max_num_queries(8):
        data = api.data(query, {"reps": reps}, token=token)["_entities"]
    assert [d["loyalty"]["pending"] for d in data] == [100] * 20


def test_order_refund_shows_in_order_points(api, ada, loyalty, staff_token):
    paid = paid_order(total="100.00")
    release_all()
    ingest(later(paid, "order.refunded", total_refunded=Decimal("40.00")))
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on Order { loyaltyPoints { points reversed remaining } } } }"""
    reps = [{"__typename": "Order", "id": global_id("Order", "Order:1")}]
    data = api.data(query, {"reps": reps}, token=staff_token)["_entities"]
    assert data == [{"loyaltyPoints": {"points": 100, "reversed": 40, "remaining": 60}}]
