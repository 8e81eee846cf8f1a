"""Why a loyalty action refused; the API's ``LoyaltyErrorCode`` is derived from this enum."""

from enum import StrEnum


class LoyaltyErrorCode(StrEnum):
    """Why a loyalty mutation failed."""

    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    MINIMUM_POINTS = "MINIMUM_POINTS"
    INACTIVE = "INACTIVE"
    REWARD_NOT_ISSUED = "REWARD_NOT_ISSUED"
