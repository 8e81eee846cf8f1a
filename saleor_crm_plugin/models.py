"""Every model of the app, gathered so Django and migrations find them."""

from .backfill import BackfillCheckpoint
from .loyalty.models import LoyaltyAccount, OrderPoints, PointsLedgerEntry, Redemption, Reward
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
from .segments.models import CustomerRfm, Segment, SegmentEvaluation, SegmentMembership, SegmentMembershipChange
from .tickets.models import Macro, Ticket, TicketEvent, TicketMessage

# Each domain adds one import line per model module above and its names below.

__all__ = [
    "BackfillCheckpoint",
    "CheckoutSnapshot",
    "CustomerNote",
    "CustomerProfile",
    "CustomerRfm",
    "CustomerSpend",
    "CustomerTag",
    "DeadLetter",
    "LoyaltyAccount",
    "Macro",
    "OrderPoints",
    "OrderSnapshot",
    "PointsLedgerEntry",
    "ProcessedEvent",
    "ProfileAffinity",
    "Redemption",
    "Reward",
    "Segment",
    "SegmentEvaluation",
    "SegmentMembership",
    "SegmentMembershipChange",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
    "TimelineEntry",
]
