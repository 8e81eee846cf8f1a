"""Why a loyalty action refused: a field, a code from ``LoyaltyErrorCode`` and a message."""

from __future__ import annotations

from ..errors import ActionError
from .error_codes import LoyaltyErrorCode


class LoyaltyError(ActionError):
    codes = LoyaltyErrorCode
