"""How refusals read and how they are logged: anonymous callers are told to sign in; expected
errors are logged in one line without a traceback (Saleor's handled errors), unexpected ones once
with it."""

from __future__ import annotations

import logging

from saleor_crm_plugin.graphql.profiles import types

SIGN_IN = "You need to sign in to perform this action."


def test_anonymous_shopper_operations_say_sign_in(api, ada):
    assert api.error("{ loyaltyAccount { available } }")["message"] == SIGN_IN
    redeem = "mutation { loyaltyRedeem(points: 100) { errors { code } } }"
    assert api.error(redeem)["message"] == SIGN_IN


def test_signed_in_callers_still_learn_the_permission_they_lack(api, ada_token):
    error = api.error("{ crmCustomers(first: 5) { totalCount } }", token=ada_token)
    assert error["message"] == "To access this path, you need one of the following permissions: MANAGE_USERS"


def test_an_expected_error_logs_no_traceback(api, ada, ada_token, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="saleor_crm_plugin.graphql")
    api.error("{ crmCustomers(first: 5) { totalCount } }", token=ada_token)
    api.error('{ crmCustomers(first: 5, filter: {search: "a\\u0000"}) { totalCount } }', token=ada_token)
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING] == []
    assert "Traceback" not in caplog.text
    assert "PermissionDenied" in caplog.text  # still there, in one line, for whoever debugs


def test_an_unexpected_error_logs_one_traceback(api, ada_token, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(types.CrmTouch, "from_dict", staticmethod(broken))
    api.raw("{ crmMe { attribution { firstTouch { source } } } }", token=ada_token, status=200)
    assert len([r for r in caplog.records if r.exc_info]) == 1
