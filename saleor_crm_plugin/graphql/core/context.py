"""What every resolver gets as ``info.context``: the request, the caller and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...auth import Caller


@dataclass
class CRMContext:
    request: Any
    caller: Caller
    dataloaders: dict[str, Any] = field(default_factory=dict)
