"""Analytics actions refuse with a ``CrmAnalyticsErrorCode``; the API answers ``errors { field code message }``."""

from __future__ import annotations

from ..errors import ActionError
from .error_codes import CrmAnalyticsErrorCode


class AnalyticsError(ActionError):
    codes = CrmAnalyticsErrorCode
