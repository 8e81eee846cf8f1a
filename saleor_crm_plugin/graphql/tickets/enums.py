import graphene

from ...tickets import error_codes
from ...tickets.models import DeliveryStatus, TicketChannel, TicketPriority, TicketStatus

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

CrmTicketDeliveryStatusEnum = graphene.Enum("CrmTicketDeliveryStatusEnum", [(d.name, d.value) for d in DeliveryStatus])

CrmTicketErrorCode = graphene.Enum.from_enum(error_codes.CrmTicketErrorCode)


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
