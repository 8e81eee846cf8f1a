"""Shared test set-up: the sandbox host on PostgreSQL, Celery eager unless a test runs a worker."""

import shutil
from pathlib import Path

import pytest

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.settings import reload_settings

from .factories import customer_event


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions(django_db_setup, django_db_blocker):
    """The live server's request threads keep their connections (CONN_MAX_AGE) after they end; close
    them before the test database is dropped, or dropping it fails ("being accessed by other users")."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


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

    original = settings.CRM
    yield change
    settings.CRM = original  # before reloading: pytest-django restores it only after this teardown
    reload_settings()


@pytest.fixture
def ada(db):
    """A registered shopper's profile, made the way the store makes it: by a customer.created event."""
    ingest(customer_event(pk=1, email="ada@example.com", marketing_consent=True))
    return CustomerProfile.objects.get(email="ada@example.com")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser(monkeypatch):
    """Debian's headless Chromium driven by Playwright (scripts/setup.sh installs both)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()
