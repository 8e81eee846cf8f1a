"""The Analytics page and the customers' predictions (issue 15) in headless Chromium, through the sandbox shell.

A generated store (simulated repeat buyers over 400 days up to now, some in a second channel, a few
yen customers too few to fit) refreshed and, in the refit test, fitted with thresholds small enough
for it. Every figure the page shows is compared with what the API computes from the database, not with
numbers written here. ``CRM_SCREENSHOTS=docs/screenshots`` saves screenshots on the way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from django.utils import timezone

from saleor_crm_plugin.analytics.kpis import store_analytics
from saleor_crm_plugin.analytics.models import CustomerPrediction, FitStatus, PredictionFit
from saleor_crm_plugin.analytics.rollups import refresh_store_analytics, snapshot_rfm_groups
from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.graphql.core.types import MoneyAmount
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import OrderSnapshot
from saleor_crm_plugin.segments.rfm import score_rfm

from ..analytics import predictions_data
from .conftest import APP_PAGE, WIDGET, ada_page, api_calls, choose, screenshot, staff

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/dashboard/crm/analytics"
SMALL_STORE = {
    "predictions_min_customers": 100,
    "predictions_min_history_days": 180,
    "predictions_min_repeat_buyers": 20,
}


@pytest.fixture
def generated_store(crm_settings, monkeypatch):
    """160 dollar customers (the first 40 buying in channel-eu, the rest in default-channel), 8 yen ones."""
    crm_settings(**SMALL_STORE)
    now = timezone.now()
    monkeypatch.setattr(predictions_data, "END", now - timedelta(hours=2))  # the simulation ends today
    rng = np.random.default_rng(15)
    usd = predictions_data.seed_orders(rng, 160, "USD", days=400)
    predictions_data.seed_orders(rng, 8, "JPY", days=400)
    OrderSnapshot.objects.update(channel="default-channel")
    OrderSnapshot.objects.filter(profile_id__in=usd[:40]).update(channel="channel-eu")
    for weeks_ago in (8, 6, 4, 2):  # RFM groups as they were scored on earlier days
        then = now - timedelta(weeks=weeks_ago)
        score_rfm(now=then)
        snapshot_rfm_groups("default", then)
    score_rfm(now=now)
    refresh_store_analytics(now=now, full=True)
    return usd


def whole_page(page, name: str):
    """A screenshot of the whole Analytics page: the viewport grown to the frame's content first."""
    page.set_viewport_size({"width": 1280, "height": 3200})
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 860})


def dollars(amount: Decimal) -> str:
    """How Chromium's en-US Intl writes an exact dollar amount."""
    return f"${amount.quantize(Decimal('0.01')):,}"


def kpi(app, name: str, currency: str = "USD") -> str:
    return app.locator(f'[data-test-id="crm-kpi-{currency}-{name}-value"]').inner_text()


def usd_kpis(first, last, channel=None):
    (usd,) = [row for row in store_analytics(first, last, channel).kpis if row.currency == "USD"]
    return usd


def assert_kpis_shown(app, expected):
    assert kpi(app, "revenue") == dollars(expected.revenue)
    assert kpi(app, "orders") == f"{expected.orders:,}"
    assert kpi(app, "aov") == dollars(expected.average_order_value)
    assert kpi(app, "customers") == f"{expected.customers:,}"
    assert kpi(app, "new-returning") == f"{expected.new_customers:,} / {expected.returning_customers:,}"
    assert kpi(app, "refunds") == dollars(expected.refunds)


def test_kpis_follow_the_period_and_the_channel_and_cohorts_show_retention(generated_store, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, PAGE)
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-kpis-USD"]').wait_for()
    assert api_calls(app) == 1  # figures, channels, histograms and fits in one request
    today = datetime.now(UTC).date()
    assert_kpis_shown(app, usd_kpis(today - timedelta(days=29), today))  # the default: the last 30 days
    app.locator('[data-test-id="crm-analytics-sales"] svg rect title').first.wait_for(state="attached")

    before = api_calls(app)
    choose(app, "crm-analytics-period", "Last 12 months")
    page.wait_for_function("() => location.search.includes('preset=365d')")  # updateRouting: the URL follows
    year = usd_kpis(today - timedelta(days=364), today)
    app.locator('[data-test-id="crm-kpi-USD-orders-value"]', has_text=f"{year.orders:,}").wait_for()
    assert api_calls(app) == before + 1
    assert_kpis_shown(app, year)

    whole_page(page, "crm-analytics-light")
    # The cohort heatmap: one row per first-order month, each cell the API's retention share.
    cohorts = [c for c in store_analytics(today - timedelta(days=364), today).cohorts if c.currency == "USD"]
    assert len(cohorts) >= 12
    table_rows = app.locator('[data-test-id="crm-cohort-row"]')
    assert table_rows.count() == len(cohorts)
    oldest = cohorts[0]
    row = app.locator(f'[data-test-id="crm-cohort-row"][data-month="{oldest.month.isoformat()}"]')
    assert row.locator("td").first.inner_text() == f"{oldest.customers:,}"
    for month in oldest.months[:4]:
        cell = row.locator(f'[data-test-id="crm-cohort-cell"][data-months-since="{month.months_since}"]')
        share = (month.retention * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)  # Intl rounds half up
        assert cell.inner_text() == f"{share.normalize():f}%", month
        assert cell.get_attribute("title") == f"{month.customers:,} of {oldest.customers:,} customers"

    choose(app, "crm-analytics-channel", "channel-eu")
    page.wait_for_function("() => location.search.includes('channel=channel-eu')")
    eu = usd_kpis(today - timedelta(days=364), today, "channel-eu")
    assert eu.orders < year.orders
    app.locator('[data-test-id="crm-kpi-USD-orders-value"]', has_text=re.compile(f"^{eu.orders:,}$")).wait_for()
    assert_kpis_shown(app, eu)

    # Custom dates: typing a range switches the preset off and keeps both dates in the URL.
    first = today - timedelta(days=59)
    app.locator('[data-test-id="crm-analytics-from"] input, input[data-test-id="crm-analytics-from"]').first.fill(
        first.isoformat()
    )
    page.wait_for_function(f"() => location.search.includes('from={first.isoformat()}')")
    custom = usd_kpis(first, today, "channel-eu")
    app.locator('[data-test-id="crm-kpi-USD-orders-value"]', has_text=re.compile(f"^{custom.orders:,}$")).wait_for()
    assert_kpis_shown(app, custom)
    assert console_errors == []


def test_refit_shows_the_fits_and_the_customers_predictions(generated_store, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, PAGE)
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-analytics-fits"]').get_by_text("Not fitted yet").wait_for()

    app.locator('[data-test-id="crm-analytics-refit"]').click()
    usd_card = app.locator('[data-test-id="crm-analytics-fit"][data-currency="USD"]')
    usd_card.wait_for(timeout=120_000)
    usd, jpy = (PredictionFit.objects.filter(currency=code).latest("fitted_at") for code in ("USD", "JPY"))
    assert (usd.status, jpy.status) == (FitStatus.FITTED, FitStatus.REFUSED)
    text = usd_card.inner_text()
    assert "Fitted" in text and f"{usd.customers:,} customers, {usd.repeat_buyers:,} repeat buyers" in text
    jpy_card = app.locator('[data-test-id="crm-analytics-fit"][data-currency="JPY"]')
    assert jpy_card.locator('[data-test-id="crm-analytics-fit-reason"]').inner_text() == jpy.reason  # the why

    # The histograms: every predicted customer in exactly one bar.
    clv = app.locator('[data-test-id="crm-analytics-clv"]')
    clv.locator("svg rect title").first.wait_for(state="attached")
    counts = [int(t.rsplit(": ", 1)[1].replace(",", "")) for t in clv.locator("svg rect title").all_text_contents()]
    assert sum(counts) == CustomerPrediction.objects.filter(currency="USD").count() == usd.scored_customers
    churn = app.locator('[data-test-id="crm-analytics-churn"] svg rect title').all_text_contents()
    assert sum(int(t.rsplit(": ", 1)[1].replace(",", "")) for t in churn) == usd.scored_customers
    whole_page(page, "crm-analytics-fitted")
    screenshot(page, "crm-analytics-outlook", app.locator('[data-test-id="crm-analytics-distributions"]'))

    # The 360 page of the customer with the highest predicted CLV shows it, exactly as the API rounds it.
    best = CustomerPrediction.objects.filter(currency="USD").order_by("-predicted_clv").first()
    page = shell(manager, f"/dashboard/crm/customers/{global_id('CrmCustomer', best.profile_id)}")
    app = page.frame_locator(APP_PAGE)
    outlook = app.locator('[data-test-id="crm-outlook"]')
    outlook.locator('[data-test-id="crm-prediction-clv"]').wait_for()
    shown = outlook.locator('[data-test-id="crm-prediction-clv"]').inner_text().split("\n")[-1]
    assert shown == dollars(MoneyAmount(best.predicted_clv, "USD").amount)
    band = outlook.locator('[data-test-id="crm-prediction-churn"]').inner_text()
    assert band.endswith(f"{best.churn_risk_band.capitalize()} · {round(best.churn_risk * 100)}%")
    screenshot(page, "crm-customer-outlook")

    # The customer list sorted by predicted CLV (in dollars), highest first, and filtered by churn risk.
    page = shell(manager, "/dashboard/crm/customers")
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-customer-row"]').first.wait_for()
    choose(app, "crm-filter-currency", "USD")
    app.locator('[data-test-id="crm-sort-clv"]').click()
    page.wait_for_function("() => location.search.includes('sort=clv')")
    top = CustomerPrediction.objects.filter(currency="USD").order_by("-predicted_clv", "-profile_id")[:20]
    expected = [dollars(MoneyAmount(row.predicted_clv, "USD").amount) for row in top]
    app.locator('[data-test-id="crm-customer-clv"]').first.filter(has_text=expected[0]).wait_for()
    assert app.locator('[data-test-id="crm-customer-clv"]').all_inner_texts() == expected
    screenshot(page, "crm-customer-list-by-clv")

    choose(app, "crm-filter-churn", "70% or more")
    page.wait_for_function("() => location.search.includes('churn=0.7')")
    risky = CustomerPrediction.objects.filter(currency="USD", churn_risk__gte=Decimal("0.7")).count()
    app.locator('[data-test-id="crm-customer-count"]', has_text=f"{risky:,} customer").wait_for()
    assert all(
        int(text.rstrip("%")) >= 70 for text in app.locator('[data-test-id="crm-customer-churn"]').all_inner_texts()
    )


def test_a_staff_member_without_manage_customers_is_told_why(generated_store, shell):
    packer = staff("packer", Permission.MANAGE_ORDERS)
    page = shell(packer, PAGE)
    app = page.frame_locator(APP_PAGE)
    explanation = app.locator('[data-test-id="crm-no-permission"]')
    explanation.wait_for()
    assert "Manage customers" in explanation.inner_text()
    assert app.locator('[data-test-id="crm-kpis-USD"]').count() == 0


def test_dark_theme(generated_store, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    backgrounds = {}
    for theme in ("light", "dark"):
        page = shell(manager, PAGE, theme=theme)
        app = page.frame_locator(APP_PAGE)
        app.locator('[data-test-id="crm-kpis-USD"]').wait_for()
        page.wait_for_function(
            "([sel, theme]) => document.querySelector(sel).contentDocument.documentElement.dataset.theme === theme",
            arg=[APP_PAGE, theme],
        )
        backgrounds[theme] = app.locator("body").evaluate("body => getComputedStyle(body).backgroundColor")
        whole_page(page, f"crm-analytics-{theme}")
    assert backgrounds["light"] != backgrounds["dark"]


def test_the_customer_widget_shows_why_there_is_no_outlook_yet(store, shell):
    """Ada bought in dollars and euros, and no currency was ever fitted: the widget says so per currency."""
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, ada_page())
    outlook = page.frame_locator(WIDGET).locator('[data-test-id="crm-outlook"]')
    outlook.locator('[data-test-id="crm-prediction"]').first.wait_for()
    predictions = outlook.locator('[data-test-id="crm-prediction"]')
    assert [predictions.nth(i).get_attribute("data-currency") for i in range(predictions.count())] == ["EUR", "USD"]
    reasons = outlook.locator('[data-test-id="crm-prediction-reason"]').all_inner_texts()
    assert len(reasons) == 2 and all(reason.strip() for reason in reasons)
    screenshot(page, "crm-customer-widget-outlook")
