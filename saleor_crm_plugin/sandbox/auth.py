"""The sandbox's stand-in for Saleor's tokens: signed, expiring bearer tokens the demo prints.

A user token names a Django user (shopper or staff); an app token names an app and the
permissions it was granted, like a Saleor app token. A staff account holds a Saleor permission
(``MANAGE_USERS``…) by being a superuser or a member of the Django group of that name.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from ..auth import AuthenticationError, Caller, Permission

SALT = "saleor_crm_plugin.sandbox.token"
DEFAULT_TTL_SECONDS = 24 * 3600


def user_token(user) -> str:
    return signing.dumps({"user": user.pk}, salt=SALT)


def app_token(name: str, permissions: list[Permission]) -> str:
    return signing.dumps({"app": name, "permissions": [str(p) for p in permissions]}, salt=SALT)


def _user_has(user, permission: Permission) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name=str(permission)).exists())


class SandboxAuthenticator:
    def __call__(self, request) -> Caller:
        header = request.META.get("HTTP_AUTHORIZATION", "").split(maxsplit=1)
        if len(header) != 2 or header[0].upper() not in ("BEARER", "JWT"):
            return Caller()
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
