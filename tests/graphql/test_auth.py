"""Who may read what: shoppers only themselves, staff with MANAGE_USERS, bad tokens refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import signing

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.auth import SALT, app_token

ME = "{ crmMe { email ordersCount } }"
CUSTOMER = "query($id: ID!) { crmCustomer(id: $id) { email } }"
CUSTOMERS = "{ crmCustomers(first: 10) { totalCount edges { node { email } } } }"
DENIED = "To access this path, you need one of the following permissions: MANAGE_USERS"


def test_a_shopper_reads_their_own_profile(api, ada_token):
    assert api.data(ME, token=ada_token) == {"crmMe": {"email": "ada@example.com", "ordersCount": 0}}


def test_anonymous_callers_have_no_profile_and_no_customers(api, ada):
    assert api.data(ME) == {"crmMe": None}
    error = api.error(CUSTOMERS)
    assert error["message"] == "You need to sign in to perform this action."
    assert error["extensions"] == {"exception": {"code": "PermissionDenied"}}


def test_a_shopper_cannot_read_another_shoppers_profile(api, ada, grace, ada_token):
    grace_id = global_id("CrmCustomer", CustomerProfile.objects.get(email="grace@example.com").pk)
    assert api.raw(CUSTOMER, {"id": grace_id}, token=ada_token) == {"data": {"crmCustomer": None}}  # as if missing
    assert api.data(CUSTOMER, {"id": global_id("CrmCustomer", ada.pk)}, token=ada_token) == {
        "crmCustomer": {"email": "ada@example.com"}
    }


def test_a_shopper_cannot_probe_other_emails(api, ada, grace, ada_token):
    query = "query($email: String!) { crmCustomer(email: $email) { email } }"
    assert api.error(query, {"email": "grace@example.com"}, token=ada_token)["message"] == DENIED
    assert api.error(query, {"email": "nobody@example.com"}, token=ada_token)["message"] == DENIED
    assert api.data(query, {"email": " ADA@example.com"}, token=ada_token)["crmCustomer"]["email"] == "ada@example.com"


def test_a_shopper_cannot_list_customers_or_see_staff_fields(api, ada_token):
    assert api.error(CUSTOMERS, token=ada_token)["message"] == DENIED
    body = api.raw("{ crmMe { email tags notes { message } } }", token=ada_token)
    assert body["data"] == {"crmMe": {"email": "ada@example.com", "tags": None, "notes": None}}
    assert [e["path"] for e in body["errors"]] == [["crmMe", "tags"], ["crmMe", "notes"]]


def test_staff_need_manage_users(api, ada, staff_token, plain_staff_token):
    assert api.error(CUSTOMERS, token=plain_staff_token)["message"] == DENIED
    not_theirs = api.raw(CUSTOMER, {"id": global_id("CrmCustomer", ada.pk)}, token=plain_staff_token)
    assert not_theirs == {"data": {"crmCustomer": None}}  # answered like a missing customer
    assert api.data(CUSTOMERS, token=staff_token)["crmCustomers"]["totalCount"] == 1


def test_an_app_token_carries_its_granted_permissions(api, ada):
    assert (
        api.data(CUSTOMERS, token=app_token("dashboard", [Permission.MANAGE_USERS]))["crmCustomers"]["totalCount"] == 1
    )
    assert api.error(CUSTOMERS, token=app_token("dashboard", [Permission.MANAGE_ORDERS]))["message"] == DENIED


def test_an_expired_token_is_refused(api, ada_token, settings):
    settings.CRM_SANDBOX_TOKEN_TTL = -1  # every token is older than that
    body = api.raw(ME, token=ada_token, status=401)
    assert body == {
        "errors": [{"message": "Signature has expired", "extensions": {"exception": {"code": "ExpiredSignatureError"}}}]
    }


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # tampered signature
        lambda token: signing.dumps({"user": 900}, salt=SALT, key="not-the-store-secret"),  # signed elsewhere
        lambda token: signing.dumps({"user": 900}, salt="another-purpose"),  # another token kind
    ],
)
def test_a_forged_token_is_refused(api, ada, staff_token, forge):
    body = api.raw(CUSTOMERS, token=forge(staff_token), status=401)
    assert body["errors"][0]["extensions"] == {"exception": {"code": "InvalidSignatureError"}}
    assert "data" not in body


def test_a_token_of_a_deactivated_account_is_refused(api, ada_token):
    get_user_model().objects.filter(pk=1).update(is_active=False)
    body = api.raw(ME, token=ada_token, status=401)
    assert body["errors"][0]["message"] == "Invalid token. User does not exist or is inactive."
