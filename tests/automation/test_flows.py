"""The other built-in flows: win-back, post-purchase with its survey, welcome, loyalty, birthday; and
how the dashboard and the flow rows meet."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from django.core import mail
from django.test import Client
from django.utils import timezone

from saleor_crm_plugin.automation import tracking
from saleor_crm_plugin.automation.builtin import sync_builtin_flows
from saleor_crm_plugin.automation.models import Flow, FlowStep, SurveyResponse
from saleor_crm_plugin.automation.surveys import nps
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.actions import award_birthday_bonuses, set_birth_date
from saleor_crm_plugin.loyalty.expiry import expire_points
from saleor_crm_plugin.loyalty.models import PointsLedgerEntry
from saleor_crm_plugin.loyalty.program import current_program
from saleor_crm_plugin.profiles.models import TimelineEntry
from saleor_crm_plugin.recommendations.compute import rebuild
from saleor_crm_plugin.segments.membership import evaluate_segment
from saleor_crm_plugin.segments.models import Segment
from saleor_crm_plugin.settings import get_settings

from ..factories import at, customer_event, later, line, order_event
from ..loyalty.helpers import configure_program, paid_order, release_all


def test_win_back_on_entering_the_segment_with_recommendations(ada, scheduler, crm_settings):
    crm_settings(automation_winback=True, automation_winback_segment="regulars", automation_winback_bonus_points=50)
    segment = Segment.objects.create(name="Regulars", slug="regulars", query="orders_count >= 2")
    evaluate_segment(segment)  # first evaluation: silent
    scheduler.tick(timezone.now())  # the flow is switched on now: earlier facts don't count
    # Other shoppers bought products 1+2 together; Ada buys product 1 twice.
    for n in range(3):
        ingest(customer_event(pk=10 + n, email=f"s{n}@example.com"))
        ingest(order_event(order_id=f"Order:s{n}", user=10 + n, email=f"s{n}@example.com",
                           lines=(line(product=1), line(product=2)), created_at=at(days=-10)))  # fmt: skip
    ingest(order_event(order_id="Order:a1", user=1, lines=(line(product=1),), created_at=at(days=-20)))
    rebuild()
    ingest(order_event(order_id="Order:a2", user=1, lines=(line(product=1),), created_at=at(days=-5)))
    assert TimelineEntry.objects.filter(profile=ada, kind="segment.entered").exists()
    scheduler.tick(timezone.now())  # the beat's next minute: enrolled, due at the best hour within 24 h

    scheduler.tick(timezone.now() + timedelta(hours=25))  # a send window of 24 h at the best hour

    [email] = mail.outbox
    assert email.subject == "We miss you, Ada"
    assert "- Product 2" in email.body  # bought together with what she bought
    assert "We added 50 bonus points" in email.body
    assert PointsLedgerEntry.objects.filter(rule="automation").count() == 1


def test_post_purchase_asks_for_a_rating_that_lands_on_the_profile(ada, scheduler, crm_settings):
    crm_settings(automation_post_purchase=True, automation_post_purchase_wait="7d")
    placed = order_event(order_id="Order:1", user=1, created_at=at())
    ingest(placed)
    ingest(later(placed, "order.fulfilled", status="fulfilled", minutes=60))
    scheduler.tick(at(hours=1, minutes=1))
    scheduler.tick(at(days=6))
    assert mail.outbox == []

    scheduler.tick(at(days=8, hours=1))

    [email] = mail.outbox
    assert email.subject == "How was your order 1?"
    message = scheduler.sent()[0]
    survey = tracking.survey_url(message.pk)
    assert survey in email.body
    path = urlsplit(survey).path
    assert Client().post(path, {"score": "11"}).status_code == 400
    assert Client().post(path, {"score": "9", "comment": "Fast <b>delivery</b>"}).status_code == 200
    response = SurveyResponse.objects.get(profile=ada)
    assert (response.score, response.comment) == (9, "Fast <b>delivery</b>")
    assert TimelineEntry.objects.filter(profile=ada, kind="survey.answered").exists()
    assert nps([9, 10, 8, 3]) == 25


def test_welcome_introduces_the_loyalty_balance(db, scheduler, crm_settings):
    configure_program(crm_settings)
    crm_settings(automation_welcome=True, loyalty_signup_bonus=100)
    ingest(customer_event(pk=3, email="eve@example.com", first_name="Eve", marketing_consent=True))

    scheduler.tick(at(minutes=5))

    [email] = mail.outbox
    assert email.subject == "Welcome, Eve!"
    assert "You have 100 points" in email.body


def test_points_about_to_expire_and_tier_reached(ada, scheduler, crm_settings):
    configure_program(crm_settings)
    crm_settings(automation_loyalty=True, loyalty_expiry="lot", loyalty_expiry_days=100, loyalty_expiry_warning_days=30)
    scheduler.tick(timezone.now() - timedelta(days=1))
    paid_order(order_id="Order:1", total="600.00")
    release_all()  # 600 points: Silver
    first = PointsLedgerEntry.objects.get(kind="release").occurred_at
    scheduler.tick(first)
    scheduler.tick(first + timedelta(hours=25))
    assert [m.subject for m in mail.outbox] == ["Welcome to Silver!"]

    expire_points(current_program(), first + timedelta(days=80))
    expire_points(current_program(), first + timedelta(days=81))  # the same lot again: one fact
    scheduler.tick(first + timedelta(days=81))
    scheduler.tick(first + timedelta(days=82, hours=1))

    assert [m.subject for m in mail.outbox] == ["Welcome to Silver!", "Your 600 points expire soon"]
    expiring = mail.outbox[1]
    assert (first + timedelta(days=100)).date().isoformat() in expiring.body


def test_birthday_greeting_once_a_year(ada, scheduler, crm_settings):
    crm_settings(automation_birthday=True)
    scheduler.tick(timezone.now() - timedelta(days=1))
    today = timezone.now().date()
    set_birth_date(ada, date(1990, today.month, min(today.day, 28)))
    birthday = date(today.year, today.month, min(today.day, 28))

    award_birthday_bonuses(current_program(), birthday, timezone.now())
    award_birthday_bonuses(current_program(), birthday, timezone.now())
    scheduler.tick(timezone.now())
    scheduler.tick(timezone.now() + timedelta(hours=13))

    assert [m.subject for m in mail.outbox] == ["Happy birthday, Ada!"]


def test_dashboard_changes_win_once_over_api_edits(db):
    now = timezone.now()
    settings = get_settings()
    sync_builtin_flows(settings, now)
    flow = Flow.objects.get(slug="abandoned-checkout")
    assert not flow.is_active and flow.steps.count() == 2
    step = flow.steps.get(position=1)
    step.subject = "Forgot something?"  # an edit through the API
    step.save()

    assert sync_builtin_flows(settings, now) == 0  # same dashboard values: the edit stays
    changed = settings.__class__(**{**settings.__dict__, "automation_abandoned_checkout": True,
                                    "automation_abandoned_checkout_waits": "1h, 1d, 3d"})  # fmt: skip
    assert sync_builtin_flows(changed, now) == 1
    flow.refresh_from_db()
    assert flow.is_active and flow.active_since == now
    assert list(flow.steps.values_list("position", "wait_minutes")) == [(1, 60), (2, 1440), (3, 4320)]
    assert FlowStep.objects.get(flow=flow, position=1).subject == "Forgot something?"


def test_a_deleted_customer_keeps_the_figures_but_not_the_words(ada, scheduler, crm_settings):
    from saleor_crm_plugin.automation.models import Message, MessageStatus
    from saleor_crm_plugin.events import EventKind
    from saleor_crm_plugin.profiles.export import export_customer_data

    crm_settings(automation_welcome=True)
    scheduler.tick(at(minutes=1))
    message = Message.objects.get()
    SurveyResponse.objects.create(
        profile=ada, message=message, score=3, comment="Ada's parcel was late", answered_at=at()
    )
    assert export_customer_data(ada, staff=True)["marketing"]["messages"][0]["subject"] == "Welcome, Ada!"

    ingest(customer_event(EventKind.CUSTOMER_DELETED, pk=1, updated_at=at(days=1)))

    message.refresh_from_db()
    assert (message.status, message.email, message.subject) == (MessageStatus.SENT, "", "(removed: customer deleted)")
    assert SurveyResponse.objects.get().comment == ""
    assert message.enrollment.context == {}
