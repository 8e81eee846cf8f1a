"""Why an analytics action refused or gave no number; the API's ``CrmAnalyticsErrorCode`` is derived from this enum.

The prediction codes double as the reason a fit was refused: a customer's prediction shows the code
instead of a number.
"""

from enum import StrEnum


class CrmAnalyticsErrorCode(StrEnum):
    """Why an analytics mutation failed, or why a currency has no predictions."""

    FIT_FAILED = "FIT_FAILED"
    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    INVALID_PERIOD = "INVALID_PERIOD"
    NOT_FITTED = "NOT_FITTED"
    NOT_FOUND = "NOT_FOUND"
    REFIT_RUNNING = "REFIT_RUNNING"
    REQUIRED = "REQUIRED"
    TOO_FEW_CUSTOMERS = "TOO_FEW_CUSTOMERS"
    TOO_FEW_REPEAT_BUYERS = "TOO_FEW_REPEAT_BUYERS"
    TOO_SHORT_HISTORY = "TOO_SHORT_HISTORY"
