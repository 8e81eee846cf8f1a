"""Why a loyalty action refused: a field, a code from ``LoyaltyErrorCode`` and a message."""

from __future__ import annotations


class LoyaltyError(ValueError):
    def __init__(self, field: str | None, code: str, message: str):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message
