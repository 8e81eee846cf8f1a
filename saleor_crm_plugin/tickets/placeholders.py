"""Macro placeholders: ``{{ customer_name }}`` and friends, filled in from a ticket.

Pluggable: another domain adds its own with ``register`` (loyalty registers ``loyalty_balance``), so
this module imports none of them. Rendering is one pass of plain substitution: no attribute access,
no code, and a value that itself looks like a placeholder is left as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .models import Ticket

PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")

_registry: dict[str, tuple[str, Callable[[Ticket], object]]] = {}


def register(name: str, description: str, value: Callable[[Ticket], object]) -> None:
    """Make ``{{ name }}`` available in macros; ``value(ticket)`` returns its text (None for empty)."""
    _registry[name] = (description, value)


def available() -> dict[str, str]:
    return {name: description for name, (description, _) in sorted(_registry.items())}


def unknown_in(template: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(template) if name not in _registry})


def render(template: str, ticket: Ticket) -> str:
    def fill(match: re.Match) -> str:
        found = _registry.get(match.group(1))
        value = found[1](ticket) if found else None
        return "" if value is None else str(value)

    return PLACEHOLDER.sub(fill, template)


def _customer_name(ticket: Ticket) -> str:
    profile = ticket.profile
    return f"{profile.first_name} {profile.last_name}".strip() or profile.email


register("customer_name", "The customer's first and last name (or email).", _customer_name)
register("customer_first_name", "The customer's first name.", lambda t: t.profile.first_name or _customer_name(t))
register("customer_email", "The customer's email.", lambda t: t.profile.email)
register("order_number", "The ticket's order number.", lambda t: t.order.number if t.order_id else None)
register("ticket_reference", "The ticket's reference, e.g. T-42.", lambda t: t.reference)
register("ticket_subject", "The ticket's subject.", lambda t: t.subject)
