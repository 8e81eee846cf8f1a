"""The sandbox's answers to the core's ports: settings from Django, a generated store to backfill."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

from ..events import Event
from .generator import StoreGenerator
from .models import GeneratedStore


class SettingsConfigSource:
    def load(self) -> dict[str, Any]:
        return {}  # the sandbox's Django setting CRM is all there is


class WriterAccess:
    def __call__(self):
        return nullcontext()  # one database, no replica: nothing to declare


class GeneratedStoreSource:
    """The generated store, walked like a Saleor backfill source: the one ``crm_sandbox_seed`` seeded
    last, else the one ``CRM_SANDBOX_STORE`` names (``{"customers": 1000, "seed": 1}``)."""

    @classmethod
    def recording(cls, store: StoreGenerator) -> GeneratedStoreSource:
        """The source of ``store``, recorded as the sandbox's generated store (by the seed, and by the
        benchmarks that backfill a store of their own size)."""
        GeneratedStore.objects.all().delete()
        GeneratedStore.objects.create(customers=store.customers, seed=store.seed, start=store.start, days=store.days)
        return cls()

    def count(self, subject: str) -> int:
        return self.store().count(subject)

    def batches(self, subject: str, after: str | None, size: int) -> Iterator[tuple[str, list[Event]]]:
        return self.store().backfill_batches(subject, after, size)

    @staticmethod
    def store() -> StoreGenerator:
        from django.conf import settings

        seeded = GeneratedStore.objects.order_by("-seeded_at").first()
        if seeded is not None:
            return StoreGenerator(customers=seeded.customers, seed=seeded.seed, start=seeded.start, days=seeded.days)
        conf = getattr(settings, "CRM_SANDBOX_STORE", {})
        return StoreGenerator(customers=conf.get("customers", 1000), seed=conf.get("seed", 1))
