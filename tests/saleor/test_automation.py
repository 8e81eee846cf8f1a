"""Marketing automation inside a real Saleor: the flow switched on in the plugin's dashboard
configuration, a real checkout left behind, the reminder sent through Saleor's email setup by the
tasks under Saleor's Celery, and the unsubscribe link answered through Saleor's plugin routing."""

from tests.saleor import require_saleor

require_saleor()

from datetime import timedelta  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import pytest  # noqa: E402
from django.core import mail  # noqa: E402
from saleor.account.models import User  # noqa: E402

from saleor_crm_plugin.automation.models import MarketingPreference, Message, MessageStatus  # noqa: E402
from saleor_crm_plugin.automation.tasks import automation_tick_task  # noqa: E402
from saleor_crm_plugin.profiles.models import CheckoutSnapshot  # noqa: E402
from saleor_crm_plugin.tasks import mark_abandoned_checkouts_task  # noqa: E402

from .conftest import _reset_crm_caches  # noqa: E402
from .test_flows import CHECKOUT_CREATE, CUSTOMER_CREATE, REDIRECT_URL, gid, run, shop, staff_client  # noqa: E402, F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_an_abandoned_checkout_reminder_goes_out_through_saleor(
    crm_plugin,
    staff_client,  # noqa: F811
    api_client,
    shop,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
):
    crm_plugin.configuration += [
        {"name": "automation_abandoned_checkout", "value": True},
        {"name": "automation_abandoned_checkout_waits", "value": "0h"},
        {"name": "automation_quiet_hours", "value": ""},
    ]
    crm_plugin.save()
    _reset_crm_caches()
    run(staff_client, CUSTOMER_CREATE, {"input": {
        "email": "grace@example.com", "firstName": "Grace", "redirectUrl": REDIRECT_URL, "channel": shop.channel.slug,
        "metadata": [{"key": "marketing_consent", "value": "true"}]}}, "customerCreate")  # fmt: skip
    automation_tick_task.delay().get()  # the beat's tick: the flow is on from now
    lines = [{"quantity": 2, "variantId": gid("ProductVariant", shop.variant.pk)}]
    checkout = run(api_client, CHECKOUT_CREATE,
                   {"input": {"channel": shop.channel.slug, "email": "grace@example.com", "lines": lines}},
                   "checkoutCreate")["checkout"]  # fmt: skip
    CheckoutSnapshot.objects.filter(token=checkout["token"]).update(
        version=CheckoutSnapshot.objects.get(token=checkout["token"]).version - timedelta(hours=5)
    )
    assert mark_abandoned_checkouts_task.delay().get() == 1
    mail.outbox = []

    result = automation_tick_task.delay().get()  # enrolls, schedules, hands the batch to the send task

    assert (result["enrolled"], result["scheduled"], result["dispatched"]) == (1, 1, 1)
    [email] = mail.outbox  # through Saleor's configured email backend
    assert email.to == ["grace@example.com"]
    assert email.subject == "You left something in your cart"
    assert f"2 \u00d7 {shop.variant.product.name}" in email.body
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT and message.channel == shop.channel.slug

    unsubscribe = urlsplit(email.extra_headers["List-Unsubscribe"].strip("<>")).path
    assert unsubscribe.startswith("/plugins/global/saleor.crm/m/unsubscribe/")
    assert client.get(unsubscribe).status_code == 200  # Saleor routes it to the plugin's webhook
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert MarketingPreference.objects.get(profile=message.profile).unsubscribed_at is not None
    grace = User.objects.get(email="grace@example.com")
    assert grace.metadata["marketing_consent"] == "false"  # the storefront and other apps see it too
    pixel = urlsplit(next(part for part in email.alternatives[0][0].split('"') if "/m/open/" in part)).path
    assert client.get(pixel)["Content-Type"] == "image/gif"
    message.refresh_from_db()
    assert message.opens == 1


def test_an_opt_out_in_the_crm_reaches_saleor_and_no_account_update_reverts_it(
    crm_plugin,
    staff_client,  # noqa: F811
    shop,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    from saleor_crm_plugin.events import Event, EventKind
    from saleor_crm_plugin.ingest import ingest
    from saleor_crm_plugin.profiles.actions import set_marketing_consent
    from saleor_crm_plugin.profiles.models import ConsentSource, CustomerProfile
    from saleor_crm_plugin.saleor.event_builders import customer_payload

    from .test_flows import CUSTOMER_UPDATE

    run(staff_client, CUSTOMER_CREATE, {"input": {
        "email": "grace@example.com", "firstName": "Grace", "redirectUrl": REDIRECT_URL, "channel": shop.channel.slug,
        "metadata": [{"key": "marketing_consent", "value": "true"}]}}, "customerCreate")  # fmt: skip
    grace = User.objects.get(email="grace@example.com")
    grace.first_name = "Gracie"
    grace.save(update_fields=["first_name", "updated_at"])  # a change whose event is still in flight:
    built_before = Event(EventKind.CUSTOMER_UPDATED, customer_payload(grace))  # built, not yet delivered
    profile = CustomerProfile.objects.get(email="grace@example.com")
    assert profile.marketing_consent is True

    with django_capture_on_commit_callbacks(execute=True):
        set_marketing_consent(profile, False, source=ConsentSource.SHOPPER)
    grace.refresh_from_db()
    assert grace.metadata["marketing_consent"] == "false"  # written back through the metadata mirror

    ingest(built_before)  # the late one: from before the opt-out
    profile.refresh_from_db()
    assert (profile.first_name, profile.marketing_consent) == ("Gracie", False)
    with django_capture_on_commit_callbacks(execute=True):  # a real newer update (a name change)
        run(staff_client, CUSTOMER_UPDATE, {"id": gid("User", grace.pk), "input": {"lastName": "Hopper"}},
            "customerUpdate")  # fmt: skip

    profile.refresh_from_db()
    assert (profile.first_name, profile.last_name) == ("Gracie", "Hopper")  # both updates applied
    assert (profile.marketing_consent, profile.consent_source) == (False, "shopper")  # the opt-out stands
