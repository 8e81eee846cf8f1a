"""Text → a small tree of conditions, with lark; syntax errors become ``SegmentQueryError`` with a position."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from .errors import SegmentQueryError
from .values import Literal

MAX_QUERY_LENGTH = 10_000
MAX_DEPTH = 50

# What a merchant calls the grammar's terminals, for "expected ..." messages.
TERMINAL_NAMES = {
    "NAME": "a field or function name",
    "COMPARATOR": "a comparison (=, !=, <, <=, >, >=)",
    "STRING": "text in quotes",
    "NUMBER": "a number",
    "DATE": "a date like 2025-01-31",
    "RELDATE": "a relative date like -30d",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "_AND": "AND",
    "_OR": "OR",
    "_NOT": "NOT",
    "_IN": "IN",
    "_BETWEEN": "BETWEEN",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "$END": "the end of the query",
}


@dataclasses.dataclass(frozen=True)
class FieldRef:
    name: str
    line: int
    column: int


@dataclasses.dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Literal, ...]
    line: int
    column: int


Operand = FieldRef | Call


@dataclasses.dataclass(frozen=True)
class Compare:
    operand: Operand
    op: str
    value: Literal


@dataclasses.dataclass(frozen=True)
class InList:
    operand: Operand
    values: tuple[Literal, ...]
    negated: bool


@dataclasses.dataclass(frozen=True)
class Between:
    operand: Operand
    low: Literal
    high: Literal


@dataclasses.dataclass(frozen=True)
class Predicate:
    call: Call


@dataclasses.dataclass(frozen=True)
class BoolOp:
    op: str  # "and" / "or"
    items: tuple[Node, ...]


@dataclasses.dataclass(frozen=True)
class Not:
    item: Node


Node = Compare | InList | Between | Predicate | BoolOp | Not


def _literal(token: Token) -> Literal:
    return Literal(token.type, str(token), token.line, token.column)


@v_args(inline=True)
class _ToTree(Transformer):
    def or_expr(self, *items):
        return BoolOp("or", items)

    def and_expr(self, *items):
        return BoolOp("and", items)

    def negation(self, item):
        return Not(item)

    def field(self, name: Token):
        return FieldRef(str(name), name.line, name.column)

    def call(self, name: Token, *args):
        values = tuple(_literal(arg) for arg in args if arg is not None)
        return Call(str(name), values, name.line, name.column)

    def compare(self, operand, op: Token, value: Token):
        return Compare(operand, "!=" if str(op) == "<>" else str(op), _literal(value))

    def in_list(self, operand, *values):
        return InList(operand, tuple(_literal(v) for v in values), negated=False)

    def not_in_list(self, operand, *values):
        return InList(operand, tuple(_literal(v) for v in values), negated=True)

    def between(self, operand, low: Token, high: Token):
        return Between(operand, _literal(low), _literal(high))

    def predicate(self, call):
        return Predicate(call)


@cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("grammar.lark").read_text()
    return Lark(grammar, parser="lalr", maybe_placeholders=True)


def parse(text: str) -> Node:
    """The condition tree of ``text``; ``SegmentQueryError`` for anything that is not a valid query."""
    if not isinstance(text, str) or not text.strip():
        raise SegmentQueryError("the query is empty", code="REQUIRED")
    if len(text) > MAX_QUERY_LENGTH:
        raise SegmentQueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    if _nesting(text) > MAX_DEPTH:
        raise SegmentQueryError(f"the query nests parentheses or NOTs more than {MAX_DEPTH} deep")
    try:
        return _ToTree().transform(_parser().parse(text))
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    except (VisitError, RecursionError) as error:  # pragma: no cover - guarded by the depth check
        raise SegmentQueryError("the query could not be read") from error


def _nesting(text: str) -> int:
    """A cheap upper bound of the tree depth, so deep input can't exhaust the stack."""
    depth = deepest = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        deepest = max(deepest, depth)
    return deepest + text.upper().count("NOT")


def _syntax_error(error: UnexpectedInput, text: str) -> SegmentQueryError:
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        expected = _expected(getattr(error, "expected", ()))
        last = text.rstrip().splitlines() or [""]
        return SegmentQueryError(f"the query ends too early{expected}", len(last), len(last[-1]) + 1)
    if isinstance(error, UnexpectedToken):
        hint = (
            f' (text goes in quotes: "{error.token}")'
            if error.token.type == "NAME" and "STRING" in error.expected
            else ""
        )
        return SegmentQueryError(f"unexpected '{error.token}'{_expected(error.expected)}{hint}", line, column)
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        hint = " (text goes in double quotes)" if char.isalpha() or char in "\"'" else ""
        return SegmentQueryError(f"unexpected character {char!r}{hint}", line, column)
    return SegmentQueryError("the query could not be read", line, column)  # pragma: no cover


def _expected(terminals) -> str:
    names = sorted({TERMINAL_NAMES.get(t, t.lower()) for t in terminals if not t.startswith("__")})
    if not names:
        return ""
    return "; expected " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1])
