"""Errors the way Saleor's API reports them.

Query-level failures (bad IDs, missing permission, bad arguments) are GraphQL errors with
``extensions.exception.code``; mutation input problems are ``errors { field code message }``
entries typed by a per-domain code enum.
"""

from __future__ import annotations

import binascii
import logging
from base64 import b64decode

import graphene
from graphql.error import GraphQLError
from graphql.error import format_error as format_graphql_error

from ...auth import AuthenticationError, Caller, Permission
from ...errors import ActionError

logger = logging.getLogger("saleor_crm_plugin.graphql")


def _muted(record: logging.LogRecord) -> bool:
    return False


# graphql-core logs a full traceback for every error a resolver raises, twice (when resolving and
# when reporting), refusals included. ``format_error`` logs each error once, with a traceback only
# when it is unexpected; Saleor mutes the same two loggers in its LOGGING setting.
for _name in ("graphql.execution.executor", "graphql.execution.utils"):
    logging.getLogger(_name).addFilter(_muted)

INTERNAL_ERROR_MESSAGE = "Internal Server Error"


class PermissionDenied(Exception):
    def __init__(self, permissions: tuple[Permission, ...] = ()):
        names = ", ".join(str(p) for p in permissions)
        message = "You do not have permission to perform this action"
        if names:
            message = f"To access this path, you need one of the following permissions: {names}"
        super().__init__(message)


class MutationError(ActionError):
    """Raised inside a mutation (an ID that doesn't resolve, ...); like a domain's action error it
    becomes one ``errors`` entry instead of a GraphQL error."""


# Exceptions whose message is meant for the caller; anything else is logged and hidden.
ALLOWED_ERRORS = (GraphQLError, PermissionDenied, AuthenticationError, ActionError)
SIGN_IN_MESSAGE = "You need to sign in to perform this action."


def format_error(error: Exception, caller: Caller | None = None) -> dict:
    """Saleor's error shape. Expected errors (a refusal, a bad argument) are logged in one line
    without a traceback, like Saleor's ``handled`` errors; only unexpected ones carry one."""
    result = format_graphql_error(error) if isinstance(error, GraphQLError) else {"message": str(error)}
    exc = error
    while isinstance(exc, GraphQLError) and getattr(exc, "original_error", None) is not None:
        exc = exc.original_error
    if isinstance(exc, ALLOWED_ERRORS):
        logger.debug("A CRM API query had an error: %s: %s", type(exc).__name__, exc)
    else:
        logger.error("A CRM API query failed unexpectedly", exc_info=exc)
        result["message"] = INTERNAL_ERROR_MESSAGE
    if isinstance(exc, PermissionDenied) and caller is not None and caller.is_anonymous:
        # Shopper operations refused to nobody: the remedy is signing in, not a staff permission.
        result["message"] = SIGN_IN_MESSAGE
    code = getattr(exc, "code", None) if isinstance(exc, AuthenticationError | ActionError) else None
    result["extensions"] = {**result.get("extensions", {}), "exception": {"code": code or type(exc).__name__}}
    if isinstance(exc, ActionError) and exc.field:
        result["extensions"]["field"] = exc.field
    return result


def from_global_id_or_error(global_id: str, only_type: str) -> str:
    """The primary key inside a Relay global ID of ``only_type``, or Saleor's error for a bad one."""
    try:
        type_name, _, pk = b64decode(str(global_id), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        type_name, pk = "", ""
    if not pk:
        raise GraphQLError(f"Couldn't resolve id: {global_id}.")
    if type_name != only_type:
        raise GraphQLError(f"Must receive a {only_type} id.")
    return pk


MAX_PK = 2**63 - 1  # PostgreSQL's bigint, the widest key column


def int_pk_or_error(global_id: str, only_type: str) -> int:
    """An integer key: ASCII digits only (``str.isdigit`` also accepts "²" and Arabic-Indic digits,
    which ``int`` rejects or reads as another row's key), within a key column's range."""
    pk = from_global_id_or_error(global_id, only_type)
    if not (pk.isascii() and pk.isdigit() and int(pk) <= MAX_PK):
        raise GraphQLError(f"Couldn't resolve id: {global_id}.")
    return int(pk)


def error_type(name: str, code_enum: type[graphene.Enum], description: str) -> type[graphene.ObjectType]:
    """A Saleor-style error type (``CustomerError``…) for one domain's mutations."""
    fields = {
        "field": graphene.String(
            description="Name of a field that caused the error. A value of `null` indicates that "
            "the error isn't associated with a particular field."
        ),
        "message": graphene.String(description="The error message."),
        "code": graphene.Field(code_enum, required=True, description="The error code."),
        "Meta": type("Meta", (), {"description": description}),
    }
    return type(name, (graphene.ObjectType,), fields)
