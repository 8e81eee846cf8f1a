"""Why an automation action refused: a field (the API's name, e.g. ``steps.1.text``), a code from
``CrmAutomationErrorCode`` and a message a merchant can act on."""

from __future__ import annotations

from ..errors import ActionError
from .error_codes import CrmAutomationErrorCode

# The short names the actions raise with: members of the enum, not copies of its strings.
INVALID = CrmAutomationErrorCode.INVALID
NOT_FOUND = CrmAutomationErrorCode.NOT_FOUND
REQUIRED = CrmAutomationErrorCode.REQUIRED
UNIQUE = CrmAutomationErrorCode.UNIQUE
BUILTIN_FLOW = CrmAutomationErrorCode.BUILTIN_FLOW


class AutomationError(ActionError):
    codes = CrmAutomationErrorCode
