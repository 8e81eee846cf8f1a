"""A shopper with an order and a support agent, made the way the store makes them."""

import pytest
from django.contrib.auth import get_user_model

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import OrderSnapshot

from ..factories import order_event


@pytest.fixture
def ada_order(ada) -> OrderSnapshot:
    ingest(order_event(order_id="Order:1", user=1, number="1001"))
    return OrderSnapshot.objects.get(number="1001")


@pytest.fixture
def agent(db):
    return get_user_model().objects.create(
        username="agent@store.test", email="agent@store.test", first_name="Sam", last_name="Support", is_staff=True
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(execute=True):`` runs the on-commit work (emails) the test transaction holds back."""
    return django_capture_on_commit_callbacks
