"""Why a profile action refused; the API's ``CrmCustomerErrorCode`` is derived from this enum."""

from enum import StrEnum


class CrmCustomerErrorCode(StrEnum):
    """Why a CRM customer mutation failed."""

    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
