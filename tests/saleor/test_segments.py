"""Segments inside a real Saleor: membership follows Saleor's own customer mutations, and the mirror
writes it into the Saleor user's private metadata, next to what other tools keep there."""

from tests.saleor import require_saleor

require_saleor()

import graphene  # noqa: E402
import pytest  # noqa: E402
from saleor.account.models import User  # noqa: E402
from saleor.graphql.tests.utils import get_graphql_content  # noqa: E402

from saleor_crm_plugin.segments import actions  # noqa: E402
from saleor_crm_plugin.segments.membership import evaluate_segment  # noqa: E402
from saleor_crm_plugin.segments.mirror import mirror_evaluation  # noqa: E402
from saleor_crm_plugin.segments.models import SegmentMembership  # noqa: E402
from saleor_crm_plugin.settings import reload_settings  # noqa: E402

pytestmark = pytest.mark.django_db

CUSTOMER_CREATE = """
mutation($input: UserCreateInput!) { customerCreate(input: $input) { user { id } errors { field message } } }"""
CUSTOMER_UPDATE = """
mutation($id: ID!, $input: CustomerInput!) { customerUpdate(id: $id, input: $input) { errors { field message } } }"""
PRIVATE_METADATA = """query($id: ID!) { user(id: $id) { privateMetadata { key value } } }"""


def run(client, query: str, variables: dict, name: str) -> dict:
    data = get_graphql_content(client.post_graphql(query, variables))["data"][name]
    assert not data["errors"], data["errors"]
    return data


@pytest.fixture
def mirroring(crm_plugin):
    crm_plugin.configuration.append({"name": "segments_mirror_to_metadata", "value": True})
    crm_plugin.save(update_fields=["configuration"])
    reload_settings()
    return crm_plugin


@pytest.fixture
def staff(staff_api_client, permission_manage_users):
    staff_api_client.user.user_permissions.add(permission_manage_users)
    return staff_api_client


def test_membership_follows_saleor_and_is_mirrored_to_private_metadata(mirroring, staff, channel_USD):
    created = run(
        staff,
        CUSTOMER_CREATE,
        {"input": {"email": "ann@example.com", "firstName": "Ann", "channel": channel_USD.slug,
                   "redirectUrl": "https://www.example.com/", "privateMetadata": [{"key": "erp", "value": "7"}]}},
        "customerCreate",
    )  # fmt: skip
    user_id = created["user"]["id"]
    segment = actions.create_segment("Called Ann", 'first_name = "Ann"')
    mirror_evaluation(evaluate_segment(segment))  # the first evaluation mirrors every member
    user = User.objects.get(email="ann@example.com")
    assert user.private_metadata == {"erp": "7", "crm_segments": "called-ann"}

    run(staff, CUSTOMER_UPDATE, {"id": user_id, "input": {"firstName": "Annabel"}}, "customerUpdate")
    assert not SegmentMembership.objects.filter(segment=segment).exists()  # the live re-check after the event
    shown = get_graphql_content(staff.post_graphql(PRIVATE_METADATA, {"id": user_id}))["data"]["user"]
    assert sorted((m["key"], m["value"]) for m in shown["privateMetadata"]) == [("crm_segments", ""), ("erp", "7")]
    assert graphene.Node.from_global_id(user_id)[1] == str(user.pk)
