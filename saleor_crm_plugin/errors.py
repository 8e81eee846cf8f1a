"""Why an action refused: the field (in the API's words), a code of the domain's error enum and a
message a merchant or shopper can act on. Every domain's action error is one of these, so the API
turns any of them into ``errors { field code message }`` in one place.

Codes have one source: each domain's ``error_codes.py`` enum, from which its GraphQL error enum is
derived. An action error checks its code against its domain's enum when raised, so a code the API
can't express fails the first test that reaches it instead of a shopper's request.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class CommonErrorCode(StrEnum):
    """What any mutation may answer before a domain action runs; every domain's enum has these."""

    GRAPHQL_ERROR = "GRAPHQL_ERROR"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"


class ActionError(ValueError):
    codes: type[Enum] = CommonErrorCode  # a domain's error sets its own enum

    def __init__(self, field: str | None, code: str | Enum, message: str):
        super().__init__(message)
        try:
            self.code = self.codes(code)
        except ValueError:
            raise TypeError(f"{code!r} is not a {self.codes.__name__}: add it to the domain's error_codes.py") from None
        self.field, self.message = field, message

    def as_error(self) -> dict:
        """The ``errors`` entry a mutation answers with."""
        return {"field": self.field, "code": self.code, "message": self.message}
