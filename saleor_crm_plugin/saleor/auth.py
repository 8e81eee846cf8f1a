"""Saleor's own authentication for the CRM API: its JWTs for shoppers and staff, its app tokens,
and the extension tokens Saleor Dashboard hands the CRM App's pages and widgets.

The helpers are the ones Saleor's ``/graphql/`` uses, so signatures, expiry, token permission
limits, revoked tokens (``jwt_token_key``) and inactive users behave exactly as in Saleor's API.

An extension token (``type: "thirdparty"``, from ``create_access_token_for_app`` or
``create_access_token_for_app_extension``) is a staff user acting through an App. Saleor honours
it for whichever App it names; the CRM only for its own App (identifier ``saleor.crm.app``),
while that App is installed and active. Its permissions are the token's (the user's intersected
with the App's or the extension's when Saleor minted it), still held now by both the App and
the user: a token lives five minutes, and a revoked permission should not.
"""

from __future__ import annotations

import base64

from ..auth import AuthenticationError, Caller, Permission
from ..dashboard.manifest import APP_ID

NOT_OUR_APP = "Invalid token. It was issued to another app, or to an app that is not installed and active."


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
        from saleor.core.jwt import JWT_THIRDPARTY_ACCESS_TYPE, jwt_decode
        from saleor.graphql.app.dataloaders import get_app_promise

        token = get_token_from_request(request)
        if not token:
            return Caller()
        try:
            user = load_user_from_request(request)  # verifies the signature, expiry, type, user, revocation
            claims = jwt_decode(token) if user is not None else None
        except jwt.PyJWTError as exc:
            raise AuthenticationError(str(exc), type(exc).__name__) from exc
        if claims is not None and claims.get("type") == JWT_THIRDPARTY_ACCESS_TYPE:
            return _extension_caller(user, claims)
        if user is not None:
            return Caller(user=user, check_permission=lambda p: user.has_perm(_saleor_permission(p)))
        app = get_app_promise(request).get()
        if app is not None and app.is_active:
            return Caller(app=app, check_permission=lambda p: app.has_perm(_saleor_permission(p)))
        raise AuthenticationError("Invalid token. Create new one by using tokenCreate mutation.")


def _extension_caller(user, claims: dict) -> Caller:
    """The staff user acting through the CRM App; ``user`` holds only the token's permissions."""
    from saleor.account.models import User

    app = _our_app(claims)

    def check(permission: Permission) -> bool:
        name = _saleor_permission(permission)
        # The token's grant (Saleor's has_perm on the token-limited user), the App's now, the user's now.
        return user.has_perm(name) and app.has_perm(name) and User.objects.get(pk=user.pk).has_perm(name)

    return Caller(user=user, app=app, check_permission=check)


def _our_app(claims: dict):
    from saleor.app.models import App, AppExtension

    app = App.objects.filter(
        pk=_pk(claims.get("app"), "App"),
        identifier=APP_ID,
        is_active=True,
        is_installed=True,
        removed_at__isnull=True,
    ).first()
    if app is None:
        raise AuthenticationError(NOT_OUR_APP)
    if "app_extension" in claims:
        extension = _pk(claims["app_extension"], "AppExtension")
        if not AppExtension.objects.filter(pk=extension, app=app).exists():
            raise AuthenticationError(NOT_OUR_APP)
    return app


def _pk(global_id, type_name: str) -> int | None:
    """The integer pk in a Saleor global id of that type, else None (which matches no row)."""
    try:
        kind, _, pk = base64.b64decode(global_id, validate=True).decode("ascii").partition(":")
    except (TypeError, ValueError):  # not a string, not base64 (binascii.Error), not ASCII
        return None
    return int(pk) if kind == type_name and pk.isdigit() else None
