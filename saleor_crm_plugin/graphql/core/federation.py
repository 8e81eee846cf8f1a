"""Apollo Federation (v1) for a graphene 2 schema: ``_entities``, ``_service { sdl }``, ``@key``.

graphene 2 can't declare directives on types, so, like Saleor, the SDL is printed from the
schema and the entity types are rewritten as ``extend type X @key(fields: "id")`` with their
key field marked ``@external``: they belong to Saleor, we only add fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import graphene
from graphql import GraphQLArgument, GraphQLField, GraphQLList, GraphQLNonNull
from graphql.utils.schema_printer import print_schema


class _Any(graphene.Scalar):
    """_Any value scalar as defined by Federation spec."""

    @staticmethod
    def serialize(value):
        return value

    @staticmethod
    def parse_literal(node):
        from graphql.utils.ast_to_dict import ast_to_dict

        return ast_to_dict(node)

    @staticmethod
    def parse_value(value):
        return value


class _Service(graphene.ObjectType):
    """_Service manifest as defined by Federation spec."""

    sdl = graphene.String()


def federation_sdl(query, mutation, entities: dict[str, type], key: str = "id") -> str:
    """The subgraph SDL a gateway composes: our types, Saleor's entities as keyed extensions."""
    sdl = print_schema(graphene.Schema(query=query, mutation=mutation, types=list(entities.values())))
    sdl = re.sub(r"\Aschema \{.*?\}\n\n", "", sdl, flags=re.S)
    for name in entities:
        sdl = re.sub(rf"^type {name} \{{\n(.*?)^\}}", _as_extension(name, key), sdl, flags=re.S | re.M)
    return sdl.rstrip() + "\n"


def _as_extension(name: str, key: str) -> Callable[[re.Match], str]:
    def rewrite(match: re.Match) -> str:
        lines = match.group(1).splitlines()
        key_line = f"  {key}: ID!"
        fields = [f"{key_line} @external", *(line for line in lines if line != key_line)]
        return f'extend type {name} @key(fields: "{key}") {{\n' + "\n".join(fields) + "\n}"

    return rewrite


def build_federated_schema(query, mutation, entities: dict[str, type], resolve_entities: Callable) -> graphene.Schema:
    sdl = federation_sdl(query, mutation, entities)
    entity_union = type("_Entity", (graphene.Union,), {"Meta": type("Meta", (), {"types": tuple(entities.values())})})
    schema = graphene.Schema(query=query, mutation=mutation, types=[*entities.values(), _Any, entity_union, _Service])
    graphql_union = schema.get_type("_Entity")
    graphql_union.resolve_type = lambda instance, info: schema.get_type(type(instance).__name__)
    query_type = schema.get_type("Query")
    query_type.fields["_entities"] = GraphQLField(
        GraphQLList(graphql_union),
        args={"representations": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(schema.get_type("_Any")))))},
        resolver=resolve_entities,
    )
    query_type.fields["_service"] = GraphQLField(schema.get_type("_Service"), resolver=lambda *_: _Service(sdl=sdl))
    return schema
