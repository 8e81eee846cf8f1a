"""Saleor's dataloader pattern: one loader per kind of relation per request, batching by key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from promise import Promise
from promise.dataloader import DataLoader as BaseLoader

from .context import CRMContext


class DataLoader[K: Hashable, R](BaseLoader):
    """Shared by every resolver of one request through ``context.dataloaders`` (like Saleor's)."""

    context_key: str

    def __new__(cls, context: CRMContext):
        if cls.context_key not in context.dataloaders:
            context.dataloaders[cls.context_key] = super().__new__(cls)
        return context.dataloaders[cls.context_key]

    def __init__(self, context: CRMContext) -> None:
        if getattr(self, "context", None) is not context:
            self.context = context
            super().__init__()

    def batch_load_fn(self, keys: Iterable[K]) -> Promise:
        return Promise.resolve(self.batch_load(list(keys)))

    def batch_load(self, keys: list[K]) -> list[R]:
        raise NotImplementedError


def grouped(rows: Iterable[Any], key: Callable[[Any], Hashable], keys: list) -> list[list]:
    """Rows bucketed by ``key``, in the order of ``keys`` (empty lists for keys without rows)."""
    buckets: dict[Hashable, list] = defaultdict(list)
    for row in rows:
        buckets[key(row)].append(row)
    return [buckets.get(k, []) for k in keys]
