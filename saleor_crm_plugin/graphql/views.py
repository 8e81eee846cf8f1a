"""The CRM API over HTTP, the way Saleor's ``/graphql/`` behaves.

POST ``application/json`` (or ``application/graphql``) runs queries and mutations; GET runs
queries from ``?query=`` and shows a playground page (no CDN needed) to a browser. A JSON list is a batch,
accepted up to Saleor's ``GRAPHQL_BATCH_MAX_COUNT`` (1 by default, i.e. refused). ``OPTIONS`` answers
CORS preflights for the storefront origins (``..cors``). Errors never carry a stack trace: unexpected
ones are logged and answered as ``Internal Server Error``.

Anonymous requests are hostile until proven otherwise: a request nested too deep to parse
(JSON or GraphQL) is answered 400, and a query is measured (``core.cost``) before graphql-core
validates or runs it. Every field's arguments go through one cleaning pass (``core.inputs``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from graphql import parse
from graphql.error import GraphQLError, GraphQLSyntaxError
from graphql.execution import ExecutionResult
from graphql.utils.get_operation_ast import get_operation_ast

from .. import ports
from ..auth import AuthenticationError, Caller
from ..cors import with_cors
from .core.context import CRMContext
from .core.cost import check_query_cost
from .core.errors import format_error
from .core.inputs import InputCleaning
from .schema import schema

PLAYGROUND_PAGE = Path(__file__).with_name("playground.html")


@with_cors
def graphql_view(request: HttpRequest) -> HttpResponse:
    try:
        return _serve(request)
    except RecursionError:  # the JSON or GraphQL parser, on input nested thousands deep
        return _errors(GraphQLError("The request is nested too deeply."), status=400)


def _serve(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and "query" not in request.GET and _wants_html(request):
        endpoint = json.dumps(request.path).replace("<", "\\u003c")
        return HttpResponse(PLAYGROUND_PAGE.read_text().replace("__ENDPOINT_JSON__", endpoint))
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        caller = ports.authenticator()(request)
    except AuthenticationError as error:
        return _errors(error, status=401)
    try:
        data = request.GET.dict() if request.method == "GET" else _parse_body(request)
    except RequestDataTooBig:
        return _errors(GraphQLError("Request body exceeds maximum size."), status=413)
    except ValueError:
        return _errors(GraphQLError("Unable to parse query."), status=400)
    if isinstance(data, list):
        if len(data) > getattr(settings, "GRAPHQL_BATCH_MAX_COUNT", 1):
            return _errors(GraphQLError("Number of batch queries exceeded."), status=400)
        responses = [execute(request, caller, entry) for entry in data]
        status = max((code for _, code in responses), default=200)
        return _json([result for result, _ in responses], status)
    result, status = execute(request, caller, data)
    return _json(result, status)


def execute(request: HttpRequest, caller: Caller, data: Any) -> tuple[dict, int]:
    """Run one operation; returns the response body and its HTTP status."""
    if not isinstance(data, dict):
        return {"errors": [format_error(GraphQLError("Invalid query."))]}, 400
    query, variables, operation_name = _params(data)
    if query is None:
        return {"errors": [format_error(GraphQLError("Must provide a query string."))]}, 400
    try:
        document = parse(query)
    except GraphQLSyntaxError as error:
        return {"errors": [format_error(error)]}, 400
    cost_errors = check_query_cost(schema, document, variables)
    if cost_errors:
        return {"errors": [format_error(error) for error in cost_errors]}, 400
    operation = get_operation_ast(document, operation_name)
    if request.method == "GET" and operation is not None and operation.operation != "query":
        message = f"Can only perform a {operation.operation} operation from a POST request."
        return {"errors": [format_error(GraphQLError(message))]}, 405
    result: ExecutionResult = schema.execute(
        document,
        variables=variables,
        operation_name=operation_name,
        context_value=CRMContext(request, caller),
        middleware=[InputCleaning()],
    )
    if result.invalid:
        # Nothing ran: graphql-core refused the caller's values while parsing them (it raises a bare
        # Exception for an Int variable beyond 32 bits). The caller's mistake, in graphql-core's words.
        errors = [e if isinstance(e, GraphQLError) else GraphQLError(f"Invalid request: {e}") for e in result.errors]
        return {"errors": [format_error(error, caller) for error in errors]}, 400
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(error, caller) for error in result.errors]
    body["data"] = result.data
    return body, 200


def _params(data: dict) -> tuple[str | None, dict | None, str | None]:
    query, variables, operation_name = data.get("query"), data.get("variables"), data.get("operationName")
    if isinstance(variables, str):  # GET sends them as a JSON string
        try:
            variables = json.loads(variables)
        except ValueError:
            variables = None
    return (
        query if isinstance(query, str) else None,
        variables if isinstance(variables, dict) else None,
        operation_name if isinstance(operation_name, str) and operation_name != "null" else None,
    )


def _parse_body(request: HttpRequest) -> Any:
    if request.content_type == "application/graphql":
        return {"query": request.body.decode()}
    if request.content_type == "application/json":
        body = json.loads(request.body)
        if not isinstance(body, dict | list):
            raise ValueError("Invalid query.")
        return body
    return request.POST.dict()


def _wants_html(request: HttpRequest) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def _errors(error: Exception, status: int) -> JsonResponse:
    return _json({"errors": [format_error(error)]}, status)


def _json(body: Any, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, encoder=DjangoJSONEncoder)
