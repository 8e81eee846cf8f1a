"""Saleor's own authentication for the CRM API: its JWTs for shoppers and staff, its app tokens.

The helpers are the ones Saleor's ``/graphql/`` uses, so token permission limits, revoked
tokens (``jwt_token_key``) and inactive users behave exactly as in Saleor's API.
"""

from __future__ import annotations

from ..auth import AuthenticationError, Caller, Permission


def _saleor_permission(permission: Permission) -> str:
    from saleor.permission.enums import AccountPermissions, OrderPermissions

    return {
        Permission.MANAGE_USERS: AccountPermissions.MANAGE_USERS,
        Permission.MANAGE_ORDERS: OrderPermissions.MANAGE_ORDERS,
    }[permission].value


class SaleorAuthenticator:
    def __call__(self, request) -> Caller:
        import jwt
        from saleor.core.auth import get_token_from_request
        from saleor.core.auth_backend import load_user_from_request
        from saleor.graphql.app.dataloaders import get_app_promise

        token = get_token_from_request(request)
        if not token:
            return Caller()
        try:
            user = load_user_from_request(request)
        except jwt.PyJWTError as exc:
            raise AuthenticationError(str(exc), type(exc).__name__) from exc
        if user is not None:
            return Caller(user=user, check_permission=lambda p: user.has_perm(_saleor_permission(p)))
        app = get_app_promise(request).get()
        if app is not None and app.is_active:
            return Caller(app=app, check_permission=lambda p: app.has_perm(_saleor_permission(p)))
        raise AuthenticationError("Invalid token. Create new one by using tokenCreate mutation.")
