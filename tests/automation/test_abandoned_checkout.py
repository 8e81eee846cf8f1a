"""The abandoned-checkout flow end to end: abandonment, reminders with the cart, goals, consent."""

from __future__ import annotations

from django.core import mail

from saleor_crm_plugin.automation.models import Enrollment, EnrollmentStatus, MessageStatus
from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.models import LoyaltyAccount
from saleor_crm_plugin.profiles.checkouts import mark_abandoned_checkouts
from saleor_crm_plugin.profiles.models import CustomerProfile, TimelineEntry

from ..factories import at, checkout_event, customer_event, line, order_event


def abandon(token="checkout-1", email="ada@example.com", user=1, now=None, **fields):
    ingest(
        checkout_event(
            token=token,
            email=email,
            user=user,
            lines=(line(2, "12.50", product=1), line(1, "5.00", product=2)),
            **fields,
        )
    )
    mark_abandoned_checkouts(now or at(hours=5))


def test_reminders_carry_the_cart_and_stop_after_the_last_step(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True, automation_checkout_url="https://shop.test/checkout/{token}")
    abandon()

    scheduler.tick(at(hours=5))

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ada@example.com"]
    assert email.subject == "You left something in your cart"
    assert "2 \u00d7 Product 1: 25.00 USD" in email.body
    assert "Total: 30.00 USD" in email.body
    assert "https://shop.test/checkout/checkout-1" in email.body
    html = email.alternatives[0][0]
    assert "Return to your cart" in html and "/m/click/" in html and "/m/open/" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    scheduler.tick(at(hours=6))  # the second reminder is due a day after the first
    assert len(mail.outbox) == 1
    scheduler.tick(at(hours=29))
    assert [m.subject for m in mail.outbox] == ["You left something in your cart", "Your cart is still waiting"]
    scheduler.tick(at(days=5))
    assert len(mail.outbox) == 2
    assert Enrollment.objects.get().status == EnrollmentStatus.COMPLETED
    kinds = set(TimelineEntry.objects.filter(profile=ada).values_list("kind", flat=True))
    assert "message.sent" in kinds


def test_completing_the_checkout_stops_the_next_reminder(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True)
    abandon()
    scheduler.tick(at(hours=5))
    ingest(order_event(order_id="Order:9", user=1, checkout_token="checkout-1", created_at=at(hours=7)))

    scheduler.tick(at(hours=29))

    assert len(mail.outbox) == 1
    assert Enrollment.objects.get().status == EnrollmentStatus.GOAL_REACHED


def test_a_goal_reached_after_scheduling_skips_the_message(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True)
    abandon()
    scheduler.tick(at(hours=5), send=False)  # scheduled and handed out, not yet sent
    ingest(order_event(order_id="Order:9", user=1, checkout_token="checkout-1", created_at=at(hours=5, minutes=1)))

    from saleor_crm_plugin.automation.sending import send_messages

    outcome = send_messages(scheduler.handed[0], at(hours=5, minutes=2))

    assert outcome == {"goal_reached": 1}
    assert mail.outbox == []


def test_the_last_reminder_gives_its_bonus_points_once(ada, scheduler, crm_settings):
    crm_settings(
        automation_abandoned_checkout=True,
        automation_abandoned_checkout_bonus_points=200,
        automation_abandoned_checkout_discount_code="COMEBACK10",
    )
    abandon()
    scheduler.tick(at(hours=5))
    assert "bonus points" not in mail.outbox[0].body
    scheduler.tick(at(hours=29))
    scheduler.tick(at(hours=30))  # a repeated tick changes nothing

    assert "We added 200 bonus points" in mail.outbox[1].body
    assert "COMEBACK10" in mail.outbox[1].body
    assert LoyaltyAccount.objects.get(profile=ada).available == 200


def test_reminders_need_consent_unless_the_merchant_says_they_are_transactional(db, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True)
    ingest(customer_event(pk=2, email="bob@example.com", first_name="Bob", marketing_consent=False))
    abandon(token="c-bob", email="bob@example.com", user=2)
    scheduler.tick(at(hours=5))
    assert mail.outbox == []
    assert [m.reason for m in scheduler.messages()] == ["no_consent"]

    crm_settings(automation_abandoned_checkout=True, automation_reminders_need_consent=False)
    abandon(token="c-bob-2", email="bob@example.com", user=2, updated_at=at(hours=1), now=at(hours=6))
    scheduler.tick(at(hours=6))
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_guest_checkouts_are_reminded_and_old_history_is_not(db, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True, automation_reminders_need_consent=False)
    abandon(token="guest", email="guest@example.com", user=None)
    # A checkout left a month before: a backfill of history starts nothing.
    ingest(checkout_event(token="old", email="old@example.com", updated_at=at(days=-30)))
    mark_abandoned_checkouts(at(hours=5))

    scheduler.tick(at(hours=5))

    assert [m.to for m in mail.outbox] == [["guest@example.com"]]
    assert CustomerProfile.objects.get(email="guest@example.com").crm_messages.get().status == MessageStatus.SENT


def test_a_checkout_abandoned_twice_is_reminded_once(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True, automation_abandoned_checkout_waits="0h")
    abandon()
    scheduler.tick(at(hours=5))
    ingest(checkout_event(EventKind.CHECKOUT_UPDATED, token="checkout-1", user=1, updated_at=at(hours=6)))
    mark_abandoned_checkouts(at(hours=11))
    scheduler.tick(at(hours=11))

    assert len(mail.outbox) == 1
