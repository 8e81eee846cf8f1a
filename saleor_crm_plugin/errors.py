"""Why an action refused: the field (in the API's words), a code of the domain's error enum and a
message a merchant or shopper can act on. Every domain's action error is one of these, so the API
turns any of them into ``errors { field code message }`` in one place."""

from __future__ import annotations


class ActionError(ValueError):
    def __init__(self, field: str | None, code: str, message: str):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message
