"""Who is calling the CRM API: a port answers it from the store's own tokens, never a second login.

The core only knows a :class:`Caller`: the shopper or staff account behind the request (by its
primary key in the store's user table) or an app, and which store permissions it holds.
Permission names are Saleor's enum names (``MANAGE_USERS``), so staff grant them in Saleor's
dashboard exactly as for Saleor's own API.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .ids import global_id


class Permission(enum.StrEnum):
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_ORDERS = "MANAGE_ORDERS"


class AuthenticationError(Exception):
    """A token that was sent but can't be trusted: expired, forged, revoked or of the wrong kind.

    ``code`` names the failure as Saleor's API does (the PyJWT exception class name).
    """

    def __init__(self, message: str, code: str = "InvalidTokenError"):
        super().__init__(message)
        self.code = code


@dataclass
class Caller:
    user: Any = None
    app: Any = None
    check_permission: Callable[[Permission], bool] = field(default=lambda permission: False, repr=False)
    _granted: dict[Permission, bool] = field(default_factory=dict, repr=False)

    @property
    def is_anonymous(self) -> bool:
        return self.user is None and self.app is None

    @property
    def user_global_id(self) -> str | None:
        """The signed-in account's Saleor ID, which is how profiles name their account."""
        return global_id("User", self.user.pk) if self.user is not None else None

    def has_permission(self, permission: Permission) -> bool:
        if permission not in self._granted:
            self._granted[permission] = not self.is_anonymous and self.check_permission(permission)
        return self._granted[permission]

    def has_any_permission(self, permissions: tuple[Permission, ...]) -> bool:
        """Answered from permissions already checked before asking about others (each ask may cost a query)."""
        return any(self._granted.get(p) for p in permissions) or any(self.has_permission(p) for p in permissions)


ANONYMOUS = Caller()


class Authenticator(Protocol):
    def __call__(self, request) -> Caller:
        """The caller behind an HTTP request; raises AuthenticationError for a bad token."""
