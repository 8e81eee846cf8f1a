"""The pages a message links to, used the way a shopper uses them: a real flow sends into the
sandbox mailbox, the mailbox page shows it in headless Chromium, and its links are followed there.
Cases a browser adds nothing to (bad tokens, refused targets, GET vs POST) use Django's test client."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from saleor_crm_plugin.automation import tracking
from saleor_crm_plugin.automation.models import MarketingPreference, Message, MessageStatus, SurveyResponse
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.checkouts import mark_abandoned_checkouts
from saleor_crm_plugin.profiles.models import TimelineEntry
from saleor_crm_plugin.sandbox import mailbox

from ..factories import at, checkout_event, later, line, order_event
from .conftest import OPEN_ALL_DAY, Scheduler

PLUGIN = "/plugins/global/saleor.crm"
REMINDER = "You left something in your cart"


@pytest.fixture
def inbox(settings, tmp_path):
    """Mail goes to the sandbox mailbox in a directory of this test's own (instead of locmem)."""
    settings.EMAIL_BACKEND = "saleor_crm_plugin.sandbox.mailbox.EmailBackend"
    settings.CRM_SANDBOX_MAILBOX = str(tmp_path / "mailbox")
    return tmp_path / "mailbox"


@pytest.fixture
def flows(crm_settings, live_server):
    """Links in messages point at the live server; carts link back to its store page."""
    return lambda **values: crm_settings(
        **OPEN_ALL_DAY,
        automation_public_url=live_server.url + PLUGIN,
        automation_checkout_url=live_server.url + "/store/?checkout={token}",
        **values,
    )


@pytest.fixture
def reminder(ada, inbox, flows) -> Message:
    """Ada left a cart; the abandoned-checkout flow sent her the first reminder."""
    flows(automation_abandoned_checkout=True)
    lines = (line(2, "12.50", product=1), line(1, "5.00", product=2))
    ingest(checkout_event(token="checkout-1", email="ada@example.com", user=1, lines=lines))
    mark_abandoned_checkouts(at(hours=5))
    Scheduler().tick(at(hours=5))
    return Message.objects.get(status=MessageStatus.SENT)


def open_in_mailbox(browser, live_server, subject: str):
    page = browser.new_page()
    page.goto(f"{live_server.url}/mailbox/")
    page.get_by_role("link", name=re.compile(re.escape(subject))).click()
    page.locator("#subject").wait_for()
    return page, page.frame_locator("#html-part")


def eventually(check, seconds: float = 5.0):
    """The live server answers the browser in its own thread: wait for what it records."""
    deadline = time.monotonic() + seconds
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return result


def fresh(message: Message) -> Message:
    message.refresh_from_db()
    return message


# -- in a browser ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_reminder_shows_the_cart_and_tracks_the_open_and_the_click(live_server, browser, reminder, ada):
    page, email = open_in_mailbox(browser, live_server, REMINDER)

    assert page.locator("#subject").inner_text() == REMINDER
    assert email.get_by_text("2 \u00d7 Product 1").is_visible()
    assert email.get_by_text("30.00 USD").is_visible()
    assert "Total: 30.00 USD" in page.locator("#text-part").inner_text()
    assert eventually(lambda: fresh(reminder).opens >= 1), "the open pixel was not loaded"
    assert fresh(reminder).opened_at is not None

    with page.context.expect_page() as opened:
        email.get_by_role("link", name="Return to your cart").click()
    store = opened.value
    store.wait_for_load_state()

    assert store.url == f"{live_server.url}/store/?checkout=checkout-1"
    assert store.title() == "Sandbox store"
    reminder = fresh(reminder)
    assert (reminder.clicks, reminder.clicked_at is not None) == (1, True)
    click = TimelineEntry.objects.get(profile=ada, kind="message.clicked")
    assert click.data["url"] == store.url
    assert TimelineEntry.objects.filter(profile=ada, kind="message.opened").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_unsubscribe_link_asks_first_then_unsubscribes(live_server, browser, reminder, ada):
    page, email = open_in_mailbox(browser, live_server, REMINDER)
    with page.context.expect_page() as opened:
        email.get_by_role("link", name="Unsubscribe").click()
    unsubscribe = opened.value
    unsubscribe.get_by_role("button", name="Unsubscribe").wait_for()
    assert not MarketingPreference.objects.filter(profile=ada, unsubscribed_at__isnull=False).exists()

    unsubscribe.get_by_role("button", name="Unsubscribe").click()

    assert unsubscribe.locator("#done").inner_text() == "You are unsubscribed"
    preference = MarketingPreference.objects.get(profile=ada)
    assert (preference.unsubscribed_at is not None, preference.source) == (True, "link")


@pytest.mark.django_db(transaction=True)
def test_one_click_unsubscribe_posted_as_a_mail_client_does(live_server, browser, reminder, ada):
    page, _ = open_in_mailbox(browser, live_server, REMINDER)
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=re.compile("One-click unsubscribe")).click()
    done = opened.value

    assert done.locator("#done").inner_text() == "You are unsubscribed"
    assert MarketingPreference.objects.get(profile=ada).source == "one_click"


@pytest.mark.django_db(transaction=True)
def test_a_mangled_link_gets_the_not_valid_page(live_server, browser, reminder):
    url = tracking.unsubscribe_url(reminder.profile_id)
    page = browser.new_page()

    response = page.goto(url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB"))

    assert response.status == 404
    assert page.get_by_role("heading").inner_text() == "This link is not valid"
    assert not MarketingPreference.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_post_purchase_survey_is_answered_in_the_browser(live_server, browser, ada, inbox, flows):
    flows(automation_post_purchase=True, automation_post_purchase_wait="7d")
    placed = order_event(order_id="Order:1", user=1, created_at=at())
    ingest(placed)
    ingest(later(placed, "order.fulfilled", status="fulfilled", minutes=60))
    scheduler = Scheduler()
    scheduler.tick(at(hours=2))  # the flow starts; its step is due a week after fulfilment
    scheduler.tick(at(days=8, hours=1))
    message = Message.objects.get(status=MessageStatus.SENT)

    page, email = open_in_mailbox(browser, live_server, "How was your order 1?")
    with page.context.expect_page() as opened:
        email.get_by_role("link", name="How likely are you to recommend us to a friend?").click()
    survey = opened.value
    survey.get_by_label("9", exact=True).check()
    survey.get_by_label("Anything you'd like to tell us?").fill("Fast <b>delivery</b>")
    survey.get_by_role("button", name="Send").click()

    assert survey.locator("#thanks").inner_text() == "Thank you!"
    answer = SurveyResponse.objects.get(profile=ada)
    assert (answer.message_id, answer.score, answer.comment) == (message.pk, 9, "Fast <b>delivery</b>")
    assert fresh(message).clicks == 1

    refused = survey.request.post(tracking.survey_url(message.pk), form={"score": "11"})
    assert refused.status == 400
    assert "Choose a score from 0 to 10." in refused.text()
    assert SurveyResponse.objects.get(profile=ada).score == 9


# -- plain HTTP --------------------------------------------------------------------------------------


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def sent(ada, inbox, crm_settings) -> Message:
    """A reminder sent into the mailbox, its links on the default public URL (the test client ignores the host)."""
    crm_settings(
        **OPEN_ALL_DAY, automation_abandoned_checkout=True, automation_checkout_url="https://shop.test/{token}"
    )
    ingest(checkout_event(token="checkout-1", email="ada@example.com", user=1))
    mark_abandoned_checkouts(at(hours=5))
    Scheduler().tick(at(hours=5))
    return Message.objects.get(status=MessageStatus.SENT)


def test_the_mailbox_files_each_message_and_reads_it_back(inbox, settings):
    for subject in ("First", "Second"):
        email = EmailMultiAlternatives(subject, f"{subject} text", "shop@example.com", ["ada@example.com"])
        email.attach_alternative(f'<p title="a&quot;b">{subject} html</p>', "text/html")
        email.extra_headers["X-CRM-Message"] = "7"
        email.send()

    names = sorted(p.name for p in inbox.iterdir())
    assert len(names) == 2 and all(name.endswith(".eml") for name in names)  # no temporary file left
    newest, oldest = mailbox.list_messages()
    assert (newest.subject, oldest.subject) == ("Second", "First")
    message = mailbox.read_message(newest.id)
    assert (message.to, message.crm_message, message.text.strip()) == ("ada@example.com", "7", "Second text")
    assert '<p title="a&quot;b">Second html</p>' in message.html
    assert message.date is not None
    assert mailbox.read_message("../../etc/passwd") is None

    page = Client().get("/mailbox/", {"m": newest.id})
    assert page.status_code == 200
    # The HTML part is one escaped attribute: the email's own markup can't reach the page.
    assert 'srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p title=&quot;a&amp;quot;b&quot;&gt;' in page.text
    assert Client().get("/mailbox/", {"m": "nope"}).status_code == 404


def test_a_refused_write_counts_as_not_sent(inbox, settings):
    inbox.parent.mkdir(exist_ok=True)
    inbox.write_text("a file where the mailbox directory should be")
    with pytest.raises(OSError):
        EmailMultiAlternatives("Hi", "text", "shop@example.com", ["ada@example.com"]).send()


def test_bad_tokens_record_nothing(sent, client):
    open_token = urlsplit(tracking.open_url(sent.pk)).path.rsplit("/", 1)[1].removesuffix(".gif")

    assert client.get(f"{PLUGIN}/m/open/{open_token[:-2]}xx.gif").content.startswith(b"GIF89a")  # always the pixel
    assert client.get(path_of(tracking.click_url(sent.pk, "https://shop.test/"))[:-2] + "xx").status_code == 404
    assert client.get(f"{PLUGIN}/m/survey/{open_token}").status_code == 404  # right value, wrong purpose
    assert client.post(f"{PLUGIN}/m/unsubscribe/{open_token}").status_code == 404
    assert client.get(f"{PLUGIN}/m/nothing/{open_token}").status_code == 404

    sent = fresh(sent)
    assert (sent.opens, sent.clicks) == (0, 0)
    assert not MarketingPreference.objects.exists()


@pytest.mark.parametrize("target", ["javascript:alert(1)", "//evil.test/", "data:text/html,hi", "mailto:a@b.c"])
def test_a_click_only_redirects_to_web_addresses(sent, client, target):
    response = client.get(path_of(tracking.click_url(sent.pk, target)))

    assert response.status_code == 404
    assert fresh(sent).clicks == 0


def test_a_click_redirects_and_counts_every_click_but_records_one_entry(sent, client, ada):
    url = path_of(tracking.click_url(sent.pk, "https://shop.test/checkout-1?a=1&b=2"))
    for _ in range(2):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "https://shop.test/checkout-1?a=1&b=2")

    assert fresh(sent).clicks == 2
    assert TimelineEntry.objects.filter(profile=ada, kind="message.clicked").count() == 1


def test_get_on_unsubscribe_only_asks(sent, client):
    response = client.get(path_of(tracking.unsubscribe_url(sent.profile_id)))

    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert not MarketingPreference.objects.exists()


def test_the_one_click_post_from_the_emails_header(sent, client):
    """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click`` to the header's URL, no cookies, no CSRF token."""
    [filed] = mailbox.list_messages()
    url = re.search(r"<(https?://[^>]+)>", filed.headers["List-Unsubscribe"]).group(1)
    assert url == tracking.unsubscribe_url(sent.profile_id)
    assert filed.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    csrf_checking = Client(enforce_csrf_checks=True)

    response = csrf_checking.post(
        path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    preference = MarketingPreference.objects.get(profile_id=sent.profile_id)
    assert (preference.unsubscribed_at is not None, preference.source) == (True, "one_click")
    assert csrf_checking.put(path_of(url)).status_code == 405
