"""Shared test set-up: the sandbox host on PostgreSQL, Celery eager unless a test runs a worker."""

import pytest

from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.settings import reload_settings


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
