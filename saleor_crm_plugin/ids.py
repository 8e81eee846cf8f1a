"""Saleor's Relay global IDs (base64 of ``Type:pk``): how the CRM names Saleor objects."""

import base64


def global_id(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()
