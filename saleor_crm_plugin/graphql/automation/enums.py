import graphene

from ...automation.models import MessageStatus

# Enum values are the stored values: graphene 2 hands resolvers an enum argument's value.
CrmMessageStatusEnum = graphene.Enum(
    "CrmMessageStatusEnum",
    [(status.name, status.value) for status in MessageStatus],
    description="Where a flow's message stands: SENDING is claimed by a worker and never handed out twice.",
)


class CrmAutomationErrorCode(graphene.Enum):
    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    UNIQUE = "UNIQUE"
    BUILTIN_FLOW = "BUILTIN_FLOW"
