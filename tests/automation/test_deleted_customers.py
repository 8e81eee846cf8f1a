"""A deleted customer's message links are dead (they write nothing new), and a survey has one answer per message."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from saleor_crm_plugin.automation import tracking
from saleor_crm_plugin.automation.models import MarketingPreference, Message, MessageStatus, SurveyResponse
from saleor_crm_plugin.events import EventKind
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.checkouts import mark_abandoned_checkouts
from saleor_crm_plugin.profiles.models import TimelineEntry

from ..factories import at, checkout_event, customer_event
from .conftest import OPEN_ALL_DAY, Scheduler

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(ada, crm_settings) -> Message:
    """A checkout reminder mailed to Ada."""
    crm_settings(**OPEN_ALL_DAY, automation_abandoned_checkout=True, automation_checkout_url="https://shop.test/{t}")
    ingest(checkout_event(token="checkout-1", email="ada@example.com", user=1))
    mark_abandoned_checkouts(at(hours=5))
    Scheduler().tick(at(hours=5))
    return Message.objects.get(status=MessageStatus.SENT)


def path(url: str) -> str:
    return urlsplit(url).path


def test_every_link_of_a_deleted_customer_is_dead(sent, client):
    ingest(customer_event(EventKind.CUSTOMER_DELETED, pk=1, updated_at=at(days=10)))
    entries = TimelineEntry.objects.count()

    assert client.get(path(tracking.open_url(sent.pk))).content.startswith(b"GIF89a")  # still a pixel
    click = client.get(path(tracking.click_url(sent.pk, "https://shop.test/checkout?token=secret")))
    assert click.status_code == 404  # no redirect to a checkout that carried their token
    assert client.post(path(tracking.unsubscribe_url(sent.profile_id))).status_code == 404
    assert client.get(path(tracking.survey_url(sent.pk))).status_code == 404
    survey = client.post(path(tracking.survey_url(sent.pk)), {"score": "3", "comment": "my phone is 555-0199"})
    assert survey.status_code == 404

    sent.refresh_from_db()
    assert (sent.opens, sent.clicks, sent.opened_at, sent.clicked_at) == (0, 0, None, None)
    assert not SurveyResponse.objects.exists()
    assert not MarketingPreference.objects.exists()
    assert TimelineEntry.objects.count() == entries


def test_answering_a_survey_again_replaces_the_answer_and_its_timeline_entry(sent, client):
    survey = path(tracking.survey_url(sent.pk))

    assert client.post(survey, {"score": "4", "comment": "slow"}).status_code == 200
    assert client.post(survey, {"score": "9", "comment": "arrived after all"}).status_code == 200

    assert list(SurveyResponse.objects.values_list("message_id", "score", "comment")) == [
        (sent.pk, 9, "arrived after all")
    ]
    answered = TimelineEntry.objects.filter(kind="survey.answered")
    assert list(answered.values_list("summary", flat=True)) == ["Rated us 9/10: arrived after all"]
    assert answered.get().data == {"message_id": sent.pk, "score": 9}
