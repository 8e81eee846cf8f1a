"""Saleor's fixtures for our integration tests, active only under ``tests.saleor.settings``.

pytest does not load Saleor's own root conftest for tests outside its tree, so its set-up is
repeated here (saleor-notes.md §5). The main suite (sandbox settings, rootdir /work/main) also
collects this directory: there nothing below may import Saleor, and a non-root conftest must
not define ``pytest_plugins``, so all of it sits behind ``IN_SALEOR``.
"""

import pytest

from . import IN_SALEOR

CRM_PLUGIN_PATH = "saleor_crm_plugin.saleor.plugin.CRMPlugin"

if IN_SALEOR:
    import django.test
    from django.conf import settings as django_settings
    from saleor.tests.utils import prepare_test_db_connections

    # Every test may use "default" and "replica"; "replica" wraps the writer connection.
    _TEST_DATABASES = {
        django_settings.DATABASE_CONNECTION_DEFAULT_NAME,
        django_settings.DATABASE_CONNECTION_REPLICA_NAME,
    }
    django.test.TransactionTestCase.databases = _TEST_DATABASES
    django.test.TestCase.databases = _TEST_DATABASES
    prepare_test_db_connections()

    pytest_plugins = [
        "saleor.tests.fixtures",
        "saleor.app.tests.fixtures",
        "saleor.plugins.tests.fixtures",
        "saleor.graphql.tests.fixtures",
        "saleor.webhook.tests.fixtures",
        "saleor.tax.tests.fixtures",
        "saleor.channel.tests.fixtures",
        "saleor.page.tests.fixtures",
        "saleor.menu.tests.fixtures",
        "saleor.warehouse.tests.fixtures",
        "saleor.thumbnail.tests.fixtures",
        "saleor.order.tests.fixtures",
        "saleor.product.tests.fixtures",
        "saleor.site.tests.fixtures",
        "saleor.shipping.tests.fixtures",
        "saleor.permission.tests.fixtures",
        "saleor.giftcard.tests.fixtures",
        "saleor.discount.tests.fixtures",
        "saleor.checkout.tests.fixtures",
        "saleor.attribute.tests.fixtures",
        "saleor.account.tests.fixtures",
        "saleor.graphql.account.tests.fixtures",
        "saleor.payment.tests.fixtures",
        "saleor.webhook.tests.circuit_breaker.fixtures",
    ]


def _reset_crm_caches() -> None:
    from saleor_crm_plugin import ports
    from saleor_crm_plugin.settings import reload_settings

    ports._port.cache_clear()
    reload_settings()


@pytest.fixture
def crm_plugin(settings, db):
    """Our plugin, active as a merchant would switch it on in the dashboard (global config row).

    Events go through the real path: hook -> on_commit -> ``ingest_event`` on Celery (eager in
    Saleor's test settings, with the restrict-writer check on). A dead letter fails the test.
    """
    from saleor.plugins.models import PluginConfiguration

    from saleor_crm_plugin.receipts import DeadLetter
    from saleor_crm_plugin.saleor.ports import PLUGIN_ID

    # Saleor's autouse ``setup_dummy_gateways`` sets PLUGINS per test; this runs after it.
    settings.PLUGINS = [CRM_PLUGIN_PATH]
    configuration = PluginConfiguration.objects.create(
        identifier=PLUGIN_ID,
        name="CRM",
        active=True,
        channel=None,
        configuration=[
            {"name": "process_synchronously", "value": False},
            {"name": "deleted_customer_policy", "value": "anonymise"},
            {"name": "checkout_abandoned_after_hours", "value": "4"},
            {"name": "consent_metadata_key", "value": "marketing_consent"},
        ],
    )
    _reset_crm_caches()
    yield configuration
    letters = list(DeadLetter.objects.values_list("key", "error"))
    _reset_crm_caches()
    if letters:
        pytest.fail("CRM events ended as dead letters:\n" + "\n\n".join(f"{key}\n{error}" for key, error in letters))


@pytest.fixture
def shopper_profile(crm_plugin, user_api_client):
    """The fixture customer, known to the CRM through a real Saleor mutation (accountUpdate)."""
    from saleor.graphql.tests.utils import get_graphql_content

    from saleor_crm_plugin.ids import global_id
    from saleor_crm_plugin.profiles.models import CustomerProfile

    account_update = """mutation { accountUpdate(input: {firstName: "Ada"}) { errors { field message } } }"""
    get_graphql_content(user_api_client.post_graphql(account_update))
    return CustomerProfile.objects.get(saleor_user_id=global_id("User", user_api_client.user.pk))
