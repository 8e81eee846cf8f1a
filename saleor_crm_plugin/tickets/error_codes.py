"""Why a ticket action refused; the API's ``CrmTicketErrorCode`` is derived from this enum."""

from enum import StrEnum


class CrmTicketErrorCode(StrEnum):
    """Why a CRM ticket mutation failed."""

    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    UNIQUE = "UNIQUE"
    TICKET_CLOSED = "TICKET_CLOSED"
    NOT_SOLVED = "NOT_SOLVED"
    ALREADY_RATED = "ALREADY_RATED"
