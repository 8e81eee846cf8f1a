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


@dataclasses.dataclass(frozen=True)
class CRMSettings:
    # Process events in the request that caused them instead of on Celery (tiny stores, tests).
    process_synchronously: bool = False
    # What happens to a profile when the store deletes the customer.
    deleted_customer_policy: Literal["anonymise", "delete"] = "anonymise"
    # A checkout with an email and lines, untouched this long, counts as abandoned.
    checkout_abandoned_after_hours: int = 4
    # How many favourite categories and products a profile shows.
    favourites_limit: int = 3
    # Order and checkout metadata keys read as marketing attribution.
    attribution_keys: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign")
    # Saleor has no consent field: the user metadata key a store's storefront writes it to.
    consent_metadata_key: str = "marketing_consent"
    # Celery queue of the CRM tasks, and how often a failing event is retried.
    queue: str = "crm"
    max_retries: int = 5


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
