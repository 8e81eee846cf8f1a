"""Warnings about a valid query that likely doesn't say what the merchant means: names the store has
never seen (``bought_category("Shoes")`` when no order has that category matches nobody, silently).

Checked when a query is previewed or saved, never when it is evaluated: the lookups cost queries.
"""

from __future__ import annotations

import dataclasses
import difflib
from enum import StrEnum
from itertools import islice

from .language import CompiledQuery


class CrmSegmentWarningCode(StrEnum):
    """What a segment preview or save warns about; the API's enum is derived from this one."""

    UNKNOWN_VALUE = "UNKNOWN_VALUE"  # a name (category, product, channel) no order has


MAX_SUGGESTIONS_FROM = 5000  # known names compared for "did you mean"


@dataclasses.dataclass(frozen=True)
class SegmentQueryWarning:
    code: CrmSegmentWarningCode
    message: str
    line: int
    column: int


def query_warnings(compiled: CompiledQuery) -> list[SegmentQueryWarning]:
    """One warning per name no order has, pointing at where the query names it."""
    warnings, checked = [], set()
    for reference in compiled.names:
        vocabulary, name = reference.vocabulary, reference.name
        if (vocabulary.what, name) in checked:
            continue
        checked.add((vocabulary.what, name))
        if vocabulary.seen(name):
            continue
        hint = _nearest(name, islice(vocabulary.names(), MAX_SUGGESTIONS_FROM))
        message = f'no order has the {vocabulary.what} "{name}", so it matches nobody{hint}'
        warnings.append(
            SegmentQueryWarning(
                CrmSegmentWarningCode.UNKNOWN_VALUE,
                f"{message} (line {reference.line}, column {reference.column})",
                reference.line,
                reference.column,
            )
        )
    return warnings


def _nearest(name: str, known) -> str:
    by_lower = {str(candidate).lower(): str(candidate) for candidate in known if candidate}
    close = difflib.get_close_matches(name.lower(), sorted(by_lower), n=1, cutoff=0.6)
    return f'; did you mean "{by_lower[close[0]]}"?' if close else ""
