"""HS256 JSON Web Tokens for the sandbox's extension tokens.

Saleor signs the tokens it hands dashboard extensions as JWTs (with its RSA key), and
``@saleor/app-sdk`` decodes the handshake token as one, so the sandbox's stand-in must be a JWT
too: the same shape, signed with the sandbox's ``SECRET_KEY``. Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from django.conf import settings

from ..auth import AuthenticationError

HEADER = {"alg": "HS256", "typ": "JWT"}


def encode(claims: dict, key: str | None = None) -> str:
    signed = f"{_b64(json.dumps(HEADER).encode())}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    return f"{signed}.{_b64(_signature(signed, key))}"


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def decode(token: str) -> dict:
    """The claims of a token this sandbox signed; ``AuthenticationError`` named like PyJWT's otherwise."""
    try:
        header, payload, signature = token.split(".")
        if json.loads(_unb64(header)) != HEADER:
            raise ValueError("not an HS256 JWT")
        valid = hmac.compare_digest(_unb64(signature), _signature(f"{header}.{payload}"))
        claims = json.loads(_unb64(payload))
    except ValueError as error:  # bad base64 or JSON, a wrong header, a missing part
        raise AuthenticationError("Invalid token.", "DecodeError") from error
    if not valid:
        raise AuthenticationError("Signature verification failed", "InvalidSignatureError")
    if not isinstance(claims, dict):
        raise AuthenticationError("Invalid token.", "DecodeError")
    return claims


def _signature(signed: str, key: str | None = None) -> bytes:
    return hmac.new((key or settings.SECRET_KEY).encode(), signed.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("bad base64") from error
