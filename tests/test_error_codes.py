"""Error codes have one source: each domain's ``error_codes.py`` enum (issue 17).

Actions raise members of their domain's enum (a code outside it is refused when raised), and each
GraphQL error enum is derived from that enum, so nothing an action raises can fail to serialise.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import saleor_crm_plugin
from saleor_crm_plugin.analytics.error_codes import CrmAnalyticsErrorCode
from saleor_crm_plugin.automation.error_codes import CrmAutomationErrorCode
from saleor_crm_plugin.errors import CommonErrorCode
from saleor_crm_plugin.graphql.schema import schema
from saleor_crm_plugin.loyalty.error_codes import LoyaltyErrorCode
from saleor_crm_plugin.loyalty.errors import LoyaltyError
from saleor_crm_plugin.profiles.error_codes import CrmCustomerErrorCode
from saleor_crm_plugin.segments.actions import SegmentActionError
from saleor_crm_plugin.segments.error_codes import CrmSegmentErrorCode
from saleor_crm_plugin.tickets.actions import TicketActionError
from saleor_crm_plugin.tickets.error_codes import CrmTicketErrorCode

DOMAIN_ENUMS = [
    CrmCustomerErrorCode,
    LoyaltyErrorCode,
    CrmSegmentErrorCode,
    CrmTicketErrorCode,
    CrmAutomationErrorCode,
    CrmAnalyticsErrorCode,
]
# Who raises with which enum: every ActionError class, and the segment language's own error.
RAISERS = {
    "ActionError": CommonErrorCode,
    "MutationError": CommonErrorCode,
    "ProfileActionError": CrmCustomerErrorCode,
    "LoyaltyError": LoyaltyErrorCode,
    "SegmentActionError": CrmSegmentErrorCode,
    "SegmentQueryError": CrmSegmentErrorCode,
    "TicketActionError": CrmTicketErrorCode,
    "AutomationError": CrmAutomationErrorCode,
    "AnalyticsError": CrmAnalyticsErrorCode,
}
PACKAGE = Path(saleor_crm_plugin.__file__).parent


def test_an_action_error_refuses_a_code_its_domain_does_not_have():
    with pytest.raises(TypeError, match="CrmTicketErrorCode"):
        TicketActionError("points", "INSUFFICIENT_POINTS", "a loyalty code on a ticket")
    with pytest.raises(TypeError, match="LoyaltyErrorCode"):
        LoyaltyError("points", "NOT_ENOUGH", "a typo")
    error = SegmentActionError("query", CrmSegmentErrorCode.TOO_COSTLY, "too costly", line=1, column=3)
    assert error.code is CrmSegmentErrorCode.TOO_COSTLY
    assert error.as_error() == {
        "field": "query",
        "code": CrmSegmentErrorCode.TOO_COSTLY,
        "message": "too costly",
        "line": 1,
        "column": 3,
    }


def test_every_domain_enum_has_the_codes_any_mutation_may_answer():
    for codes in DOMAIN_ENUMS:
        assert {code.name for code in CommonErrorCode} <= set(codes.__members__), codes


@pytest.mark.parametrize("codes", DOMAIN_ENUMS, ids=lambda codes: codes.__name__)
def test_each_graphql_error_enum_is_its_domains_enum(codes):
    """Same name, same values: the API's enum can't drift from what the actions raise."""
    graphql_enum = schema.get_type(codes.__name__)
    assert [value.name for value in graphql_enum.values] == list(codes.__members__)
    assert graphql_enum.graphene_type._meta.enum is codes


def raised_codes() -> list[tuple[str, int, str, str]]:
    """``(file, line, raiser, code)`` for every ``Raiser(field, CODE, …)``/``code=CODE`` in the package."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RAISERS):
                continue
            arguments = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "code")]
            for argument in arguments:
                code = _code_of(argument, path)
                if code is not None:
                    found.append((str(path.relative_to(PACKAGE)), node.lineno, node.func.id, code))
    return found


def _module_of(path: Path):
    name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return importlib.import_module(name.removesuffix(".__init__"))


def _code_of(node: ast.expr, path: Path) -> str | None:
    """The code a literal, an enum member (``Codes.X``) or a module constant names; None for computed ones."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id.endswith("ErrorCode"):
        return node.attr
    if isinstance(node, ast.Name) and isinstance(constant := getattr(_module_of(path), node.id, None), str):
        return str(constant)
    return None


def test_every_code_an_action_can_raise_is_in_its_enum():
    found = raised_codes()
    assert len(found) > 80  # the scan sees the actions (a broken scan must not pass silently)
    outside = [
        (where, line, raiser, code) for where, line, raiser, code in found if code not in RAISERS[raiser].__members__
    ]
    assert outside == []


def test_mutations_turn_any_action_error_into_an_errors_entry_of_their_enum():
    """Every mutation payload's ``errors.code`` is one of the derived enums, none hand-written."""
    derived = {codes.__name__ for codes in DOMAIN_ENUMS}
    for name, field in schema.get_mutation_type().fields.items():
        errors = field.type.fields.get("errors")
        if errors is None:
            continue
        error_type = errors.type.of_type.of_type.of_type
        assert error_type.fields["code"].type.of_type.name in derived, name
