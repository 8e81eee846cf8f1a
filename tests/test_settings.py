"""A typo in the dashboard is refused when saved and, if it gets through, never stops event processing;
an event a hook couldn't build is kept as a dead letter and replayed from the store."""

import logging

import pytest
from django.test import override_settings

from saleor_crm_plugin import ports
from saleor_crm_plugin.events import Event, EventKind, EventReference
from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.loyalty.program import current_program
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.receipts import DeadLetter
from saleor_crm_plugin.settings import CRMSettings, dashboard_fields, validate_settings
from saleor_crm_plugin.tasks import keep_unbuilt, replay_dead_letters

from .factories import customer_event, order_event

TYPOS = {
    "checkout_abandoned_after_hours": ("4h", "not a whole number"),
    "deleted_customer_policy": ("anonymize", "not one of 'anonymise', 'delete'"),
    "loyalty_earn_rates": ("default-channel=1", "not like 'channel-slug:rate'"),
    "loyalty_tiers": ("Bronze:0:1, Silver:five hundred:1.25", "Tier 'Silver:five hundred:1.25'"),
    "loyalty_redeem_rate": ("0", "every reward free"),
    "loyalty_minimum_order": ("-5", "zero or more"),
    "loyalty_return_window_days": ("two weeks", "not a whole number"),
    "ticket_business_hours": ("weekdays 9-5", "Can't read business hours"),
    "ticket_time_zone": ("Europe/Berlinn", "not an IANA time zone"),
    "ticket_sla_first_response": ("urgent=1 hour", "Can't read SLA target"),
    "automation_abandoned_checkout_waits": ("0h, tomorrow", "'tomorrow' is not a wait"),
    "automation_frequency_cap": ("3 a week", "not like '3/7d'"),
    "automation_quiet_hours": ("21-8", "not like '21:00-08:00'"),
    "automation_time_zone": ("CEST", "not an IANA time zone"),
}


@pytest.mark.parametrize("name", sorted(TYPOS))
def test_a_typo_is_refused_with_the_field_and_a_message(name):
    value, message = TYPOS[name]
    errors = validate_settings({name: value})
    assert list(errors) == [name]
    assert message in errors[name]


def test_the_defaults_and_empty_numbers_are_valid():
    defaults = {field.name: str(field.default) for field in dashboard_fields() if not isinstance(field.default, tuple)}
    assert validate_settings({**defaults, "loyalty_birthday_bonus": "", "ticket_business_hours": ""}) == {}


@pytest.mark.django_db
def test_a_typo_that_got_through_falls_back_for_that_field_alone(crm_settings, caplog):
    with caplog.at_level(logging.ERROR, logger="saleor_crm_plugin.settings"):
        settings = crm_settings(
            checkout_abandoned_after_hours="4h", loyalty_tiers="Gold:lots:2", loyalty_earn_rates="*:2"
        )
    assert settings.checkout_abandoned_after_hours == CRMSettings.checkout_abandoned_after_hours
    assert settings.loyalty_tiers == CRMSettings.loyalty_tiers
    assert settings.loyalty_earn_rates == "*:2"  # the good field still applies
    assert "checkout_abandoned_after_hours='4h' is invalid" in caplog.text
    assert [tier.name for tier in current_program().tiers] == ["Bronze", "Silver", "Gold"]
    assert ingest(customer_event(pk=1, email="ada@example.com"))  # events still flow
    assert ingest(order_event(user=1))


class StoreRebuilder:
    """The store's objects as a replay finds them once the cause is fixed."""

    def __call__(self, references):
        assert [reference.model for reference in references] == ["account.User"]
        return [Event(ref.kind, customer_event(pk=int(ref.pk), email="ada@example.com").data) for ref in references]


@pytest.mark.django_db
def test_an_event_a_hook_could_not_build_is_kept_and_replayed_from_the_store():
    letter = keep_unbuilt(EventReference(EventKind.CUSTOMER_CREATED, "account.User", "7"), ValueError("bad setting"))
    assert (letter.key, letter.kind) == ("unbuilt:customer.created:account.User:7", "customer.created")
    assert "bad setting" in letter.error

    with override_settings(CRM_PORTS={"event_rebuilder": f"{__name__}.StoreRebuilder"}):
        ports._port.cache_clear()
        try:
            assert replay_dead_letters() == (1, 0)
        finally:
            ports._port.cache_clear()

    assert CustomerProfile.objects.filter(email="ada@example.com").exists()
    assert DeadLetter.objects.get().replayed_at is not None
