"""The sandbox's answers to the core's ports: settings from Django, a generated store to backfill."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

from ..events import Event
from .generator import StoreGenerator


class SettingsConfigSource:
    def load(self) -> dict[str, Any]:
        return {}  # the sandbox's Django setting CRM is all there is


class WriterAccess:
    def __call__(self):
        return nullcontext()  # one database, no replica: nothing to declare


class GeneratedStoreSource:
    """A deterministic generated store, walked like a Saleor backfill source.

    Size and seed come from ``CRM_SANDBOX_STORE`` (``{"customers": 1000, "seed": 1}``).
    """

    def __init__(self, customers: int | None = None, seed: int | None = None):
        from django.conf import settings

        conf = getattr(settings, "CRM_SANDBOX_STORE", {})
        self.store = StoreGenerator(
            customers=customers or conf.get("customers", 1000), seed=seed or conf.get("seed", 1)
        )

    def count(self, subject: str) -> int:
        return self.store.count(subject)

    def batches(self, subject: str, after: str | None, size: int) -> Iterator[tuple[str, list[Event]]]:
        return self.store.backfill_batches(subject, after, size)
