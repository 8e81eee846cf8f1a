"""Receipts of applied events are pruned by age; deleted accounts are remembered for good apart from them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.receipts import DeletedAccount, ProcessedEvent, prune_receipts
from saleor_crm_plugin.sandbox.celery import app as celery_app

from .factories import at, customer_event, order_event, user_id

pytestmark = pytest.mark.django_db


def age_receipts(days: int) -> None:
    ProcessedEvent.objects.update(processed_at=timezone.now() - timedelta(days=days))


def test_old_receipts_are_pruned_and_recent_ones_kept(ada):
    ingest(order_event(order_id="Order:1", user=1))
    age_receipts(100)
    ingest(order_event(order_id="Order:2", user=1))
    assert ProcessedEvent.objects.count() == 3

    assert prune_receipts(timezone.now(), keep_days=90, batch=1) == 2
    assert list(ProcessedEvent.objects.values_list("key", flat=True)) == [order_event(order_id="Order:2", user=1).key]


def test_the_daily_task_prunes_by_the_setting(ada, crm_settings):
    crm_settings(receipts_keep_days=30)
    age_receipts(31)
    assert celery_app.tasks["saleor_crm_plugin.prune_receipts"].apply().get() == 1
    assert not ProcessedEvent.objects.exists()


@pytest.mark.parametrize("policy", ["anonymise", "delete"])
def test_a_deleted_account_stays_forgotten_after_its_receipts_are_pruned(ada, crm_settings, policy):
    crm_settings(deleted_customer_policy=policy)
    ingest(customer_event(EventKind.CUSTOMER_DELETED, pk=1, updated_at=at(days=10)))
    assert DeletedAccount.objects.filter(saleor_user_id=user_id(1)).exists()
    age_receipts(365)
    prune_receipts(timezone.now(), keep_days=90)
    assert not ProcessedEvent.objects.exists()

    ingest(customer_event(EventKind.CUSTOMER_UPDATED, pk=1, email="ada@example.com", updated_at=at(days=11)))
    ingest(order_event(order_id="Order:9", user=1, email="ada@example.com"))

    assert not CustomerProfile.objects.filter(email="ada@example.com").exists()
    assert CustomerProfile.objects.filter(saleor_user_id=user_id(1)).count() == (policy == "anonymise")
