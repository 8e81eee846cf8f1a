"""Every model of the app, gathered so Django and migrations find them."""

from .backfill import BackfillCheckpoint
from .profiles.models import (
    CheckoutSnapshot,
    CustomerNote,
    CustomerProfile,
    CustomerSpend,
    CustomerTag,
    OrderSnapshot,
    ProfileAffinity,
    TimelineEntry,
)
from .receipts import DeadLetter, ProcessedEvent

__all__ = [
    "BackfillCheckpoint",
    "CheckoutSnapshot",
    "CustomerNote",
    "CustomerProfile",
    "CustomerSpend",
    "CustomerTag",
    "DeadLetter",
    "OrderSnapshot",
    "ProcessedEvent",
    "ProfileAffinity",
    "TimelineEntry",
]
