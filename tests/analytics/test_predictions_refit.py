"""Refits on the CRM's own orders: statistics, eligibility refusals, exact money, segments, erasure, the schedule."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from saleor_crm_plugin.analytics.error_codes import CrmAnalyticsErrorCode
from saleor_crm_plugin.analytics.models import CustomerPrediction, FitStatus, PredictionFit
from saleor_crm_plugin.analytics.predictions import RefitBusy, refit_predictions
from saleor_crm_plugin.analytics.predictions_statistics import customer_statistics
from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.export import export_customer_data
from saleor_crm_plugin.profiles.models import CustomerProfile, CustomerSpend
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.segments.language import compile_query
from saleor_crm_plugin.tasks import PERIODIC_TASKS

from ..factories import customer_event
from .predictions_data import END, order, seed_orders

pytestmark = pytest.mark.django_db

SMALL_STORE = {
    "predictions_min_customers": 100,
    "predictions_min_history_days": 180,
    "predictions_min_repeat_buyers": 20,
}


@pytest.fixture
def small_store(crm_settings):
    return crm_settings(**SMALL_STORE)


@pytest.fixture
def fitted(small_store):
    """300 simulated USD customers and 150 JPY ones, refitted at END."""
    rng = np.random.default_rng(11)
    usd = seed_orders(rng, 300, "USD")
    jpy = seed_orders(rng, 150, "JPY")
    fits = {fit.currency: fit for fit in refit_predictions(now=END)}
    return fits, usd, jpy


def test_statistics_merge_same_day_orders_and_count_only_sales():
    ada = CustomerProfile.objects.create(email="ada@example.com")
    day = datetime(2026, 1, 1, 9, tzinfo=UTC)
    rows = [
        order(ada, "USD", day, Decimal("10.00")),
        order(ada, "USD", day + timedelta(hours=5), Decimal("5.00")),  # same day: one purchase of 15
        order(ada, "USD", day + timedelta(days=4), Decimal("20.00"), total_refunded=Decimal("5.00")),
        order(ada, "USD", day + timedelta(days=6), Decimal("99.00"), status="canceled"),
        order(ada, "USD", day + timedelta(days=8), Decimal("50.00"), status="draft"),
        order(ada, "USD", day + timedelta(days=30), Decimal("70.00")),  # after as_of
        order(ada, "EUR", day + timedelta(days=2), Decimal("7.50")),
    ]
    for row in rows:
        row.save()

    stats = customer_statistics(day + timedelta(days=19))

    usd, eur = stats["USD"], stats["EUR"]
    assert (usd.x[0], usd.t_x[0], usd.age[0], usd.repeat_mean[0], usd.spent[0]) == (1, 4, 19, 15.0, Decimal("30.000"))
    assert (eur.x[0], eur.t_x[0], eur.age[0], eur.repeat_mean[0], eur.spent[0]) == (0, 0, 17, 0.0, Decimal("7.500"))
    assert usd.customer.tolist() == [ada.pk]


@pytest.mark.parametrize(
    ("setting", "value", "code", "words"),
    [
        ("predictions_min_customers", 10_000, CrmAnalyticsErrorCode.TOO_FEW_CUSTOMERS, "at least 10000"),
        ("predictions_min_history_days", 5_000, CrmAnalyticsErrorCode.TOO_SHORT_HISTORY, "at least 5000"),
        ("predictions_min_repeat_buyers", 10_000, CrmAnalyticsErrorCode.TOO_FEW_REPEAT_BUYERS, "at least 10000"),
    ],
)
def test_too_little_data_gives_a_refused_fit_with_its_reason_and_no_numbers(crm_settings, setting, value, code, words):
    crm_settings(**{**SMALL_STORE, setting: value})
    seed_orders(np.random.default_rng(3), 150, "USD")

    [fit] = refit_predictions(now=END)

    assert (fit.status, fit.reason_code) == (FitStatus.REFUSED, code)
    assert words in fit.reason
    assert fit.customers == 150
    assert not CustomerPrediction.objects.exists()


def test_refit_of_a_currency_nobody_bought_in_is_refused(small_store):
    [fit] = refit_predictions("chf", now=END)
    assert (fit.currency, fit.status, fit.customers) == ("CHF", FitStatus.REFUSED, 0)
    assert fit.reason_code == CrmAnalyticsErrorCode.TOO_FEW_CUSTOMERS


def test_refit_scores_every_customer_in_exact_money_of_the_currency(fitted):
    fits = fitted[0]
    assert {code: fit.status for code, fit in fits.items()} == {"JPY": FitStatus.FITTED, "USD": FitStatus.FITTED}
    usd_fit = fits["USD"]
    stats = customer_statistics(END, "USD")["USD"]
    assert (usd_fit.customers, usd_fit.repeat_buyers, usd_fit.orders) == (300, stats.repeat_buyers, stats.order_days)
    assert usd_fit.converged and usd_fit.scored_customers == 300
    assert set(usd_fit.parameters) == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert 0 <= usd_fit.calibration_error < 0.5

    spend = {(row.profile_id, row.currency): row.total for row in CustomerSpend.objects.all()}
    rows = list(CustomerPrediction.objects.all())
    assert len(rows) == 450
    for row in rows:
        places = Decimal("1") if row.currency == "JPY" else Decimal("0.01")
        assert row.predicted_spend == row.predicted_spend.quantize(places) > 0
        assert row.predicted_clv == row.historic_clv + row.predicted_spend
        assert row.historic_clv == spend[(row.profile_id, row.currency)]
        assert row.churn_risk == 1 - row.p_active
        band = "high" if row.churn_risk >= Decimal("0.7") else "medium" if row.churn_risk >= Decimal("0.3") else "low"
        assert row.churn_risk_band == band
        assert row.expected_next_order_at > END
        assert (row.average_days_between_orders is None) == (row.order_days == 1)


def test_a_second_refit_replaces_predictions_and_keeps_the_fit_history(fitted, crm_settings):
    refit_predictions("USD", now=END + timedelta(days=30))
    latest = PredictionFit.objects.filter(currency="USD").latest("fitted_at")
    assert PredictionFit.objects.filter(currency="USD").count() == 2
    assert set(CustomerPrediction.objects.filter(currency="USD").values_list("fit_id", flat=True)) == {latest.pk}

    crm_settings(**{**SMALL_STORE, "predictions_min_customers": 10_000})
    [refused] = refit_predictions("USD", now=END)
    assert refused.status == FitStatus.REFUSED
    assert not CustomerPrediction.objects.filter(currency="USD").exists()
    assert CustomerPrediction.objects.filter(currency="JPY").count() == 150  # other currencies untouched


def test_predictions_are_segment_functions(fitted):
    rows = CustomerPrediction.objects.filter(currency="USD")
    median_clv = sorted(row.predicted_clv for row in rows)[150]

    def members(query: str) -> set[int]:
        return set(compile_query(query, END).profiles().values_list("pk", flat=True))

    assert members(f'predicted_clv("USD") > {median_clv}') == {
        row.profile_id for row in rows if row.predicted_clv > median_clv
    }
    assert members('churn_risk("usd") >= 0.7') == {row.profile_id for row in rows if row.churn_risk_band == "high"}
    assert members('expected_orders("USD") >= 1 AND p_active("USD") > 0.5') == {
        row.profile_id for row in rows if row.predicted_orders >= 1 and row.p_active > Decimal("0.5")
    }
    # Without a currency: each customer's main currency (here their only one).
    assert members("churn_risk() < 0.3") == {
        row.profile_id for row in CustomerPrediction.objects.all() if row.churn_risk < Decimal("0.3")
    }
    assert members('predicted_clv("EUR") >= 0') == set()  # no prediction in EUR: never matches


def test_predictions_are_in_the_export_and_gone_when_the_customer_is_deleted(fitted):
    ingest(customer_event(pk=1, email="ada@example.com"))
    ada = CustomerProfile.objects.get(email="ada@example.com")
    CustomerPrediction.objects.filter(profile_id=fitted[1][0]).update(profile=ada)
    [exported] = export_customer_data(ada, staff=False)["predictions"]
    assert exported["currency"] == "USD" and exported["predicted_clv"] > 0
    ingest(customer_event(EventKind.CUSTOMER_DELETED, pk=1, email="ada@example.com", updated_at=END))
    assert not CustomerPrediction.objects.filter(profile=ada).exists()


def test_the_command_refits_and_reports(small_store, capsys):
    seed_orders(np.random.default_rng(5), 150, "USD")
    call_command("crm_analytics_refit", "--currency", "usd")
    assert "USD: fitted" in capsys.readouterr().out
    assert CustomerPrediction.objects.filter(currency="USD").count() == 150


@pytest.mark.django_db(transaction=True)
def test_the_nightly_refit_runs_through_celery(small_store):
    seed_orders(np.random.default_rng(8), 150, "USD")
    name = PERIODIC_TASKS["crm-analytics-refit-predictions"]["task"]
    result = celery_app.tasks[name].apply()
    assert result.successful(), result.traceback
    assert result.get() == {"USD": "fitted"}


@pytest.mark.parametrize("model", ["bg_nbd", "mbg_nbd", "pareto_nbd"])
def test_each_purchase_model_refits_and_scores_the_store(crm_settings, model):
    crm_settings(**SMALL_STORE, predictions_model=model)
    seed_orders(np.random.default_rng(13), 150, "USD")

    [fit] = refit_predictions(now=END)

    assert (fit.status, fit.model, fit.scored_customers) == (FitStatus.FITTED, model, 150)
    one_timers = CustomerPrediction.objects.filter(order_days=1)
    assert one_timers.exists()
    # Only BG/NBD deems every one-time buyer certainly active (why it is not the default).
    assert one_timers.filter(p_active__lt=1).exists() == (model != "bg_nbd")


def test_a_refit_while_another_worker_refits_is_refused(small_store):
    """The single-flight lock: two workers never write the same currency's rows at once."""
    conf = connection.settings_dict
    other = psycopg.connect(
        dbname=conf["NAME"], host=conf["HOST"], port=conf["PORT"] or None, user=conf["USER"], autocommit=True
    )
    key = zlib.crc32(b"saleor_crm_plugin:analytics-predictions-refit")
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [key])
        with pytest.raises(RefitBusy):
            refit_predictions(now=END)
    finally:
        other.execute("SELECT pg_advisory_unlock(%s)", [key])  # now, not whenever the server notices the close
        other.close()
    assert refit_predictions("USD", now=END)[0].status == FitStatus.REFUSED  # free again: runs (nothing to fit)
