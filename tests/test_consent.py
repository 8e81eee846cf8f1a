"""Marketing consent has one source of truth: the CRM's, with who changed it, written back to the store.

An opt-out must survive the store's account events that were built before it (a late delivery, a
replay), while a newer change in the store (the shopper ticking the box in the storefront) still wins.
"""

from __future__ import annotations

import pytest
from django.test import Client

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.automation import tracking
from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.actions import set_marketing_consent
from saleor_crm_plugin.profiles.models import ConsentSource, CustomerProfile
from saleor_crm_plugin.sandbox.auth import user_token
from saleor_crm_plugin.sandbox.metadata import METADATA

from .factories import at, customer_event
from .graphql.conftest import API, make_user

pytestmark = pytest.mark.django_db
CONSENT = """mutation($id: ID, $consent: Boolean!) {
  crmCustomerConsentUpdate(id: $id, marketingConsent: $consent) { customer { marketingConsent } errors { code } }
}"""


def store_update(days: float, consent: bool, **fields):
    """The store's account event as Saleor builds it: the consent metadata as it stood at ``updated_at``."""
    return customer_event(EventKind.CUSTOMER_UPDATED, updated_at=at(days=days), marketing_consent=consent, **fields)


def profile() -> CustomerProfile:
    return CustomerProfile.objects.get(saleor_user_id=global_id("User", 1))


def test_an_opt_out_survives_older_account_updates_delivered_late_or_replayed(ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_marketing_consent(ada, False, source=ConsentSource.SHOPPER, now=at(days=2))
    assert METADATA[ada.saleor_user_id]["marketing_consent"] == "false"  # written back to the store

    built_before = store_update(1, True, first_name="Ada B.")
    ingest(built_before)
    ingest(built_before)  # a duplicate delivery
    ingest(store_update(1.5, True, first_name="Ada B."))  # another one from before the opt-out

    ada = profile()
    assert ada.first_name == "Ada B."  # the rest of the account state still applies
    assert (ada.marketing_consent, ada.consent_source, ada.consent_changed_at) == (False, "shopper", at(days=2))


def test_a_newer_change_in_the_store_wins_and_is_recorded_as_the_stores(ada):
    set_marketing_consent(ada, False, source=ConsentSource.SHOPPER, now=at(days=2))

    ingest(store_update(3, True))

    ada = profile()
    assert (ada.marketing_consent, ada.consent_source, ada.consent_changed_at) == (True, "store", at(days=3))
    assert ada.consent_changed_by is None


def test_the_api_records_whether_the_shopper_or_staff_changed_it(ada, client, django_capture_on_commit_callbacks):
    api = API(client)
    shopper = make_user(1, "ada@example.com")
    manager = make_user(900, "manager@store.test", Permission.MANAGE_USERS, is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        api.data(CONSENT, {"consent": False}, token=user_token(shopper))
    ada = profile()
    assert (ada.marketing_consent, ada.consent_source, ada.consent_changed_by) == (False, "shopper", shopper)
    assert METADATA[ada.saleor_user_id]["marketing_consent"] == "false"

    with django_capture_on_commit_callbacks(execute=True):
        api.data(CONSENT, {"id": global_id("CrmCustomer", ada.pk), "consent": True}, token=user_token(manager))
    ada = profile()
    assert (ada.marketing_consent, ada.consent_source, ada.consent_changed_by) == (True, "staff", manager)
    assert METADATA[ada.saleor_user_id]["marketing_consent"] == "true"
    entry = ada.timeline.filter(kind="consent.changed").first()
    assert entry.data == {"source": "staff", "by": manager.pk}


def test_an_unsubscribe_link_withdraws_consent_as_the_link(ada, django_capture_on_commit_callbacks):
    path = "/plugins/" + tracking.unsubscribe_url(ada.pk).split("/plugins/", 1)[1]

    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(path).status_code == 200

    ada = profile()
    assert (ada.marketing_consent, ada.consent_source) == (False, "unsubscribe_link")
    assert METADATA[ada.saleor_user_id]["marketing_consent"] == "false"
    ingest(store_update(1, True))  # the store's state from before the click
    assert profile().marketing_consent is False
