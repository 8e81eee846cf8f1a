"""The CRM's settings: one home, documented defaults.

Values come, later ones winning, from the defaults below, the host's Django setting ``CRM``
(a dict) and the store's configuration port (in Saleor: the plugin's configuration in the
dashboard). They are read once per process and re-read after ``CACHE_SECONDS`` so a change in
the dashboard reaches the Celery workers without a restart.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import typing
from collections.abc import Callable
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings as django_settings

CACHE_SECONDS = 60
logger = logging.getLogger(__name__)


def dashboard(default, label: str, help_text: str, kind: str = "string"):
    """A setting the merchant edits in Saleor's dashboard (plugin configuration).

    ``kind`` is "string", "boolean" or "multiline"; the plugin builds its ``CONFIG_STRUCTURE``
    from these, so a domain adds a dashboard setting by adding one field here.
    """
    return dataclasses.field(default=default, metadata={"label": label, "help_text": help_text, "kind": kind})


@dataclasses.dataclass(frozen=True)
class CRMSettings:
    # --- events and profiles ---
    process_synchronously: bool = dashboard(
        False,
        "Process events in the request",
        "For tiny stores without a Celery worker on the 'crm' queue. Slows checkouts down.",
        kind="boolean",
    )
    deleted_customer_policy: Literal["anonymise", "delete"] = dashboard(
        "anonymise",
        "When a customer is deleted",
        "'anonymise' keeps purchase statistics without personal data; 'delete' removes the profile.",
    )
    checkout_abandoned_after_hours: int = dashboard(
        4,
        "Checkout counts as abandoned after (hours)",
        "A checkout with an email and items, untouched this long, is marked abandoned.",
    )
    consent_metadata_key: str = dashboard(
        "marketing_consent",
        "Marketing consent metadata key",
        "The customer metadata key your storefront writes marketing consent to ('true'/'false').",
    )
    # How many favourite categories and products a profile shows.
    favourites_limit: int = 3
    # Order and checkout metadata keys read as marketing attribution.
    attribution_keys: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign")
    # Celery queue of the CRM tasks, and how often a failing event is retried.
    queue: str = "crm"
    max_retries: int = 5
    # Receipts of applied events older than this are pruned daily (redeliveries come long before).
    receipts_keep_days: int = 90
    # --- loyalty ---
    loyalty_earn_rates: str = dashboard(
        "*:1",
        "Loyalty: points per unit of currency, per channel",
        "'channel-slug:rate' pairs separated by commas; '*' is every other channel. E.g. 'default-channel:1, *:0.5'.",
    )
    loyalty_earn_on: Literal["total_net_shipping", "total"] = dashboard(
        "total_net_shipping",
        "Loyalty: points are earned on",
        "'total_net_shipping' (order total without shipping) or 'total' (what the shopper paid).",
    )
    loyalty_rounding: Literal["down", "nearest", "up"] = dashboard(
        "down", "Loyalty: rounding of points", "'down', 'nearest' (half up) or 'up'."
    )
    loyalty_minimum_order: str = dashboard(
        "0", "Loyalty: minimum order amount", "Orders whose earning amount is below this earn no points."
    )
    loyalty_excluded_ids: tuple[str, ...] = dashboard(
        (),
        "Loyalty: excluded products and categories",
        "Saleor IDs of products or categories (comma separated) whose lines earn no points.",
    )
    loyalty_signup_bonus: int = dashboard(0, "Loyalty: sign-up bonus (points)", "Given when an account is created.")
    loyalty_first_order_bonus: int = dashboard(
        0, "Loyalty: first-order bonus (points)", "Given when the points of a customer's first order are released."
    )
    loyalty_birthday_bonus: int = dashboard(
        0, "Loyalty: birthday bonus (points)", "Given once a year on the customer's birthday, when it is known."
    )
    loyalty_return_window_days: int = dashboard(
        14,
        "Loyalty: return window (days)",
        "Points of an order stay pending until it is fully paid and this many days have passed.",
    )
    loyalty_tiers: str = dashboard(
        "Bronze:0:1, Silver:500:1.25, Gold:2000:1.5",
        "Loyalty: tiers",
        "'Name:threshold:multiplier[:perk]' separated by commas, lowest first. The threshold is in qualifying "
        "points (or spend, see the tier basis) over the rolling window.",
    )
    loyalty_tier_basis: Literal["points", "spend"] = dashboard(
        "points", "Loyalty: tiers by", "'points' earned or 'spend' (order amounts net of refunds) in the window."
    )
    loyalty_tier_window_days: int = dashboard(365, "Loyalty: tier window (days)", "The rolling window tiers count.")
    loyalty_tier_grace_days: int = dashboard(
        30, "Loyalty: tier grace period (days)", "A tier is kept at least this long before a downgrade."
    )
    loyalty_redeem_rate: str = dashboard(
        "100", "Loyalty: points per unit of reward value", "E.g. 100: 500 points buy a 5.00 discount."
    )
    loyalty_min_redeem_points: int = dashboard(500, "Loyalty: minimum points per redemption", "")
    loyalty_reward_channel: str = dashboard(
        "default-channel",
        "Loyalty: reward channel",
        "Channel whose currency a reward is issued in when the shopper gives no checkout.",
    )
    loyalty_expiry: Literal["never", "inactivity", "lot"] = dashboard(
        "lot",
        "Loyalty: points expire",
        "'lot': each earned lot after the expiry period (oldest spent first); 'inactivity': all points after "
        "the period without earning or redeeming; 'never'.",
    )
    loyalty_expiry_days: int = dashboard(365, "Loyalty: expiry period (days)", "")
    loyalty_expiry_warning_days: int = dashboard(
        30, "Loyalty: expiring-soon warning (days)", "Points expiring within this many days are flagged."
    )
    # --- segments ---
    segments_rfm_currency: str = dashboard(
        "",
        "RFM currency",
        "ISO code whose spend scores RFM 'monetary' and AOV. Empty: the currency most customers bought in.",
    )
    segments_mirror_to_metadata: bool = dashboard(
        False,
        "Mirror segments to customer metadata",
        "Keep each customer's segment slugs in their private metadata key 'crm_segments' for other Saleor tools.",
        kind="boolean",
    )
    # How long a segment preview may run before it is cut off (milliseconds).
    segments_preview_timeout_ms: int = 5000
    # How long one statement of a saved segment's evaluation may run (milliseconds).
    segments_evaluation_timeout_ms: int = 600_000
    # Segment queries whose planned cost (PostgreSQL's EXPLAIN total cost) is above this are refused.
    segments_max_query_cost: int = 100_000_000
    # --- tickets ---
    ticket_business_hours: str = dashboard(
        "mon-fri 09:00-17:00",
        "Support business hours",
        "When SLA clocks run, e.g. 'mon-fri 09:00-17:00, sat 10:00-14:00'. Leave empty for round the clock.",
    )
    ticket_time_zone: str = dashboard(
        "UTC", "Support time zone", "IANA name of the business hours' time zone, e.g. 'Europe/Berlin'."
    )
    ticket_sla_first_response: str = dashboard(
        "urgent=1h, high=4h, normal=8h, low=24h",
        "SLA: first response within (business time)",
        "Per priority; units m, h or d (d = 24 business hours). Leave a priority out for no target.",
    )
    ticket_sla_resolution: str = dashboard(
        "urgent=8h, high=24h, normal=48h, low=120h",
        "SLA: resolution within (business time)",
        "Per priority, as above. The clock pauses while a ticket waits on the customer.",
    )
    ticket_sla_warning_minutes: int = dashboard(
        60, "SLA: warn before breach (minutes)", "A ticket this close to a due time is flagged 'at risk'."
    )
    ticket_autoclose_days: int = dashboard(
        7, "Close solved tickets after (days)", "A solved ticket the customer doesn't answer is closed."
    )
    ticket_email_replies: bool = dashboard(
        True, "Email staff replies", "Send staff replies to the customer through the store's email.", kind="boolean"
    )
    ticket_rating_url: str = dashboard(
        "",
        "CSAT page URL",
        "Storefront page that takes a rating; the signed token is appended as '?token='. "
        "Empty: the plugin's own rating page.",
    )
    # How long a CSAT link stays valid after the ticket is solved.
    ticket_rating_link_days: int = 30
    # --- automation ---
    automation_abandoned_checkout: bool = dashboard(
        False,
        "Flow: abandoned checkout",
        "Remind shoppers of a checkout they left (see the abandonment hours).",
        "boolean",
    )
    automation_abandoned_checkout_waits: str = dashboard(
        "0h, 24h",
        "Abandoned checkout: reminders after abandonment",
        "One wait per reminder, each counted from the previous one; units m, h or d. "
        "'0h, 24h': at once, then a day later.",
    )
    automation_abandoned_checkout_bonus_points: int = dashboard(
        0, "Abandoned checkout: bonus points in the last reminder", "Loyalty points added when it is sent; 0 for none."
    )
    automation_abandoned_checkout_discount_code: str = dashboard(
        "", "Abandoned checkout: discount code in the last reminder", "A Saleor voucher code the reminder offers."
    )
    automation_reminders_need_consent: bool = dashboard(
        True,
        "Checkout reminders need marketing consent",
        "Off: reminders count as transactional and also reach shoppers without consent (never the unsubscribed).",
        "boolean",
    )
    automation_winback: bool = dashboard(
        False, "Flow: win-back", "Message customers when they enter the win-back segment.", "boolean"
    )
    automation_winback_segment: str = dashboard(
        "inactive-90-days", "Win-back: segment", "Slug of the segment whose new members get the win-back message."
    )
    automation_winback_bonus_points: int = dashboard(0, "Win-back: bonus points", "Loyalty points added as incentive.")
    automation_winback_discount_code: str = dashboard("", "Win-back: discount code", "A Saleor voucher code offered.")
    automation_post_purchase: bool = dashboard(
        False,
        "Flow: post-purchase",
        "Thank the customer and ask for feedback (NPS survey) after fulfilment.",
        "boolean",
    )
    automation_post_purchase_wait: str = dashboard("7d", "Post-purchase: wait after fulfilment", "Units m, h or d.")
    automation_welcome: bool = dashboard(
        False, "Flow: welcome", "Welcome new accounts and introduce the loyalty program.", "boolean"
    )
    automation_loyalty: bool = dashboard(
        False, "Flow: loyalty", "Tell customers when points are about to expire and when they reach a tier.", "boolean"
    )
    automation_birthday: bool = dashboard(
        False, "Flow: birthday", "Birthday greeting, for customers whose birth date is known.", "boolean"
    )
    automation_frequency_cap: str = dashboard(
        "3/7d",
        "Marketing messages: at most",
        "'count/window' per customer, e.g. '3/7d'; a message over the cap is skipped. Empty: no cap.",
    )
    automation_quiet_hours: str = dashboard(
        "21:00-08:00", "Quiet hours", "No message is sent in this span (automation time zone); empty for none."
    )
    automation_time_zone: str = dashboard("UTC", "Automation time zone", "IANA name, e.g. 'Europe/Berlin'.")
    automation_attribution_days: int = dashboard(
        5,
        "Conversion window (days)",
        "An order this soon after a message was sent or clicked counts as its conversion.",
    )
    automation_channel_languages: str = dashboard(
        "",
        "Message language per channel",
        "'channel-slug:language' pairs, e.g. 'channel-pl:pl, default-channel:en'; templates may have translations.",
    )
    automation_public_url: str = dashboard(
        "",
        "Public URL of the CRM endpoints",
        "Base of tracking, unsubscribe and survey links, e.g. 'https://api.shop.com/plugins/global/saleor.crm'. "
        "Empty: the host's PUBLIC_URL.",
    )
    automation_checkout_url: str = dashboard(
        "", "Storefront checkout URL", "Link back to a left checkout; '{token}' is replaced by its token."
    )
    # A trigger older than this when first seen (a backfill, a flow switched on) starts no flow.
    automation_trigger_max_age_hours: int = 48
    # Messages per sending task, and how long a message may sit in 'sending' before it counts as interrupted.
    automation_send_batch: int = 200
    automation_sending_lease_minutes: int = 15
    # --- storefront ---
    storefront_origins: tuple[str, ...] = dashboard(
        (),
        "Storefront origins",
        "Origins whose pages may call the CRM API from the browser (the loyalty widget), comma separated, "
        "e.g. 'https://shop.com, https://www.shop.com'. Empty: none, only same-origin pages and servers.",
    )
    # --- recommendations ---
    # Products kept per customer, and how many orders (or customers) a pair needs to count as bought together.
    recommendations_per_customer: int = 10
    recommendations_min_support: int = 2
    # --- analytics: customer predictions ---
    # A currency gets predictions only with this much order history (Klaviyo's anchors); with less, its
    # refit is refused with the reason and its customers show that reason instead of a number.
    predictions_min_customers: int = 500
    predictions_min_history_days: int = 180
    predictions_min_repeat_buyers: int = 50
    predictions_horizon_months: int = 12
    # The purchase-count model: 'mbg_nbd' (one-time buyers can have dropped out), 'pareto_nbd' or 'bg_nbd'.
    predictions_model: Literal["mbg_nbd", "pareto_nbd", "bg_nbd"] = "mbg_nbd"
    # Churn risk (1 - probability still active) from these percentages up is medium, high.
    predictions_churn_medium_percent: int = 30
    predictions_churn_high_percent: int = 70


def dashboard_fields() -> list[dataclasses.Field]:
    return [field for field in dataclasses.fields(CRMSettings) if "label" in field.metadata]


# How each domain reads its text settings (tiers, SLA targets, quiet hours...): the same parser checks
# a value when the merchant saves it and when a worker loads it, so the two can never disagree.
Check = Callable[[Any], object]
_checks: dict[str, Check] = {}


def check_setting(*names: str) -> Callable[[Check], Check]:
    """Register ``check(value)``, raising ValueError with a message the merchant can act on, for settings."""

    def register(check: Check) -> Check:
        for name in names:
            _checks[name] = check
        return check

    return register


@check_setting("ticket_time_zone", "automation_time_zone")
def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not an IANA time zone name like 'Europe/Berlin'.") from None


def validate_settings(values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with these dashboard values, by setting name (empty when all are fine)."""
    errors = {}
    for name, value in values.items():
        try:
            _clean(name, value)
        except ValueError as error:
            errors[name] = str(error)
        except _Unset:
            continue
    return errors


_cache: tuple[float, CRMSettings] | None = None


def get_settings() -> CRMSettings:
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > CACHE_SECONDS:
        _cache = (now, _load())
    return _cache[1]


def reload_settings() -> CRMSettings:
    global _cache
    _cache = None
    return get_settings()


def _load() -> CRMSettings:
    """The settings in force; a value that doesn't check keeps its default and is logged, field by
    field, so one typo in the dashboard never stops event processing."""
    from . import ports

    values = dict(getattr(django_settings, "CRM", {}))
    values.update(ports.config_source().load())
    cleaned = {}
    for name, value in values.items():
        try:
            cleaned[name] = _clean(name, value)
        except ValueError as error:
            logger.error("CRM setting %s=%r is invalid (%s); using the default.", name, value, error)
        except _Unset:
            continue
    return CRMSettings(**cleaned)


class _Unset(Exception):
    """An unknown name, or a number, switch or choice left empty in the dashboard: the default stays."""


def _clean(name: str, value: Any) -> Any:
    types = typing.get_type_hints(CRMSettings)
    if name not in types:
        raise _Unset(name)
    annotation = types[name]
    if value == "" and annotation not in (str, tuple[str, ...]):
        raise _Unset(name)
    value = _coerce(annotation, value)
    if name in _checks:
        _checks[name](value)
    return value


def _coerce(annotation: object, value: object) -> object:
    """Dashboard values arrive as strings or booleans; make them the field's type."""
    if annotation is bool:
        return value.strip().lower() in ("1", "true", "yes", "on") if isinstance(value, str) else bool(value)
    if annotation is int:
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a whole number.") from None
    if typing.get_origin(annotation) is Literal:
        if value not in typing.get_args(annotation):
            choices = ", ".join(f"'{choice}'" for choice in typing.get_args(annotation))
            raise ValueError(f"'{value}' is not one of {choices}.")
        return value
    if annotation == tuple[str, ...]:
        parts = value.split(",") if isinstance(value, str) else value
        return tuple(str(part).strip() for part in parts if str(part).strip())
    return value
