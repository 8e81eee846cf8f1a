"""Saleor's scalars, parsed without exceptions: a value that isn't one answers the usual GraphQL
error ("Expected type Decimal …") instead of crashing validation. What a well-formed value may
hold (finite, in range, clean text) is checked for every argument in ``inputs``."""

from __future__ import annotations

import decimal
import json

import graphene
from graphql.language import ast


class Decimal(graphene.Decimal):
    """The `Decimal` scalar type represents a python Decimal."""

    @staticmethod
    def parse_value(value):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        try:
            return decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return None

    @classmethod
    def parse_literal(cls, node):
        if isinstance(node, ast.StringValue | ast.IntValue | ast.FloatValue):
            return cls.parse_value(node.value)
        return None


class JSONString(graphene.JSONString):
    """Allows use of a JSON String for input / output from the GraphQL schema."""

    @staticmethod
    def parse_value(value):
        if not isinstance(value, str):
            return None
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return None

    @classmethod
    def parse_literal(cls, node):
        return cls.parse_value(node.value) if isinstance(node, ast.StringValue) else None
