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

# Each domain adds one import line per model module above and its names below.

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
