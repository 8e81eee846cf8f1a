"""Why an automation action refused; the API's ``CrmAutomationErrorCode`` is derived from this enum."""

from enum import StrEnum


class CrmAutomationErrorCode(StrEnum):
    """Why an automation mutation failed."""

    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    UNIQUE = "UNIQUE"
    BUILTIN_FLOW = "BUILTIN_FLOW"
