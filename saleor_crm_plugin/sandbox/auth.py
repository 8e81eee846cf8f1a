"""The sandbox's stand-in for Saleor's tokens: signed, expiring bearer tokens the demo prints.

A user token names a Django user (shopper or staff); an app token names an app and the
permissions it was granted, like a Saleor app token. An extension token is what Saleor Dashboard
hands the App's pages and widgets: the App and the staff user, with the user's permissions
intersected with the App's, for five minutes (Saleor's ``create_access_token_for_app``). A staff
account holds a Saleor permission (``MANAGE_USERS``…) by being a superuser or a member of the
Django group of that name.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from ..auth import AuthenticationError, Caller, Permission
from ..dashboard.manifest import APP_ID
from . import jwt

SALT = "saleor_crm_plugin.sandbox.token"
DEFAULT_TTL_SECONDS = 24 * 3600
THIRDPARTY = "thirdparty"  # Saleor's JWT type for tokens an app acts with on a staff user's behalf


def user_token(user) -> str:
    return signing.dumps({"user": user.pk}, salt=SALT)


def app_token(name: str, permissions: list[Permission]) -> str:
    return signing.dumps({"app": name, "permissions": [str(p) for p in permissions]}, salt=SALT)


def extension_token(user, app_permissions: Iterable[Permission], ttl: int = 300) -> str:
    """A token for the dashboard App's pages: this staff user, through the CRM App, for ``ttl`` seconds."""
    held = [str(p) for p in Permission if _user_has(user, p)]
    granted = {str(p) for p in app_permissions}
    claims = {
        "type": THIRDPARTY,
        "app": APP_ID,
        "user": user.pk,
        "permissions": [p for p in held if p in granted],
        "user_permissions": held,
        "exp": int(time.time()) + ttl,
    }
    return jwt.encode(claims)


def _user_has(user, permission: Permission) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name=str(permission)).exists())


class SandboxAuthenticator:
    def __call__(self, request) -> Caller:
        header = request.META.get("HTTP_AUTHORIZATION", "").split(maxsplit=1)
        if len(header) != 2 or header[0].upper() not in ("BEARER", "JWT"):
            return Caller()
        if jwt.looks_like_jwt(header[1]):
            return _extension_caller(jwt.decode(header[1]))
        ttl = getattr(settings, "CRM_SANDBOX_TOKEN_TTL", DEFAULT_TTL_SECONDS)
        try:
            claims = signing.loads(header[1], salt=SALT, max_age=ttl)
        except signing.SignatureExpired as exc:
            raise AuthenticationError("Signature has expired", "ExpiredSignatureError") from exc
        except signing.BadSignature as exc:
            raise AuthenticationError("Signature verification failed", "InvalidSignatureError") from exc
        if "app" in claims:
            granted = frozenset(claims.get("permissions", ()))
            return Caller(app=claims["app"], check_permission=lambda p: str(p) in granted)
        user = get_user_model().objects.filter(pk=claims.get("user"), is_active=True).first()
        if user is None:
            raise AuthenticationError("Invalid token. User does not exist or is inactive.")
        return Caller(user=user, check_permission=lambda p: _user_has(user, p))


def _extension_caller(claims: dict) -> Caller:
    """The staff user acting through the CRM App; another App's token is not ours to honour."""
    if claims.get("type") != THIRDPARTY:
        raise AuthenticationError("Invalid token. It is not an extension token.")
    if claims.get("app") != APP_ID:
        raise AuthenticationError("Invalid token. It was issued to another app.")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        raise AuthenticationError("Signature has expired", "ExpiredSignatureError")
    user = get_user_model().objects.filter(pk=claims.get("user"), is_active=True).first()
    if user is None:
        raise AuthenticationError("Invalid token. User does not exist or is inactive.")
    # The permissions the token was minted with, and only while the user still holds them.
    granted = frozenset(claims.get("permissions", ()))
    return Caller(user=user, app=APP_ID, check_permission=lambda p: str(p) in granted and _user_has(user, p))
