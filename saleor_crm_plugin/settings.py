"""The CRM's settings: one home, documented defaults.

Values come, later ones winning, from the defaults below, the host's Django setting ``CRM``
(a dict) and the store's configuration port (in Saleor: the plugin's configuration in the
dashboard). They are read once per process and re-read after ``CACHE_SECONDS`` so a change in
the dashboard reaches the Celery workers without a restart.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Literal

from django.conf import settings as django_settings

CACHE_SECONDS = 60


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
    # --- loyalty ---
    # --- segments ---
    # --- tickets ---
    # --- automation ---


def dashboard_fields() -> list[dataclasses.Field]:
    return [field for field in dataclasses.fields(CRMSettings) if "label" in field.metadata]


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
    from . import ports

    values = dict(getattr(django_settings, "CRM", {}))
    values.update(ports.config_source().load())
    known = {f.name: f for f in dataclasses.fields(CRMSettings)}
    cleaned = {name: _coerce(known[name].type, value) for name, value in values.items() if name in known}
    return CRMSettings(**cleaned)


def _coerce(annotation: object, value: object) -> object:
    """Dashboard values arrive as strings or booleans; make them the field's type."""
    if annotation == "bool" and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if annotation == "int":
        return int(value)
    if str(annotation).startswith("tuple") and isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if str(annotation).startswith("tuple"):
        return tuple(value)
    return value
