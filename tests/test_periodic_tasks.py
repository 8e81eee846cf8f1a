"""Every scheduled task run the way beat runs it: through Celery, on a database with no test transaction
around it, so a task that needs a transaction or a lock it doesn't take fails here, not in a store."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.actions import award_birthday_bonuses, set_birth_date
from saleor_crm_plugin.loyalty.models import LoyaltyAccount, OrderPoints
from saleor_crm_plugin.loyalty.program import current_program
from saleor_crm_plugin.loyalty.tasks import store_date
from saleor_crm_plugin.loyalty.tiers import reevaluate_tiers
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.sandbox.celery import app as celery_app
from saleor_crm_plugin.tasks import PERIODIC_TASKS

from .factories import checkout_event, customer_event
from .loyalty.helpers import balances, configure_program, paid_order, release_all


@pytest.fixture
def store(transactional_db, crm_settings):
    """A shopper with a paid order, an open checkout and today's birthday; every bonus switched on."""
    configure_program(crm_settings)
    crm_settings(loyalty_birthday_bonus=50, loyalty_expiry="lot", automation_welcome=True)
    ingest(customer_event(pk=1, email="ada@example.com", marketing_consent=True))
    ada = CustomerProfile.objects.get(email="ada@example.com")
    paid_order(total="120.00")
    ingest(checkout_event(user=1))
    set_birth_date(ada, store_date(timezone.now(), current_program().settings).replace(year=1990))
    return ada


@pytest.mark.parametrize("name", sorted(PERIODIC_TASKS))
def test_each_periodic_task_runs_through_celery(store, name):
    task = celery_app.tasks[PERIODIC_TASKS[name]["task"]]
    result = task.apply()
    assert result.successful(), result.traceback


def test_daily_loyalty_task_pays_todays_birthdays(store):
    celery_app.tasks["saleor_crm_plugin.loyalty.daily"].apply().get()
    celery_app.tasks["saleor_crm_plugin.loyalty.daily"].apply().get()  # twice a day: still once a year
    assert balances(store)[0] == 50


def test_birthday_is_the_store_local_date(crm_settings):
    settings = crm_settings(automation_time_zone="Pacific/Auckland")
    late_evening_utc = datetime(2026, 5, 16, 20, 0, tzinfo=UTC)  # already 17 May in Auckland
    assert store_date(late_evening_utc, settings) == date(2026, 5, 17)
    assert store_date(late_evening_utc, crm_settings(automation_time_zone="")) == date(2026, 5, 16)


def test_leap_day_birthdays_are_celebrated_on_28_february_in_common_years(ada, crm_settings):
    configure_program(crm_settings)
    crm_settings(loyalty_birthday_bonus=100)
    set_birth_date(ada, date(2000, 2, 29))
    program, now = current_program(), timezone.now()
    award_birthday_bonuses(program, date(2027, 2, 28), now)
    assert balances(ada)[0] == 100
    award_birthday_bonuses(program, date(2028, 2, 28), now)  # a leap year has its own 29th
    assert balances(ada)[0] == 100
    award_birthday_bonuses(program, date(2028, 2, 29), now)
    assert balances(ada)[0] == 200


def test_tier_review_waits_for_a_run_holding_the_account(transactional_db, crm_settings):
    """The review locks accounts like ingest does: an upgrade committed meanwhile is not overwritten."""
    configure_program(crm_settings)
    ingest(customer_event(pk=1, email="ada@example.com"))
    ada = CustomerProfile.objects.get(email="ada@example.com")
    paid_order(order_id="Order:1", total="600.00")
    release_all()
    account = LoyaltyAccount.objects.get(profile=ada)
    assert account.tier == "Silver"
    review_at = timezone.now() + timedelta(days=400)  # the Silver points left the window: a downgrade is due
    locked, release = threading.Event(), threading.Event()

    def upgrading_run():
        """What a run landing meanwhile does: lock the account, add facts worth Gold, move the tier."""
        try:
            with transaction.atomic():
                LoyaltyAccount.objects.select_for_update().get(pk=account.pk)
                OrderPoints.objects.filter(account=account).update(release_at=review_at, points=2500)
                LoyaltyAccount.objects.filter(pk=account.pk).update(tier="Gold", tier_since=review_at)
                locked.set()
                release.wait(5)
        finally:
            connection.close()

    thread = threading.Thread(target=upgrading_run)
    thread.start()
    assert locked.wait(5)
    threading.Timer(1.0, release.set).start()
    reevaluate_tiers(current_program(), review_at)
    thread.join()
    account.refresh_from_db()
    assert account.tier == "Gold"
