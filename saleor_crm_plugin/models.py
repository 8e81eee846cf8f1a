"""Every model of the app, gathered so Django and migrations find them."""

from .automation.models import Enrollment, Flow, FlowStep, MarketingPreference, Message, SurveyResponse
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
from .receipts import DeadLetter, DeletedAccount, ProcessedEvent
from .recommendations.models import CustomerRecommendation, ProductPair, RecommendationProduct
from .segments.models import CustomerRfm, Segment, SegmentEvaluation, SegmentMembership, SegmentMembershipChange
from .tickets.models import Macro, Ticket, TicketEvent, TicketMessage

# Each domain adds one import line per model module above and its names below.

__all__ = [
    "BackfillCheckpoint",
    "CheckoutSnapshot",
    "CustomerNote",
    "CustomerProfile",
    "CustomerRecommendation",
    "CustomerRfm",
    "CustomerSpend",
    "CustomerTag",
    "DeadLetter",
    "DeletedAccount",
    "Enrollment",
    "Flow",
    "FlowStep",
    "LoyaltyAccount",
    "Macro",
    "MarketingPreference",
    "Message",
    "OrderPoints",
    "OrderSnapshot",
    "PointsLedgerEntry",
    "ProcessedEvent",
    "ProductPair",
    "ProfileAffinity",
    "RecommendationProduct",
    "Redemption",
    "Reward",
    "Segment",
    "SegmentEvaluation",
    "SegmentMembership",
    "SegmentMembershipChange",
    "SurveyResponse",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
    "TimelineEntry",
]
