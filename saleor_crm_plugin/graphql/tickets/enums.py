import graphene

from ...tickets.models import TicketChannel, TicketPriority, TicketStatus

# Enum values are the stored values: graphene 2 hands resolvers an enum argument's value.
CrmTicketStatusEnum = graphene.Enum("CrmTicketStatusEnum", [(s.name, s.value) for s in TicketStatus])
CrmTicketPriorityEnum = graphene.Enum("CrmTicketPriorityEnum", [(p.name, p.value) for p in TicketPriority])
CrmTicketChannelEnum = graphene.Enum("CrmTicketChannelEnum", [(c.name, c.value) for c in TicketChannel])
CrmTicketAuthorKindEnum = graphene.Enum(
    "CrmTicketAuthorKindEnum", [("SHOPPER", "shopper"), ("STAFF", "staff"), ("SYSTEM", "system")]
)
CrmTicketMessageKindEnum = graphene.Enum(
    "CrmTicketMessageKindEnum", [("PUBLIC_REPLY", "public"), ("INTERNAL_NOTE", "note")]
)


class CrmTicketErrorCode(graphene.Enum):
    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    UNIQUE = "UNIQUE"
    TICKET_CLOSED = "TICKET_CLOSED"
    NOT_SOLVED = "NOT_SOLVED"
    ALREADY_RATED = "ALREADY_RATED"


class CrmTicketSortField(graphene.Enum):
    LAST_MESSAGE_AT = "LAST_MESSAGE_AT"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    PRIORITY = "PRIORITY"
    FIRST_RESPONSE_DUE_AT = "FIRST_RESPONSE_DUE_AT"
    RESOLUTION_DUE_AT = "RESOLUTION_DUE_AT"

    @property
    def description(self):
        return f"Sort tickets by {self.name.lower().replace('_', ' ')}."
