"""Why a segment action or query refused; the API's ``CrmSegmentErrorCode`` is derived from this enum."""

from enum import StrEnum


class CrmSegmentErrorCode(StrEnum):
    """Why a segment mutation or preview failed; query errors also say where (line, column)."""

    BUILTIN = "BUILTIN"
    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    INVALID_QUERY = "INVALID_QUERY"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    TIMEOUT = "TIMEOUT"
    TOO_COSTLY = "TOO_COSTLY"
    UNIQUE = "UNIQUE"
    UNKNOWN_NAME = "UNKNOWN_NAME"
