"""The segment query language: parse (lark) → validate against the registry → compile to one ORM filter."""

from .compiler import CompiledQuery, compile_query
from .errors import SegmentQueryError

__all__ = ["CompiledQuery", "SegmentQueryError", "compile_query"]
