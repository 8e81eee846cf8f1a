"""The storefront widget in headless Chromium against a live sandbox server: logged out, then
signed in, a screenshot, and a redeem click that issues a real code."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, Redemption, Reward
from saleor_crm_plugin.profiles.models import CustomerProfile

from ..factories import customer_event
from .helpers import paid_order, release_all

SCREENSHOTS = Path("/tmp/crm-loyalty-widget")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shopper(loyalty):
    get_user_model().objects.create(pk=1, username="ada@example.com", email="ada@example.com")
    ingest(customer_event(pk=1, email="ada@example.com"))
    paid_order(total="1000.00")
    release_all()
    Reward.objects.create(name="$5 off", points_cost=500, value=Decimal("5"), currency="USD", channel="default-channel")
    Reward.objects.create(
        name="$20 off", points_cost=2000, value=Decimal("20"), currency="USD", channel="default-channel"
    )
    Reward.objects.create(name="20 zł off", points_cost=500, value=Decimal("20"), currency="PLN", channel="channel-pln")
    return CustomerProfile.objects.get(email="ada@example.com")


def test_logged_out_shows_the_program(live_server, browser, shopper):
    page = browser.new_page()
    page.goto(f"{live_server.url}/store/")
    page.get_by_test_id("loyalty-launcher").click()
    panel = page.get_by_test_id("loyalty-panel")
    panel.get_by_text("Join our rewards").wait_for()
    assert "1 point per unit spent" in panel.inner_text()
    assert "Gold" in panel.inner_text()
    assert all(button.is_disabled() for button in page.get_by_test_id("loyalty-redeem").all())


def test_signed_in_shopper_redeems_from_the_widget(live_server, browser, shopper, settings):
    settings.CRM_SANDBOX_DEMO = True  # the store page's sign-in link works in the demo only
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 760})
    page.goto(f"{live_server.url}/store/?shopper=ada@example.com")
    launcher = page.get_by_test_id("loyalty-launcher")
    page.wait_for_function(
        "document.querySelector('#saleor-crm-loyalty').shadowRoot.querySelector('.launcher').textContent.includes('1,000')"
    )
    launcher.click()
    assert page.get_by_test_id("loyalty-balance").inner_text() == "1,000 points"
    panel_text = page.get_by_test_id("loyalty-panel").inner_text()
    assert "Silver member" in panel_text
    # Tiers count a rolling window: the progress line says which points count, like the tier table.
    progress = page.get_by_test_id("loyalty-tier-progress").inner_text()
    assert progress == "1,000 points earned in the last 365 days — 1,000 more to Gold."
    assert "Gold — from 2,000 points earned in 365 days" in panel_text
    assert "zł" not in panel_text  # only the rewards of the channel she buys in
    page.screenshot(path=str(SCREENSHOTS / "signed-in.png"))
    buttons = page.get_by_test_id("loyalty-redeem")
    assert [b.is_enabled() for b in buttons.all()] == [True, False]  # $5 affordable, $20 not
    assert page.get_by_test_id("loyalty-redeem-reason").inner_text() == "1,000 points more needed"
    buttons.first.click()
    code = page.get_by_test_id("loyalty-code")
    code.wait_for()
    page.get_by_test_id("loyalty-balance").get_by_text("500 points").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "redeemed.png"))
    redemption = Redemption.objects.get()
    assert redemption.code in code.inner_text()
    assert LoyaltyAccount.objects.get(profile=shopper).available == 500

    page.reload()  # the issued code stays listed after a reload
    page.get_by_test_id("loyalty-launcher").click()
    assert redemption.code in page.get_by_test_id("loyalty-codes").inner_text()
