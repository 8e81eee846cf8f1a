import graphene

from ...loyalty.models import LedgerKind


class LoyaltyErrorCode(graphene.Enum):
    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    MINIMUM_POINTS = "MINIMUM_POINTS"
    INACTIVE = "INACTIVE"
    REWARD_NOT_ISSUED = "REWARD_NOT_ISSUED"


LoyaltyLedgerKind = graphene.Enum(
    "LoyaltyLedgerKind", [(kind.name, kind.value) for kind in LedgerKind], description="What a ledger entry did."
)


class LoyaltyOrderPointsStatus(graphene.Enum):
    PENDING = "pending"
    RELEASED = "released"
    CANCELLED = "cancelled"
