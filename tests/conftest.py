"""Shared test set-up: the sandbox host on PostgreSQL, Celery eager unless a test runs a worker."""

import pytest

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.settings import reload_settings

from .factories import customer_event


@pytest.fixture(autouse=True)
def _eager_celery():
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def crm_settings(settings):
    """Change CRM settings for one test: ``crm_settings(deleted_customer_policy="delete")``."""

    def change(**values):
        settings.CRM = {**settings.CRM, **values}
        return reload_settings()

    yield change
    reload_settings()


@pytest.fixture
def ada(db):
    """A registered shopper's profile, made the way the store makes it: by a customer.created event."""
    ingest(customer_event(pk=1, email="ada@example.com", marketing_consent=True))
    return CustomerProfile.objects.get(email="ada@example.com")
