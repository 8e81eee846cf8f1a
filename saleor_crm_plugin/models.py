"""Every model of the app, gathered so Django and migrations find them."""

from .analytics.models import CustomerPrediction, PredictionFit
from .analytics.store_models import (
    CohortCell,
    DirtyProfile,
    FlowDay,
    HelpdeskDay,
    LiabilitySnapshot,
    PointsDay,
    RefreshState,
    RfmGroupDay,
    StoreDay,
)
from .automation.models import Enrollment, Flow, FlowStep, MarketingPreference, Message, SurveyResponse
from .backfill import BackfillCheckpoint
from .loyalty.models import LoyaltyAccount, OrderPoints, PointsLedgerEntry, Redemption, Reward
from .outbox import OutboxEvent
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
    "CohortCell",
    "CustomerNote",
    "CustomerPrediction",
    "CustomerProfile",
    "CustomerRecommendation",
    "CustomerRfm",
    "CustomerSpend",
    "CustomerTag",
    "DeadLetter",
    "DeletedAccount",
    "DirtyProfile",
    "Enrollment",
    "Flow",
    "FlowDay",
    "FlowStep",
    "HelpdeskDay",
    "LiabilitySnapshot",
    "LoyaltyAccount",
    "Macro",
    "MarketingPreference",
    "Message",
    "OrderPoints",
    "OrderSnapshot",
    "OutboxEvent",
    "PointsDay",
    "PointsLedgerEntry",
    "PredictionFit",
    "ProcessedEvent",
    "ProductPair",
    "ProfileAffinity",
    "RecommendationProduct",
    "Redemption",
    "RefreshState",
    "Reward",
    "RfmGroupDay",
    "Segment",
    "SegmentEvaluation",
    "SegmentMembership",
    "SegmentMembershipChange",
    "StoreDay",
    "SurveyResponse",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
    "TimelineEntry",
]
