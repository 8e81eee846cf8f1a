"""Permission checks shared by resolvers: staff by Saleor permission, shoppers by ownership."""

from __future__ import annotations

from ...auth import Caller, Permission
from .errors import PermissionDenied


def caller_of(info) -> Caller:
    return info.context.caller


def require(info, *permissions: Permission) -> None:
    """Staff (or an app) holding any of ``permissions``; a GraphQL error otherwise."""
    caller = caller_of(info)
    if not any(caller.has_permission(p) for p in permissions):
        raise PermissionDenied(permissions)


def owns_profile(caller: Caller, profile) -> bool:
    return (
        caller.user is not None
        and profile.saleor_user_id is not None
        and (profile.saleor_user_id == caller.user_global_id)
    )
