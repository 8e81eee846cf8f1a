"""The sandbox's demo shortcuts can't hand out staff access: the store page signs in shoppers only
and only in the demo; the token command says when it changes an account for good."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command


@pytest.fixture
def people(db):
    users = get_user_model().objects
    return {
        "shopper": users.create(username="ada", email="ada@example.com"),
        "staff": users.create(username="staff", email="staff@store.test", is_staff=True),
        "superuser": users.create(username="root", email="root@store.test", is_staff=True, is_superuser=True),
    }


def signed_in(client, email: str) -> bool:
    page = client.get("/store/", {"shopper": email}).content.decode()
    return '"token": null' not in page


def test_the_store_page_signs_in_a_shopper_in_the_demo(client, people, settings):
    settings.CRM_SANDBOX_DEMO = True
    assert signed_in(client, "ada@example.com")


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_the_store_page_never_signs_in_staff(client, people, settings, who):
    settings.CRM_SANDBOX_DEMO = True
    assert not signed_in(client, people[who].email)


def test_outside_the_demo_the_store_page_signs_in_nobody(client, people, settings):
    settings.CRM_SANDBOX_DEMO = False
    assert not signed_in(client, "ada@example.com")


def test_granting_a_permission_to_an_account_needs_grant(people):
    with pytest.raises(CommandError, match=r"for good.*--grant"):
        call_command("crm_sandbox_token", "--email", "staff@store.test", "--permission", "MANAGE_USERS")
    assert not Group.objects.filter(user=people["staff"]).exists()

    out, err = StringIO(), StringIO()
    call_command(
        "crm_sandbox_token", "--email", "staff@store.test", "--permission", "MANAGE_USERS", "--grant",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert "Granted MANAGE_USERS to staff@store.test for good" in err.getvalue()
    assert out.getvalue().strip() and Group.objects.filter(user=people["staff"], name="MANAGE_USERS").exists()


def test_an_app_token_carries_permissions_without_grant(db):
    out = StringIO()
    call_command("crm_sandbox_token", "--app", "dashboard", "--permission", "MANAGE_USERS", stdout=out)
    assert out.getvalue().strip()
