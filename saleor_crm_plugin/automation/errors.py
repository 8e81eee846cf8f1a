"""Why an automation action refused: a field (the API's name, e.g. ``steps.1.text``), a code from
``CrmAutomationErrorCode`` and a message a merchant can act on."""

from __future__ import annotations

from ..errors import ActionError

INVALID = "INVALID"
NOT_FOUND = "NOT_FOUND"
REQUIRED = "REQUIRED"
UNIQUE = "UNIQUE"
BUILTIN_FLOW = "BUILTIN_FLOW"


class AutomationError(ActionError):
    pass
