import graphene

from ...automation import error_codes
from ...automation.models import MessageStatus

# Enum values are the stored values: graphene 2 hands resolvers an enum argument's value.
CrmMessageStatusEnum = graphene.Enum(
    "CrmMessageStatusEnum",
    [(status.name, status.value) for status in MessageStatus],
    description="Where a flow's message stands: SENDING is claimed by a worker and never handed out twice.",
)

CrmAutomationErrorCode = graphene.Enum.from_enum(error_codes.CrmAutomationErrorCode)
