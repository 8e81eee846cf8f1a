"""Consent, unsubscribe, frequency cap, quiet hours, send-time optimisation, templates and the
at-most-once sending rules."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from saleor_crm_plugin.automation import tracking
from saleor_crm_plugin.automation.models import EnrollmentStatus, FlowStep, MarketingPreference, Message, MessageStatus
from saleor_crm_plugin.automation.rendering import check_template
from saleor_crm_plugin.automation.sending import send_messages
from saleor_crm_plugin.automation.timing import SendPolicy, best_hours, parse_cap, parse_quiet_hours
from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.models import TimelineEntry

from ..factories import at, checkout_event, customer_event, order_event
from .test_abandoned_checkout import abandon

BERLIN = ZoneInfo("Europe/Berlin")


def policy(quiet="21:00-08:00", cap="", zone=BERLIN) -> SendPolicy:
    return SendPolicy(zone, parse_quiet_hours(quiet), parse_cap(cap))


def test_quiet_hours_across_midnight_in_the_store_time_zone():
    rules = policy()
    assert rules.is_quiet(datetime(2025, 3, 1, 21, 30, tzinfo=BERLIN))
    assert rules.is_quiet(datetime(2025, 3, 2, 7, 59, tzinfo=BERLIN))
    assert not rules.is_quiet(datetime(2025, 3, 2, 8, 0, tzinfo=BERLIN))
    assert rules.after_quiet(datetime(2025, 3, 1, 23, 0, tzinfo=BERLIN)) == datetime(2025, 3, 2, 8, 0, tzinfo=BERLIN)
    assert rules.after_quiet(datetime(2025, 3, 2, 6, 0, tzinfo=BERLIN)) == datetime(2025, 3, 2, 8, 0, tzinfo=BERLIN)
    assert policy("13:00-14:00").is_quiet(datetime(2025, 3, 1, 13, 15, tzinfo=BERLIN))
    with pytest.raises(ValueError, match="21-8"):
        parse_quiet_hours("21-8")
    with pytest.raises(ValueError, match="3 per week"):
        parse_cap("3 per week")
    assert parse_cap("2/36h") == (2, timedelta(hours=36))


def test_send_time_is_the_customers_best_hour_within_the_window():
    rules = policy(quiet="")
    due = datetime(2025, 3, 1, 9, 30, tzinfo=BERLIN)
    assert rules.send_time(due, 24, 19) == datetime(2025, 3, 1, 19, 0, tzinfo=BERLIN)
    assert rules.send_time(due, 24, 7) == datetime(2025, 3, 2, 7, 0, tzinfo=BERLIN)  # tomorrow, inside 24 h
    assert rules.send_time(due, 6, 19) == due  # not within the window: when due
    assert rules.send_time(due, 0, 19) == due  # the step allows no window
    assert policy().send_time(due, 24, 22) == datetime(2025, 3, 2, 8, 0, tzinfo=BERLIN)  # 22:00 is quiet


def test_best_hour_comes_from_orders_and_activity(ada):
    for n, hour in enumerate((18, 18, 19, 9)):  # Berlin is UTC+1 in March
        ingest(order_event(order_id=f"Order:{n}", user=1, created_at=datetime(2025, 3, 1 + n, hour - 1, 5, tzinfo=UTC)))
    assert best_hours([ada.pk], BERLIN) == {ada.pk: 18}
    assert best_hours([ada.pk + 999], BERLIN) == {}


def test_quiet_hours_postpone_and_the_cap_skips(ada, scheduler, crm_settings):
    crm_settings(automation_welcome=True, automation_birthday=True, automation_quiet_hours="21:00-08:00")
    night = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)
    ingest(customer_event(pk=2, email="bob@example.com", first_name="Bob", marketing_consent=True, date_joined=night))
    scheduler.tick(night)
    [message] = scheduler.messages(profile__email="bob@example.com")
    assert message.status == MessageStatus.SCHEDULED and message.send_at == datetime(2025, 3, 2, 8, tzinfo=UTC)
    assert mail.outbox == []
    scheduler.tick(datetime(2025, 3, 2, 8, 1, tzinfo=UTC))
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "bob@example.com"]  # both welcomed

    crm_settings(automation_frequency_cap="1/7d", automation_quiet_hours="")
    from saleor_crm_plugin.loyalty.actions import award_birthday_bonuses, set_birth_date
    from saleor_crm_plugin.loyalty.program import current_program

    bob = message.profile
    set_birth_date(bob, datetime(1990, 3, 3).date())
    award_birthday_bonuses(current_program(), datetime(2025, 3, 3).date(), datetime(2025, 3, 3, 9, tzinfo=UTC))
    scheduler.tick(datetime(2025, 3, 3, 9, 1, tzinfo=UTC))
    scheduler.tick(datetime(2025, 3, 3, 22, tzinfo=UTC))
    birthday = scheduler.messages(profile=bob, flow__slug="birthday")[0]
    assert (birthday.status, birthday.reason) == (MessageStatus.SKIPPED, "frequency_cap")
    assert len(mail.outbox) == 2


def test_unsubscribing_ends_flows_and_skips_what_was_scheduled(
    ada, scheduler, crm_settings, django_capture_on_commit_callbacks
):
    from saleor_crm_plugin.sandbox.metadata import METADATA

    crm_settings(automation_abandoned_checkout=True)
    abandon()
    scheduler.tick(at(hours=5))
    assert len(mail.outbox) == 1
    link = tracking.unsubscribe_url(ada.pk)
    path = link.split("/plugins/", 1)[1]

    page = Client().get("/plugins/" + path)
    assert page.status_code == 200 and not MarketingPreference.objects.filter(profile=ada).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post("/plugins/" + path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert MarketingPreference.objects.get(profile=ada).source == "one_click"
    assert METADATA[ada.saleor_user_id]["marketing_consent"] == "false"  # the store hears of it too

    scheduler.tick(at(hours=29))
    assert len(mail.outbox) == 1
    assert ada.flow_enrollments.get().status == EnrollmentStatus.UNSUBSCRIBED
    assert TimelineEntry.objects.filter(profile=ada, kind="marketing.unsubscribed").count() == 1
    assert Client().get("/plugins/" + path[:-3] + "abc").status_code == 404


def test_templates_escape_html_and_speak_the_channels_language(db, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True, automation_channel_languages="channel-pl:pl")
    ingest(customer_event(pk=5, email="x@example.com", first_name="<script>alert(1)</script>", marketing_consent=True))
    abandon(token="pl-cart", email="x@example.com", user=5, channel="channel-pl")
    scheduler.tick(at(hours=5), send=False)  # the flows exist now; translate the first step
    step = FlowStep.objects.get(flow__slug="abandoned-checkout", position=1)
    step.translations = {"pl": {"subject": "Twój koszyk, {{ first_name }}", "text": "Cześć {{ first_name }}!"}}
    step.save()
    send_messages(scheduler.handed[0], at(hours=5))

    [email] = mail.outbox
    assert email.subject == "Twój koszyk, <script>alert(1)</script>"  # text parts are not HTML
    assert email.body.startswith("Cześć <script>alert(1)</script>!")
    html = email.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert Message.objects.get().language == "pl"


def test_template_checks_name_the_problem():
    assert check_template("Hi {{ first_name }} {% for line in cart_lines %}{{ line.name }}{% endfor %}") is None
    assert check_template("{{ password }}") == "Unknown placeholder(s): password."
    assert check_template("{% for p in recommended_products %}{{ p.name }}{% endfor %}{{ loyalty_balance }}") is None
    assert check_template("{% if %}").startswith("Template error")


def test_a_broken_template_fails_its_message_only(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True, automation_channel_languages="channel-pl:pl")
    ingest(customer_event(pk=2, email="bob@example.com", marketing_consent=True))
    abandon()
    abandon(token="bob-cart", email="bob@example.com", user=2, channel="channel-pl")
    scheduler.tick(at(hours=5), send=False)
    step = FlowStep.objects.get(position=1, flow__slug="abandoned-checkout")
    step.translations = {"pl": {"text": "{% include 'missing.html' %}"}}  # saved past validation
    step.save()

    assert send_messages(scheduler.handed[0], at(hours=5)) == {"sent": 1, "failed": 1}
    failed = Message.objects.get(status=MessageStatus.FAILED)
    assert failed.profile.email == "bob@example.com"
    assert failed.reason.startswith("render: Invalid block tag on line 1: 'include'")
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_each_step_goes_out_once_however_often_it_is_handed_out(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True)
    abandon()
    scheduler.tick(at(hours=5), send=False)
    ids = scheduler.handed[0]
    assert send_messages(ids, at(hours=5)) == {"sent": 1}
    assert send_messages(ids, at(hours=5)) == {}  # a retried task
    scheduler.tick(at(hours=5, minutes=20))  # nothing is re-dispatched once sent
    assert len(mail.outbox) == 1


def test_a_message_claimed_by_a_dead_worker_is_never_sent_again(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True)
    abandon()
    scheduler.tick(at(hours=5), send=False)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING, claimed_at=at(hours=5))

    scheduler.tick(at(hours=5, minutes=30))  # after the lease

    message.refresh_from_db()
    assert (message.status, message.reason) == (MessageStatus.FAILED, "interrupted: delivery unknown")
    assert mail.outbox == []


class RefusingMailer:
    """A mail server that refuses the first attempt (SMTP 451-style), as ``smtplib`` raises it."""

    calls = 0

    def send(self, **message):
        RefusingMailer.calls += 1
        if RefusingMailer.calls == 1:
            raise ConnectionRefusedError("451 try again later")
        mail.outbox.append(message)


def test_a_refused_message_is_retried_later(ada, scheduler, crm_settings, settings):
    from saleor_crm_plugin import ports

    settings.CRM_PORTS = {**settings.CRM_PORTS, "mailer": f"{__name__}.RefusingMailer"}
    ports._port.cache_clear()
    try:
        crm_settings(automation_abandoned_checkout=True)
        abandon()
        scheduler.tick(at(hours=5))
        message = Message.objects.get()
        assert (message.status, message.attempts) == (MessageStatus.SCHEDULED, 1)
        scheduler.tick(at(hours=5, minutes=3))
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT and len(mail.outbox) == 1
    finally:
        ports._port.cache_clear()


def test_opens_clicks_and_the_conversion_they_lead_to(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True, automation_attribution_days=5)
    abandon()
    scheduler.tick(at(hours=5))
    message = Message.objects.get()
    client = Client()
    open_path = "/plugins/" + tracking.open_url(message.pk).split("/plugins/", 1)[1]
    assert client.get(open_path)["Content-Type"] == "image/gif"
    client.get(open_path)
    click = client.get(
        "/plugins/" + tracking.click_url(message.pk, "https://shop.test/p?a=1&b=2").split("/plugins/")[1]
    )
    assert (click.status_code, click["Location"]) == (302, "https://shop.test/p?a=1&b=2")
    genuine = tracking.click_url(message.pk, "https://evil.test")
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    assert client.get("/plugins/" + forged.split("/plugins/")[1]).status_code == 404

    # A different checkout's order two days later still counts: the customer came back.
    ingest(checkout_event(EventKind.CHECKOUT_CREATED, token="other", user=1, updated_at=at(days=2)))
    ingest(order_event(order_id="Order:7", user=1, total="80.00", checkout_token="other", created_at=at(days=2)))
    ingest(order_event(order_id="Order:8", user=1, total="20.00", created_at=at(days=20)))  # out of the window
    scheduler.tick(at(days=2, minutes=1))
    scheduler.tick(at(days=20, minutes=1))

    message.refresh_from_db()
    assert (message.opens, message.clicks) == (2, 1)
    assert message.converted_at == at(days=2)
    assert (message.order_id, message.revenue, message.currency) == (
        "T3JkZXI6T3JkZXI6Nw==",
        80,
        "USD",
    )
    kinds = list(TimelineEntry.objects.filter(profile=ada, kind__startswith="message.").values_list("kind", flat=True))
    assert sorted(kinds) == ["message.clicked", "message.converted", "message.opened", "message.sent"]


def test_quiet_hours_setting_is_validated():
    assert parse_quiet_hours("") is None
    assert parse_quiet_hours("22:00-06:30") == (time(22), time(6, 30))


def test_an_overrunning_tick_makes_the_next_one_a_no_op(db):
    import zlib

    import psycopg
    from django.db import connection

    from saleor_crm_plugin.automation.tasks import automation_tick_task

    key = zlib.crc32(b"saleor_crm_plugin:automation-tick")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:  # a tick still running in another worker
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone() == (True,)
        assert automation_tick_task.apply().get() == {"skipped": 1}
        other.execute("SELECT pg_advisory_unlock(%s)", [key])  # that tick ends (closing alone releases it later)
    assert "skipped" not in automation_tick_task.apply().get()


def test_a_setting_cleared_in_the_dashboard_is_empty_text_or_the_default(crm_settings):
    settings = crm_settings(automation_quiet_hours="", loyalty_return_window_days="", loyalty_expiry="",
                            automation_abandoned_checkout="")  # fmt: skip
    assert settings.automation_quiet_hours == ""  # no quiet hours, as the merchant asked
    assert (settings.loyalty_return_window_days, settings.loyalty_expiry) == (14, "lot")
    assert settings.automation_abandoned_checkout is False


def test_a_message_the_mailer_rejects_fails_alone(db, scheduler, crm_settings):
    crm_settings(automation_welcome=True)
    ingest(customer_event(pk=7, email="eve@example.com\nbcc: all@example.com", marketing_consent=True))  # injection
    ingest(customer_event(pk=8, email="sam@example.com", marketing_consent=True))

    scheduler.tick(at(minutes=1))

    assert [m.to for m in mail.outbox] == [["sam@example.com"]]
    failed = Message.objects.get(status=MessageStatus.FAILED)
    assert failed.reason.startswith("mailer: ") and "newlines" in failed.reason


class BusyNeighbourMailer:
    """Mails, and while the first one goes out another worker claims Bob's welcome (a race)."""

    def send(self, **message):
        Message.objects.filter(profile__email="bob@example.com", flow__slug="welcome").update(
            status=MessageStatus.SENDING, claimed_at=at(minutes=3)
        )
        mail.outbox.append(message)


def test_the_cap_holds_when_another_worker_claims_in_between(db, scheduler, crm_settings, settings):
    from saleor_crm_plugin import ports
    from saleor_crm_plugin.loyalty.actions import award_birthday_bonuses, set_birth_date
    from saleor_crm_plugin.loyalty.program import current_program

    crm_settings(automation_welcome=True, automation_birthday=True, automation_frequency_cap="1/7d")
    for pk, email in ((2, "bob@example.com"), (3, "ann@example.com")):
        ingest(customer_event(pk=pk, email=email, marketing_consent=True))
    scheduler.tick(at(minutes=1), send=False)
    bob = Message.objects.get(profile__email="bob@example.com").profile
    set_birth_date(bob, datetime(1990, 3, 1).date())
    award_birthday_bonuses(current_program(), datetime(2025, 3, 1).date(), at(minutes=2))
    scheduler.tick(at(minutes=3), send=False)
    ann_welcome = Message.objects.get(profile__email="ann@example.com")
    birthday = Message.objects.get(flow__slug="birthday")
    assert ann_welcome.pk < birthday.pk  # Ann's goes first; Bob's welcome is claimed meanwhile

    settings.CRM_PORTS = {**settings.CRM_PORTS, "mailer": f"{__name__}.BusyNeighbourMailer"}
    ports._port.cache_clear()
    try:
        outcome = send_messages([ann_welcome.pk, birthday.pk], at(hours=13))
    finally:
        ports._port.cache_clear()

    assert outcome == {"sent": 1, "frequency_cap": 1}
    assert [m["to"] for m in mail.outbox] == ["ann@example.com"]
