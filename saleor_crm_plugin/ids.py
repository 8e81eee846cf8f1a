"""Saleor's Relay global IDs (base64 of ``Type:pk``): how the CRM names Saleor objects."""

import base64


def global_id(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(value: str) -> tuple[str, str]:
    """``(type_name, pk)``; raises ValueError for anything that is not a global ID."""
    try:
        type_name, _, pk = base64.b64decode(value, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"Not a global ID: {value!r}") from error
    if not type_name or not pk:
        raise ValueError(f"Not a global ID: {value!r}")
    return type_name, pk
