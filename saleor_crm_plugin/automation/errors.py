"""Why an automation action refused: a field (the API's name, e.g. ``steps.1.text``), a code from
``CrmAutomationErrorCode`` and a message a merchant can act on."""

from __future__ import annotations

INVALID = "INVALID"
NOT_FOUND = "NOT_FOUND"
REQUIRED = "REQUIRED"
UNIQUE = "UNIQUE"
BUILTIN_FLOW = "BUILTIN_FLOW"


class AutomationError(ValueError):
    def __init__(self, field: str | None, code: str, message: str):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message
