"""A client for the CRM API as a storefront or dashboard calls it: HTTP, bearer tokens, real auth."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.sandbox.auth import user_token

from ..factories import customer_event

URL = "/plugins/global/saleor.crm/graphql/"


class API:
    """Posts GraphQL to the endpoint; ``.data`` fails the test on any error, ``.raw`` returns all."""

    def __init__(self, client):
        self.client = client
        self.token: str | None = None

    def raw(self, query: str, variables: dict | None = None, token: str | None = None, status: int | None = None):
        token = token or self.token
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        body = json.dumps({"query": query, "variables": variables or {}})
        response = self.client.post(URL, body, content_type="application/json", **headers)
        if status is not None:
            assert response.status_code == status, response.content
        return response.json()

    def data(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        body = self.raw(query, variables, token, status=200)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def error(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """The one GraphQL error the query must produce."""
        body = self.raw(query, variables, token)
        assert len(body.get("errors", [])) == 1, body
        return body["errors"][0]


@pytest.fixture
def api(client, db):
    return API(client)


def make_user(pk: int, email: str, *permissions: Permission, **fields):
    user = get_user_model().objects.create(pk=pk, username=email, email=email, **fields)
    for permission in permissions:
        user.groups.add(Group.objects.get_or_create(name=permission.value)[0])
    return user


@pytest.fixture
def staff_token(db):
    """A staff member holding MANAGE_USERS."""
    return user_token(make_user(900, "manager@store.test", Permission.MANAGE_USERS, is_staff=True))


@pytest.fixture
def plain_staff_token(db):
    """A staff member without MANAGE_USERS."""
    return user_token(make_user(901, "packer@store.test", is_staff=True))


@pytest.fixture
def ada_token(ada):
    """Ada (user pk 1, the ``ada`` profile) signed in on the storefront."""
    return user_token(make_user(1, "ada@example.com"))


@pytest.fixture
def grace(db):
    ingest(customer_event(pk=2, email="grace@example.com", first_name="Grace", last_name="Hopper"))
    return user_token(make_user(2, "grace@example.com"))
