"""A federation (v1) composition check of our subgraph SDL against Saleor's schema.

Not Apollo's composer (no Node.js in CI), but the rules that matter for two subgraphs:
extended entities exist in Saleor as entities (members of its ``_Entity`` union) with their key
and ``@external`` fields typed the same, fields we add are new; a type both define is the same
value type; root fields don't collide.
"""

from __future__ import annotations

import re

from graphql.language import ast
from graphql.language.parser import parse
from graphql.language.printer import print_ast

ROOTS = ("Query", "Mutation", "Subscription")


def _legacy_sdl(sdl: str) -> str:
    """graphql-core 2 (Saleor's) predates SDL descriptions and ``implements A & B``.

    Descriptions don't matter for composition; interface lists are rewritten to the old syntax.
    """
    sdl = sdl.replace(" & ", " ")
    sdl = re.sub(r'"""[\s\S]*?"""', "", sdl)
    return re.sub(r'^\s*"(?:[^"\\]|\\.)*"\s*$', "", sdl, flags=re.M)


def _definitions(sdl: str) -> tuple[dict[str, ast.Node], dict[str, ast.ObjectTypeDefinition]]:
    types, extensions = {}, {}
    for node in parse(_legacy_sdl(sdl)).definitions:
        if isinstance(node, ast.TypeExtensionDefinition):
            extensions[node.definition.name.value] = node.definition
        elif hasattr(node, "name") and not isinstance(node, ast.DirectiveDefinition):
            types[node.name.value] = node
    return types, extensions


def _fields(node) -> dict[str, str]:
    if isinstance(node, ast.EnumTypeDefinition):
        return {value.name.value: "" for value in node.values}
    if isinstance(node, ast.UnionTypeDefinition):
        return {member.name.value: "" for member in node.types}
    return {field.name.value: print_ast(field.type) for field in getattr(node, "fields", None) or []}


def _directive(node, name: str):
    return next((d for d in node.directives or [] if d.name.value == name), None)


def composition_problems(ours: str, saleor: str) -> list[str]:
    """Every rule our SDL breaks against Saleor's schema; empty when they compose."""
    our_types, our_extensions = _definitions(ours)
    saleor_types, _ = _definitions(saleor)
    entities = set(_fields(saleor_types["_Entity"])) if "_Entity" in saleor_types else set()
    problems = []
    for name, extension in our_extensions.items():
        key = _directive(extension, "key")
        if key is None:
            problems.append(f"extend type {name} has no @key")
            continue
        if name not in entities:
            problems.append(f"{name} is not a federated entity in Saleor")
            continue
        theirs, mine = _fields(saleor_types[name]), _fields(extension)
        key_fields = key.arguments[0].value.value.split()
        for field, type_ in mine.items():
            external = any(_directive(f, "external") for f in extension.fields if f.name.value == field)
            if field in key_fields and not external:
                problems.append(f"{name}.{field} is a key field and must be @external")
            if field in key_fields or external:
                if theirs.get(field) != type_:
                    problems.append(f"{name}.{field}: {type_} here, {theirs.get(field)} in Saleor")
            elif field in theirs:
                problems.append(f"{name}.{field} is already a field of Saleor's {name}")
        problems += [f"key field {name}.{field} is not declared" for field in key_fields if field not in mine]
    for name, node in our_types.items():
        if name in ROOTS:
            clashes = set(_fields(node)) & set(_fields(saleor_types.get(name)) if name in saleor_types else ())
            problems += [f"{name}.{field} exists in Saleor too" for field in sorted(clashes)]
        elif name in saleor_types:
            theirs = saleor_types[name]
            if type(theirs) is not type(node) or _fields(theirs) != _fields(node):
                problems.append(f"type {name} differs from Saleor's {name}")
    return problems
