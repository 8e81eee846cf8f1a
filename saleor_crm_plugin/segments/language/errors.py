"""The one error the segment language raises: a message a merchant understands, with where it happened."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SegmentQueryError(ValueError):
    def __init__(self, message: str, line: int | None = None, column: int | None = None, code: str = "INVALID_QUERY"):
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)
        self.message, self.line, self.column, self.code = message, line, column, code


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``", did you mean 'x'?"`` for the nearest known name, or nothing when none is close."""
    close = difflib.get_close_matches(word.lower(), sorted(candidates), n=1, cutoff=0.6)
    return f", did you mean '{close[0]}'?" if close else ""
