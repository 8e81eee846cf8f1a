import graphene

from ...loyalty import error_codes
from ...loyalty.models import LedgerKind

LoyaltyErrorCode = graphene.Enum.from_enum(error_codes.LoyaltyErrorCode)


LoyaltyLedgerKind = graphene.Enum(
    "LoyaltyLedgerKind", [(kind.name, kind.value) for kind in LedgerKind], description="What a ledger entry did."
)


class LoyaltyOrderPointsStatus(graphene.Enum):
    PENDING = "pending"
    RELEASED = "released"
    CANCELLED = "cancelled"
